/**
 * --compare-direct in every format, from reports built in memory through the real attribution:
 * which path works, the sentence, both stage tables, the second JUnit suite, the compare metric
 * families, the GitHub notice; server text in the direct run stays inert everywhere.
 */
import { describe, expect, it } from 'vitest';
import { compareSentence, pathWorks, sideText, type Compare } from '../../src/render/compare.js';
import { renderGithub } from '../../src/render/github.js';
import { renderHuman } from '../../src/render/human.js';
import { renderJunit } from '../../src/render/junit.js';
import { renderMarkdown } from '../../src/render/md.js';
import { renderOpenMetrics } from '../../src/render/openmetrics.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';
import { compareReport, PROXY, PROXY_REFUSES, TCP_REFUSES, WORKS, WORKS_DIRECT } from '../helpers/compare-reports.js';
import { parseExposition, samplesOf } from '../helpers/exposition.js';
import { healthyReport } from '../helpers/reports.js';

const proxyOnly = () => compareReport(WORKS, TCP_REFUSES);
const directOnly = () => compareReport(PROXY_REFUSES, WORKS_DIRECT);
const both = () => compareReport(WORKS, WORKS_DIRECT);
const neitherSame = () => compareReport(TCP_REFUSES, TCP_REFUSES);
const neitherDifferent = () => compareReport(PROXY_REFUSES, TCP_REFUSES);

describe('which path works and the sentence', () => {
  it.each([
    ['proxy-only', proxyOnly, [true, false], /^Only the path through http:\/\/proxy\.corp\.example:3128 works; without it the checks fail \(TCP_REFUSED at the tcp stage\)/],
    ['direct-only', directOnly, [false, true], /^Only the direct path works: through http:\/\/proxy\.corp\.example:3128 the checks fail \(PROXY_REFUSED at the proxy stage\)/],
    ['both', both, [true, true], /^Both paths work/],
    ['neither', neitherSame, [false, false], /both fail the same way \(TCP_REFUSED at the tcp stage\): the proxy is not the cause/],
    ['neither', neitherDifferent, [false, false], /through \S+ PROXY_REFUSED at the proxy stage, without it TCP_REFUSED at the tcp stage; going around the proxy would not help/],
  ] as const)('%s', (outcome, make, works, sentence) => {
    const c = make().compare!;
    expect(c.outcome).toBe(outcome);
    expect([pathWorks(c, 'proxy'), pathWorks(c, 'direct')]).toEqual(works);
    expect(compareSentence(c)).toMatch(sentence);
  });

  it('a side that crashed the tool is named as such, and an ok side by its verdict', () => {
    const c: Compare = { proxy: PROXY, outcome: 'proxy-only', proxied: { verdict: 'ok' }, direct: { verdict: 'ok', stages: [], diagnoses: [] } };
    expect(compareSentence(c)).toContain('(an error of the tool itself)');
    expect(sideText(c.proxied)).toBe('ok');
    expect(sideText({ verdict: 'failed', rootCause: 'TCP_REFUSED', stage: 'tcp' })).toBe('failed: TCP_REFUSED at tcp');
  });
});

describe('markdown', () => {
  it('a section with both stage tables in one, the attribution and the direct diagnoses', () => {
    const md = renderMarkdown(proxyOnly());
    const section = md.slice(md.indexOf('### Through the proxy vs direct'), md.indexOf('### Diagnoses'));
    expect(section).toContain('**Only the path through http://proxy.corp.example:3128 works;');
    expect(section).toContain('Through `http://proxy.corp.example:3128`: ok · direct: failed: TCP_REFUSED at tcp · outcome `proxy-only`');
    const rows = section.split('\n').filter((l) => /^\| (env|dns|tcp|proxy|tls|http|stream|mtu) \|/.test(l));
    expect(rows).toHaveLength(8);
    // Seven cells in every row, whatever pipes the server text held.
    for (const r of rows) expect(r.replace(/\\\|/g, '').split('|').length).toBe(9);
    expect(rows.find((r) => r.startsWith('| tcp |'))).toMatch(/^\| tcp \| ✅ pass \| 12 ms \| tcp fine \| ❌ fail \| 12 ms \| connection refused evil &lt;script&gt;/);
    expect(rows.find((r) => r.startsWith('| proxy |'))).toMatch(/\| ⏭️ skip \|  \| skipped: direct \|$/);
    expect(section).toContain('- ❌ error `TCP_REFUSED` (root cause) at tcp: The connection was refused (RST in answer to SYN)');
    expect(section).not.toMatch(/<script>/);
  });

  it('no section without a comparison', () => {
    expect(renderMarkdown(healthyReport())).not.toContain('Through the proxy vs direct');
  });
});

