/** JUnit XML: one testcase per stage; failure, error and skipped kept apart; text made safe. */
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/render/junit.js';
import { stripForbiddenXml, xmlAttr, xmlText } from '../../src/render/xml.js';
import { buildReport, failingReport, healthyReport } from '../helpers/reports.js';

/** testcase name -> the outcome element inside it (or 'pass'). */
function outcomes(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<testcase name="([^"]+)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const inner = m[2] ?? '';
    out[m[1]!] = /^<(failure|error|skipped)\b/.exec(inner)?.[1] ?? 'pass';
  }
  return out;
}

const attr = (xml: string, el: string, name: string) => new RegExp(`<${el}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1];

describe('junit report', () => {
  it('a healthy run: every stage a passing or skipped testcase, counts in both suites', () => {
    const xml = renderJunit(healthyReport());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(outcomes(xml)).toEqual({ env: 'pass', dns: 'pass', tcp: 'pass', proxy: 'pass', tls: 'pass', http: 'pass', stream: 'skipped', mtu: 'skipped' });
    for (const el of ['testsuites', 'testsuite']) {
      expect([attr(xml, el, 'tests'), attr(xml, el, 'failures'), attr(xml, el, 'errors'), attr(xml, el, 'skipped')]).toEqual(['8', '0', '0', '2']);
      expect(attr(xml, el, 'time')).toBe('0.812');
    }
    expect(xml).toContain('<testcase name="http" classname="upstream-doctor.api.openai.com" time="0.015">');
    expect(xml).toContain('<property name="verdict" value="ok"/>');
    expect(xml.match(/<testsuite\b/g)).toHaveLength(1);
  });

  it('a failing run: the failing stage is a <failure> typed by its code; warnings stay in system-out', () => {
    const xml = renderJunit(failingReport());
    expect(outcomes(xml)).toMatchObject({ dns: 'pass', tcp: 'failure', tls: 'skipped' });
    expect(xml).toContain('<failure type="TCP_REFUSED" message="TCP_REFUSED: The connection was refused">');
    expect(xml).toMatch(/<testcase name="dns"[^>]*><system-out>pass: dns fine\n\nDNS_HOSTS_OVERRIDE \(warning\)/);
    expect(attr(xml, 'testsuite', 'failures')).toBe('1');
    expect(xml).toContain('<property name="rootCause" value="TCP_REFUSED"/>');
  });

  it('warnings fail their stage when --strict made them fail the run', () => {
    const findings = [{ code: 'CLOCK_SKEW', stage: 'http' as const, evidence: ['Date header 95 s ahead'] }];
    expect(outcomes(renderJunit(buildReport({ findings })))).toMatchObject({ http: 'pass' });
    const strict = renderJunit(buildReport({ findings, strict: true }));
    expect(outcomes(strict)).toMatchObject({ http: 'failure' });
    expect(strict).toContain('type="CLOCK_SKEW"');
  });

  it('a bug of the tool is an <error>, never a <failure>', () => {
    const xml = renderJunit(
      buildReport({
        stages: { tls: { status: 'fail', summary: 'internal error of the tool: TypeError: boom', data: { internalError: 'TypeError: boom' } } },
        internalErrors: [{ stage: 'tls', message: 'TypeError: boom' }, { stage: 'tool', message: 'RangeError: compose' }],
      }),
    );
    expect(outcomes(xml)).toMatchObject({ tls: 'error', tool: 'error' });
    expect(xml).toContain('<error type="internal-error" message="TypeError: boom">');
    expect(attr(xml, 'testsuite', 'errors')).toBe('2');
    expect(attr(xml, 'testsuite', 'failures')).toBe('0');
  });

  it('a diagnosis of a stage the report lacks still gets a testcase', () => {
    const r = buildReport({ findings: [{ code: 'MTU_BLACKHOLE_SUSPECTED', stage: 'mtu', evidence: ['1400-byte probes vanish'] }] });
    r.stages = r.stages.filter((s) => s.id !== 'mtu');
    expect(outcomes(renderJunit(r))).toMatchObject({ mtu: 'failure' });
  });

  it('hostile server text leaves no markup and no character XML forbids', () => {
    const xml = renderJunit(failingReport());
    expect(xml).not.toMatch(/<script>|<\/details>/);
    expect(xml).toContain('&lt;script&gt;');
    expect(stripForbiddenXml(xml)).toBe(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });
});

describe('xml escaping', () => {
  it.each([
    ['a<b>&c', 'a&lt;b&gt;&amp;c'],
    ['nul\u0000 esc\u001b ok\t\n', 'nul esc ok\t\n'],
    ['lone \uD800 surrogate \uDFFF, pair 😀', 'lone  surrogate , pair 😀'],
    ['\uFFFE\uFFFF\uFFFD', '\uFFFD'],
  ])('xmlText(%j)', (input, want) => {
    expect(xmlText(input)).toBe(want);
  });

  it('attributes keep quotes and line breaks as references', () => {
    expect(xmlAttr('say "hi"\n\tthere\r')).toBe('say &quot;hi&quot;&#10;&#9;there&#13;');
  });
});
