/**
 * Every report format, produced by real runs against loopback fixtures (healthy over TLS with the
 * test CA, refused, expired certificate) and by in-memory reports with hostile text, checked by
 * its real consumer: ajv (the published schema), xmllint (a JUnit XSD), promtool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/tcp-servers.js';
import { startTlsServer, TEST_CA_PATH, type TlsFixture } from '../../fixtures/tls-server.js';
import type { Fixture } from '../../fixtures/types.js';
import { RENDERERS } from '../../src/render/index.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';
import { parseExposition, samplesOf } from '../helpers/exposition.js';
import { buildReport, failingReport, healthyReport } from '../helpers/reports.js';
import { assertValidReport } from '../helpers/schema.js';

const HAVE_XMLLINT = hasCommand('xmllint');
const HAVE_PROMTOOL = hasCommand('promtool');

let healthy: TlsFixture;
let expired: TlsFixture;
let refused: Fixture;

beforeAll(async () => {
  healthy = await startTlsServer({ cert: 'valid' });
  expired = await startTlsServer({ cert: 'expired' });
  refused = await closedPort();
});

afterAll(async () => {
  await Promise.all([healthy?.close(), expired?.close(), refused?.close()]);
});

type Case = 'healthy' | 'refused' | 'expired';

function targetArgs(c: Case): string[] {
  const common = ['--provider', 'openai-compatible', '--api-key-env', 'TEST_KEY', '--timeout', '5s', '--ca', TEST_CA_PATH];
  const port = c === 'healthy' ? healthy.port : c === 'expired' ? expired.port : refused.port;
  return [`https://127.0.0.1:${port}/v1`, ...common];
}

const KEY_ENV = () => cleanEnv({ TEST_KEY: 'sk-test-0123456789abcdef' });

/** The run's report through --json (checked against the schema by runCli). */
async function jsonRun(c: Case): Promise<Report> {
  const run = await runCli([...targetArgs(c), '--json'], { env: KEY_ENV() });
  expect(run.report, run.stderr).toBeDefined();
  expect(run.code).toBe(run.report!.exitCode);
  return run.report!;
}

/** A run with --format f: what it printed and its exit code (the same code the report holds). */
async function formatRun(c: Case, format: string): Promise<{ text: string; code: number }> {
  const run = await runCli([...targetArgs(c), '--format', format], { env: KEY_ENV() });
  expect(run.stderr).toBe('');
  return { text: run.stdout, code: run.code };
}

const CASES: Case[] = ['healthy', 'refused', 'expired'];
const codes = (r: Report) => r.diagnoses.map((d) => d.code).sort();

