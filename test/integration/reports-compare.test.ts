/**
 * --compare-direct in every report format, from real runs through the CLI against loopback
 * fixtures, in both directions, each format checked by its real consumer (ajv through runCli,
 * xmllint with the JUnit XSD, promtool, the strict exposition reader).
 *
 * proxy-only: the target name api.test is pinned with --resolve to 127.0.0.9 (loopback, nothing
 * listens: the direct path is refused) while the fixture proxy maps it to the real upstream.
 * direct-only: the proxy refuses every CONNECT (403) while the upstream answers directly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { useCompareFixtures } from '../helpers/compare-fixtures.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';
import { parseExposition, samplesOf } from '../helpers/exposition.js';
import { assertValidReport } from '../helpers/schema.js';

const HAVE_XMLLINT = hasCommand('xmllint');
const HAVE_PROMTOOL = hasCommand('promtool');

const fx = useCompareFixtures();

type Direction = 'proxy-only' | 'direct-only';

interface Scenario {
  argv: string[];
  env: Record<string, string | undefined>;
  proxy: string;
}

function scenario(d: Direction): Scenario {
  const common = ['--ca', TEST_CA_PATH, '--timeout', '5s', '--provider', 'openai-compatible', '--api-key-env', 'TEST_KEY'];
  const key = { TEST_KEY: 'sk-test-0123456789abcdef' };
  if (d === 'proxy-only') {
    const proxy = `http://127.0.0.1:${fx.allow.port}`;
    const argv = [`https://api.test:${fx.upstream.port}/v1`, ...common, '--resolve', `api.test:${fx.upstream.port}:127.0.0.9`];
    return { argv, env: cleanEnv({ ...key, HTTPS_PROXY: proxy }), proxy };
  }
  const proxy = `http://127.0.0.1:${fx.deny.port}`;
  return { argv: [`https://127.0.0.1:${fx.upstream.port}/v1`, ...common, '--proxy', proxy], env: cleanEnv(key), proxy };
}

async function run(d: Direction, extra: string[]): Promise<{ text: string; code: number; report?: Report }> {
  const s = scenario(d);
  const r = await runCli([...s.argv, ...extra], { env: s.env });
  expect(r.stderr).toBe('');
  return { text: r.stdout, code: r.code, report: r.report };
}

const compareRun = (d: Direction, format: string) => run(d, ['--compare-direct', '--format', format]);

describe.each(['proxy-only', 'direct-only'] as const)('--compare-direct, %s', (dir) => {
  // The fixtures are deterministic: every run of a direction yields the same comparison.
  let baseline: Report;
  let c: NonNullable<Report['compare']>;
  const proxyWorks = dir === 'proxy-only';

  beforeAll(async () => {
    const r = await run(dir, ['--compare-direct', '--json']);
    baseline = r.report!;
    c = baseline.compare!;
  });

  it('json: the comparison is in the report, valid against the published schema', () => {
    expect(c).toMatchObject({ outcome: dir, proxy: scenario(dir).proxy });
    expect(c.proxied.verdict === 'failed').toBe(!proxyWorks);
    expect(c.direct.verdict === 'failed').toBe(proxyWorks);
    expect(proxyWorks ? c.direct.rootCause : c.proxied.rootCause).toBe(proxyWorks ? 'TCP_REFUSED' : 'PROXY_REFUSED');
    // A mangled comparison is refused by the same schema (the check can fail).
    const bad = JSON.parse(JSON.stringify(baseline)) as Record<string, any>;
    bad.compare.outcome = 'both';
    expect(() => assertValidReport(bad)).toThrow(/\/compare\/(proxied|direct)\/verdict/);
  });

  it('md: both stage tables side by side, the attribution, and the folded JSON still valid', async () => {
    const { text } = await compareRun(dir, 'md');
    const section = text.slice(text.indexOf('### Through the proxy vs direct'));
    expect(section).not.toBe('');
    expect(section).toContain('| stage | through the proxy | time | summary | direct | time | summary |');
    expect(section).toContain(proxyWorks ? '**Only the path through' : '**Only the direct path works');
    expect(section).toContain(proxyWorks ? '(TCP_REFUSED at the tcp stage)' : '(PROXY_REFUSED at the proxy stage)');
    // Each stage's row holds the two statuses in their own columns.
    const cells = (id: string) => {
      const row = new RegExp(`^\\| ${id} \\| ([^|]+) \\|[^|]*\\|(?:\\\\\\||[^|])*\\| ([^|]+) \\|`, 'm').exec(section);
      return row ? [row[1]!.trim(), row[2]!.trim()] : [];
    };
    if (proxyWorks) expect(cells('tcp')).toEqual(['✅ pass', '❌ fail']);
    else expect([cells('proxy'), cells('tls')]).toEqual([['❌ fail', '⏭️ skip'], ['⏭️ skip', '✅ pass']]);
    for (const s of c.direct.stages) expect(section).toMatch(new RegExp(`^\\| ${s.id} \\|`, 'm'));
    for (const d of c.direct.diagnoses) expect(section).toContain(`\`${d.code}\``);
    const json = /```json\n([\s\S]*?)\n```\n\n<\/details>/.exec(text)![1]!;
    const folded = JSON.parse(json) as Report;
    assertValidReport(folded);
    expect(folded.compare!.outcome).toBe(dir);
  });

  it.skipIf(!HAVE_XMLLINT)('junit: a second testsuite "direct" with its own testcases; xmllint accepts it', async () => {
    const { text, code } = await compareRun(dir, 'junit');
    const lint = xmllintJunit(text);
    expect(lint.output).toContain('validates');
    expect(lint.status).toBe(0);
    const suites = [...text.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"[\s\S]*?<\/testsuite>/g)];
    expect(suites.map((m) => m[1])).toEqual([`upstream-doctor ${baseline.target.url}`, 'direct']);
    const [main, direct] = suites.map((m) => ({ xml: m[0], tests: +m[2]!, bad: +m[3]! + +m[4]! }));
    expect(main!.xml).toContain(`<property name="exitCode" value="${code}"/>`);
    expect(main!.xml).toContain(`<property name="compareOutcome" value="${dir}"/>`);
    expect(direct!.tests).toBe(c.direct.stages.length);
    expect(direct!.bad > 0).toBe(proxyWorks);
    expect(main!.bad > 0).toBe(!proxyWorks);
    const classname = `upstream-doctor.direct.${baseline.target.host}`;
    expect(direct!.xml.match(new RegExp(`<testcase [^>]*classname="${classname.replace(/\./g, '\\.')}"`, 'g'))).toHaveLength(c.direct.stages.length);
    if (proxyWorks) expect(direct!.xml).toMatch(/<testcase name="tcp"[^>]*><failure type="TCP_REFUSED"/);
    else expect(main!.xml).toMatch(/<testcase name="proxy"[^>]*><failure type="PROXY_REFUSED"/);
    // The outer counts add up both suites.
    expect(Number(/<testsuites [^>]*tests="(\d+)"/.exec(text)![1])).toBe(main!.tests + direct!.tests);
  });

  it.skipIf(!HAVE_PROMTOOL)('openmetrics: compare families say which path works; promtool accepts it', async () => {
    const { text } = await compareRun(dir, 'openmetrics');
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    const e = parseExposition(text);
    const success = Object.fromEntries(samplesOf(e, 'upstream_doctor_compare_success').map((s) => [s.labels.path, s.value]));
    expect(success).toEqual(proxyWorks ? { proxy: 1, direct: 0 } : { proxy: 0, direct: 1 });
    expect(samplesOf(e, 'upstream_doctor_compare_outcome').map((s) => s.labels)).toEqual([{ target: baseline.target.url, outcome: dir, proxy: c.proxy }]);
    const status = Object.fromEntries(samplesOf(e, 'upstream_doctor_compare_stage_status').map((s) => [s.labels.stage, s.labels.status]));
    expect(status).toEqual(Object.fromEntries(c.direct.stages.map((s) => [s.id, s.status])));
    expect(status[proxyWorks ? 'tcp' : 'tls']).toBe(proxyWorks ? 'fail' : 'pass');
    expect(samplesOf(e, 'upstream_doctor_compare_diagnosis').map((s) => s.labels.code).sort()).toEqual([...new Set(c.direct.diagnoses.map((d) => d.code))].sort());
    // The proxied run's own series read as they always do.
    expect(samplesOf(e, 'probe_success')).toEqual([{ name: 'probe_success', labels: { target: baseline.target.url }, value: proxyWorks ? 1 : 0 }]);

    // Without --compare-direct the same path gives the same series minus the compare ones (and
    // minus the attribution's PROXY_REQUIRED, which only the comparison can find).
    const plain = parseExposition((await run(dir, ['--format', 'openmetrics'])).text);
    const series = (x: typeof e) =>
      x.samples
        .filter((s) => !s.name.startsWith('upstream_doctor_compare_') && s.labels.code !== 'PROXY_REQUIRED')
        .map((s) => `${s.name}{${Object.keys(s.labels).sort().join(',')}}`)
        .sort();
    expect(plain.samples.some((s) => s.name.startsWith('upstream_doctor_compare_'))).toBe(false);
    expect(series(e)).toEqual(series(plain));
  });

  it('github: exactly one notice saying which path works, and a stage group for each path', async () => {
    const { text } = await compareRun(dir, 'github');
    const notices = text.split('\n').filter((l) => l.startsWith('::notice title=compare-direct'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`::notice title=compare-direct%3A ${dir}::`);
    expect(notices[0]).toContain(proxyWorks ? 'Only the path through' : 'Only the direct path works');
    const annotations = text.split('\n').filter((l) => /^::(error|warning|notice) /.test(l));
    expect(annotations).toHaveLength(baseline.diagnoses.length + 1);
    expect(text.match(/^::group::/gm)).toHaveLength(2);
    expect(text).toContain('without the proxy');
  });

  it('human: the block names both sides and what that means', async () => {
    const { text } = await compareRun(dir, 'human');
    expect(text).toContain(`through ${c.proxy}: ${c.proxied.verdict}`);
    expect(text).toContain(`direct: ${c.direct.verdict}`);
    expect(text).toContain(proxyWorks ? 'Only the path through' : 'Only the direct path works');
  });
});
