/** The Markdown report: what a ticket needs, with server text rendered as itself. */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/render/md.js';
import { mdCode, mdFence, mdText } from '../../src/render/mdtext.js';
import type { Report } from '../../src/report.js';
import { buildReport, failingReport, healthyReport } from '../helpers/reports.js';

/** The JSON report folded into the <details> block, parsed back. */
function embeddedJson(md: string): Report {
  const m = /<details><summary>JSON report<\/summary>\n\n(`{3,})json\n([\s\S]*?)\n\1\n\n<\/details>\n$/.exec(md);
  if (!m) throw new Error('no JSON details block at the end');
  return JSON.parse(m[2]!) as Report;
}

describe('markdown report', () => {
  it('says what, when, from where, the verdict, the stages with timings and the request ids', () => {
    const md = renderMarkdown(healthyReport());
    expect(md).toMatch(/^## upstream-doctor: ✅ OK for `api\.openai\.com`/);
    expect(md).toContain('| Target | `https://api.openai.com/v1`');
    expect(md).toContain('| When | 2026-11-21T10:00:00.000Z · took 812 ms |');
    expect(md).toMatch(/\| From \| host `worker-7` · egress address `10\.1\.2\.3` · upstream-doctor 0\.1\.0 · Node v20\.20\.0/);
    expect(md).toContain('| Verdict | **✅ OK** · exit code 0 |');
    expect(md).toContain('| API key | `sk-…abcd` from env OPENAI_API_KEY |');
    expect(md).toContain('| http | ✅ pass | 15 ms | 200 OK in 180 ms |');
    expect(md).toContain('| stream | ⏭️ skip |  | skipped: --stream not given |');
    expect(md).toContain('HTTP exchange: HTTP status 200 · HTTP version 2 · phases: connect 13 ms, tls 30 ms, request 1 ms, firstByte 150 ms, download 4 ms, total 198 ms');
    expect(md).toContain('### Request ids');
    expect(md).toContain('| `x-request-id` | `req_abc123` | http |');
    expect(md).toContain('| `cf-ray` | `8c1f2e3d4a5b6c7d-FRA` | http |');
    expect(md).not.toContain('### Diagnoses');
    expect(embeddedJson(md)).toEqual(healthyReport());
  });

  it('puts the root cause first with evidence, steps and commands', () => {
    const r = failingReport();
    const md = renderMarkdown(r);
    expect(md).toContain('**❌ FAILED** · exit code 11 · root cause `TCP_REFUSED`');
    const root = md.indexOf('#### ❌ error `TCP_REFUSED` (root cause): The connection was refused');
    const warn = md.indexOf('#### ⚠️ warning `DNS_HOSTS_OVERRIDE`');
    expect(root).toBeGreaterThan(0);
    expect(warn).toBeGreaterThan(root);
    expect(md).toContain('- RST in answer to SYN from 127.0.0.1:1');
    expect(md).toMatch(/\*\*What to do\*\*\n\n1\. /);
    expect(md).toMatch(/\n {3}```sh\n {3}nc -vz/);
    expect(md).toContain('*(network)* ');
    expect(embeddedJson(md)).toEqual(r);
  });

  it('escapes hostile server text: no raw HTML, no table breaks, one line per cell', () => {
    const md = renderMarkdown(failingReport());
    const beforeJson = md.slice(0, md.indexOf('<details>'));
    // Outside code spans (where text is literal) no markup of the server survives.
    const outsideCode = beforeJson.replace(/(?<![`\\])(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g, '');
    expect(outsideCode).not.toMatch(/<script>|<\/details>/);
    expect(beforeJson.split('\n').filter((l) => l.startsWith('<'))).toEqual([]);
    expect(beforeJson).toContain('&lt;script&gt;');
    expect(beforeJson).not.toMatch(/[\u0000-\u0008\u000B-\u001F]/);
    const tcpRow = beforeJson.split('\n').find((l) => l.startsWith('| tcp |'))!;
    // Four cells: every pipe of the server text is escaped.
    expect(tcpRow.replace(/\\\|/g, '').split('|').length).toBe(6);
    expect(tcpRow).toContain('\\*\\*bold\\*\\*');
    expect(tcpRow).toContain('\\[link\\](http://x)');
    // The folded JSON cannot be closed early by the server's text.
    expect(md.split('\n').filter((l) => l.trim().startsWith('</details>'))).toEqual(['</details>']);
  });

  it('lists bugs of the tool apart from findings', () => {
    const md = renderMarkdown(buildReport({ internalErrors: [{ stage: 'http', message: 'TypeError: x is undefined' }] }));
    expect(md).toContain('### Errors of the tool itself');
    expect(md).toContain('- http: TypeError: x is undefined');
    expect(md).toContain('**❌ FAILED** · exit code 3');
  });

  it('marks interrupted runs as partial', () => {
    expect(renderMarkdown(buildReport({ interrupted: true }))).toContain('exit code 130 · interrupted (partial report)');
  });
});

describe('markdown escaping', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['<b>&', '&lt;b&gt;&amp;'],
    ['*x* `y` [z]', '\\*x\\* \\`y\\` \\[z\\]'],
    ['TCP_REFUSED _x_', 'TCP_REFUSED \\_x\\_'],
    ['line\nbreak\r\n', 'line break '],
    ['bell\u0007', 'bell'],
  ])('mdText(%j)', (input, want) => {
    expect(mdText(input)).toBe(want);
  });

  it('code spans and fences outlast the backticks inside', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdFence('x\n````\ny', 'sh')).toBe('`````sh\nx\n````\ny\n`````');
    expect(mdFence('plain')).toBe('```\nplain\n```');
  });
});