describe('junit', () => {
  const suites = (xml: string) => [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/g)].map((m) => m.slice(1));

  it('the direct run is a second suite; the outer counts add both up', () => {
    const xml = renderJunit(proxyOnly());
    expect(suites(xml)).toEqual([
      ['upstream-doctor https://api.openai.com/v1', '8', '0', '0', '0'],
      ['direct', '8', '1', '0', '3'],
    ]);
    expect(/<testsuites [^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(xml)!.slice(1)).toEqual(['16', '1', '0', '3']);
    expect(xml).toContain('<testcase name="tcp" classname="upstream-doctor.direct.api.openai.com" time="0.012"><failure type="TCP_REFUSED"');
    expect(xml).toContain('<property name="compareOutcome" value="proxy-only"/>');
    expect(xml).toContain('<property name="comparedWith" value="proxy http://proxy.corp.example:3128"/>');
  });

  it('a bug of the tool in the direct run is an <error> there', () => {
    const r = both();
    r.compare!.direct.stages[5] = { ...r.compare!.direct.stages[5]!, status: 'fail', data: { internalError: 'TypeError: boom' } };
    expect(suites(renderJunit(r))[1]).toEqual(['direct', '8', '0', '1', '1']);
  });

  it.skipIf(!hasCommand('xmllint')).each([
    ['proxy-only', proxyOnly],
    ['direct-only', directOnly],
    ['neither', neitherDifferent],
  ])('xmllint accepts the %s report with hostile text', (_n, make) => {
    const lint = xmllintJunit(renderJunit(make()));
    expect(lint.output).toContain('validates');
    expect(lint.status).toBe(0);
  });
});

describe('openmetrics', () => {
  it('compare families: success per path, the outcome, the direct stages and diagnoses', () => {
    const r = neitherDifferent();
    // The same code twice in the direct run is still one series.
    r.compare!.direct.diagnoses.push({ ...r.compare!.direct.diagnoses[0]! });
    const text = renderOpenMetrics(r);
    const e = parseExposition(text);
    expect(samplesOf(e, 'upstream_doctor_compare_success').map((s) => [s.labels.path, s.value])).toEqual([
      ['proxy', 0],
      ['direct', 0],
    ]);
    expect(samplesOf(e, 'upstream_doctor_compare_outcome')[0]!.labels).toEqual({ target: r.target.url, outcome: 'neither', proxy: PROXY });
    expect(samplesOf(e, 'upstream_doctor_compare_diagnosis').map((s) => s.labels)).toEqual([
      { target: r.target.url, path: 'direct', code: 'TCP_REFUSED', stage: 'tcp', severity: 'error' },
    ]);
    expect(samplesOf(e, 'upstream_doctor_compare_stage_status').find((s) => s.labels.stage === 'tcp')!.labels.status).toBe('fail');
    expect(samplesOf(e, 'upstream_doctor_compare_stage_duration_seconds').map((s) => s.labels.stage)).toEqual(['env', 'dns', 'tcp', 'stream', 'mtu']);
    expect(samplesOf(e, 'probe_success')).toEqual([{ name: 'probe_success', labels: { target: r.target.url }, value: 0 }]);
  });

  it('a proxy URL with quotes and backslashes reads back unchanged', () => {
    const r = proxyOnly();
    r.compare!.proxy = 'http://a"b\\c:3128';
    const text = renderOpenMetrics(r);
    expect(samplesOf(parseExposition(text), 'upstream_doctor_compare_outcome')[0]!.labels.proxy).toBe('http://a"b\\c:3128');
    if (hasCommand('promtool')) expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });

  it('without a comparison, not one compare series', () => {
    expect(renderOpenMetrics(healthyReport())).not.toContain('upstream_doctor_compare_');
  });
});

describe('github and human', () => {
  const commands = (text: string) => text.split('\n').filter((l) => /^\s*::/.test(l));

  it('one notice saying which path works, a group per path, hostile text inert', () => {
    const text = renderGithub(directOnly());
    const cmds = commands(text);
    expect(cmds.filter((c) => c.startsWith('::notice '))).toEqual([
      `::notice title=compare-direct%3A direct-only::${compareSentence(directOnly().compare!)}%0Athrough ${PROXY}: failed: PROXY_REFUSED at proxy%0Adirect: ok`,
    ]);
    expect(cmds.map((c) => /^::(\w+)/.exec(c)![1])).toEqual(['error', 'notice', 'group', 'endgroup', 'group', 'endgroup']);
    expect(cmds[4]).toBe('::group::upstream-doctor stages for https://api.openai.com/v1 without the proxy');
    // The direct run's hostile summaries stay plain lines.
    const hostile = renderGithub(proxyOnly());
    expect(commands(hostile)).toHaveLength(6);
    expect(hostile).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('no notice without a comparison', () => {
    expect(renderGithub(healthyReport())).not.toContain('::notice');
  });

  it('human: both sides and the sentence', () => {
    const text = renderHuman(proxyOnly(), { color: false });
    expect(text).toContain(`compare-direct\n  through ${PROXY}: ok\n  direct: failed (TCP_REFUSED)\n  Only the path through`);
  });
});