describe.each(CASES)('a %s run', (c) => {
  // The fixtures are deterministic: every run of a case yields the same diagnoses.
  let baseline: Report;
  beforeAll(async () => {
    baseline = await jsonRun(c);
  });

  it('json: valid against the published schema, and the run is what the fixture makes it', () => {
    const tls = baseline.stages.find((s) => s.id === 'tls')!;
    if (c === 'refused') expect(baseline.rootCause).toBe('TCP_REFUSED');
    if (c === 'expired') expect(codes(baseline)).toContain('TLS_CERT_EXPIRED');
    if (c === 'healthy') {
      expect(tls.status).toBe('pass');
      // Tool bugs aside (stages still being built), a healthy path has no error.
      if (!baseline.internalErrors) expect(baseline.verdict).not.toBe('failed');
    }
  });

  it.skipIf(!HAVE_XMLLINT)('junit: xmllint accepts it against the JUnit XSD', async () => {
    const { text, code } = await formatRun(c, 'junit');
    const lint = xmllintJunit(text);
    expect(lint.output).toContain('validates');
    expect(lint.status).toBe(0);
    expect(text.match(/<testcase /g)?.length).toBeGreaterThanOrEqual(baseline.stages.length);
    expect(text).toContain(`<property name="exitCode" value="${code}"/>`);
    const failures = Number(/<testsuite [^>]*failures="(\d+)"/.exec(text)![1]);
    const errors = Number(/<testsuite [^>]*errors="(\d+)"/.exec(text)![1]);
    expect(failures > 0 || errors > 0).toBe(baseline.verdict === 'failed');
    for (const s of baseline.stages.filter((x) => x.status === 'skip')) {
      expect(text).toMatch(new RegExp(`<testcase name="${s.id}"[^>]*><skipped `));
    }
  });

  it.skipIf(!HAVE_PROMTOOL)('openmetrics: promtool accepts it, and the values are the report', async () => {
    const { text, code } = await formatRun(c, 'openmetrics');
    const check = promtoolCheck(text);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
    const e = parseExposition(text);
    expect(samplesOf(e, 'probe_success')[0]!.value).toBe(baseline.verdict === 'failed' ? 0 : 1);
    expect(samplesOf(e, 'probe_diagnosis').map((s) => s.labels.code).sort()).toEqual(codes(baseline));
    expect(samplesOf(e, 'upstream_doctor_exit_code')[0]!.value).toBe(code);
    if (c !== 'refused') {
      // The fixture's certificate is in the report's TLS data, so its expiry is in the metrics.
      const expiry = samplesOf(e, 'probe_ssl_earliest_cert_expiry')[0]!.value;
      const now = Date.now() / 1000;
      expect(c === 'expired' ? expiry < now : expiry > now).toBe(true);
      expect(samplesOf(e, 'probe_http_duration_seconds').map((s) => s.labels.phase)).toEqual(expect.arrayContaining(['connect', 'tls']));
    }
  });

  it('md: the ticket names the verdict, every stage and every diagnosis, and folds a valid JSON report', async () => {
    const { text, code } = await formatRun(c, 'md');
    expect(text).toContain(`exit code ${code}`);
    // The egress address is known once a connection was made.
    if (c !== 'refused') expect(text).toContain('egress address `127.0.0.1`');
    for (const s of baseline.stages) expect(text).toMatch(new RegExp(`^\\| ${s.id} \\|`, 'm'));
    for (const d of baseline.diagnoses) expect(text).toContain(`\`${d.code}\``);
    const json = /```json\n([\s\S]*?)\n```\n\n<\/details>/.exec(text)![1]!;
    const folded = JSON.parse(json) as Report;
    assertValidReport(folded);
    expect(folded.exitCode).toBe(code);
    expect(codes(folded)).toEqual(codes(baseline));
  });

  it('github: one annotation per diagnosis, errors as ::error', async () => {
    const { text } = await formatRun(c, 'github');
    const annotations = text.split('\n').filter((l) => /^::(error|warning|notice) /.test(l));
    const bugs = baseline.internalErrors?.length ?? 0;
    expect(annotations).toHaveLength(baseline.diagnoses.length + bugs);
    expect(annotations.filter((l) => l.startsWith('::error ')).length).toBe(baseline.diagnoses.filter((d) => d.severity === 'error').length + bugs);
    for (const d of baseline.diagnoses) expect(text).toContain(`title=${d.code} (${d.stage}`);
  });
});

describe('in-memory reports with hostile server text', () => {
  const reports: Array<[string, Report]> = [
    ['healthy', healthyReport()],
    ['failing', failingReport()],
    ['strict', buildReport({ strict: true, findings: [{ code: 'CLOCK_SKEW', stage: 'http', evidence: ['<b>95 s</b>'] }] })],
    ['tool bug', buildReport({ internalErrors: [{ stage: 'tool', message: 'RangeError: \u0000<oops>' }, { stage: 'tls', message: 'x' }] })],
    ['interrupted', buildReport({ interrupted: true })],
  ];

  it.skipIf(!HAVE_XMLLINT).each(reports)('junit of a %s report passes xmllint', (_n, r) => {
    const lint = xmllintJunit(RENDERERS.junit!(r, { color: false }));
    expect(lint.output).toContain('validates');
    expect(lint.status).toBe(0);
  });

  it.skipIf(!HAVE_PROMTOOL).each(reports)('openmetrics of a %s report passes promtool', (_n, r) => {
    const text = RENDERERS.openmetrics!(r, { color: false });
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    expect(() => parseExposition(text)).not.toThrow();
  });

  it.each(reports)('json of a %s report matches the schema', (_n, r) => {
    expect(() => assertValidReport(JSON.parse(RENDERERS.json!(r, { color: false })))).not.toThrow();
  });

  it.skipIf(!HAVE_PROMTOOL)('promtool does reject a broken exposition (the check can fail)', () => {
    expect(promtoolCheck('# TYPE x_milliseconds gauge\nx_milliseconds{a="b} 1\n').status).not.toBe(0);
  });

  it.skipIf(!HAVE_XMLLINT)('xmllint does reject a testcase with two outcomes (the check can fail)', () => {
    const xml = RENDERERS.junit!(failingReport(), { color: false }).replace('<failure ', '<skipped message="x"/><failure ');
    expect(xmllintJunit(xml).status).not.toBe(0);
  });
});
