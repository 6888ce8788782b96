/**
 * Every format carries the sample summary, checked by its real consumer (ajv through runCli,
 * xmllint with the JUnit XSD, promtool); bad sampling options; Ctrl-C; --capture with and without tcpdump.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaky, thirtyPercent, type FlakyFixture } from '../../fixtures/flaky-servers.js';
import { readPcap } from '../../src/sample/capture.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';

const KEY = 'sk-test-4f9c2b7d1e8a6c3f5b0d9e2a7c4f1b8d';
const env = (extra: Record<string, string | undefined> = {}) => cleanEnv({ OPENAI_API_KEY: KEY, ...extra });

let f: FlakyFixture;
beforeAll(async () => {
  f = await startFlaky({ reset: thirtyPercent });
});
afterAll(() => f.close());
const args = (...more: string[]) => [`${f.url}/v1`, '--provider', 'openai-compatible', '--repeat', '20', '--interval', '10ms', ...more];

describe('every format shows the sample summary', () => {
  it('human: the strip with R marks, the rate line and the percentile table', async () => {
    const run = await runCli(args());
    expect(run.code).toBe(14);
    expect(run.stdout).toMatch(/samples\n {2}\d+ of 20 samples failed \(\d+ %, 95 % CI \d+-\d+ %\) over /);
    const strip = /\n {2}([▁Rr]{20})\n/.exec(run.stdout)?.[1];
    expect(strip, run.stdout).toBeDefined();
    expect(strip).toMatch(/[Rr]/);
    expect(strip).toMatch(/▁/);
    expect(run.stdout).toMatch(/phase\s+p50\s+p90\s+p99\s+max/);
    expect(run.stdout).toMatch(/\n {2}total\s+[\d.]+/);
    expect(run.stdout).toContain('INTERMITTENT_FAILURES');
  });

  it('md: a Samples section with the failing codes and the phase table', async () => {
    const run = await runCli(args('--format', 'md'));
    expect(run.stdout).toContain('### Samples');
    expect(run.stdout).toMatch(/\| `RESET_BEFORE_HEADERS` \| \d+ \|/);
    expect(run.stdout).toMatch(/\| total \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
  });

  it.skipIf(!hasCommand('xmllint'))('junit: a samples suite with one testcase per outcome, valid against the XSD', async () => {
    const run = await runCli(args('--format', 'junit'));
    const v = xmllintJunit(run.stdout);
    expect(v.status, v.output).toBe(0);
    expect(run.stdout).toMatch(/<testsuite name="samples"/);
    expect(run.stdout).toMatch(/<testcase name="passed: \d+ of 20 samples"/);
    expect(run.stdout).toMatch(/<testcase name="RESET_BEFORE_HEADERS: \d+ of 20 samples"[^>]*><failure type="RESET_BEFORE_HEADERS"/);
  });

  it.skipIf(!hasCommand('promtool'))('openmetrics: failure ratio and a phase summary, accepted by promtool', async () => {
    const run = await runCli(args('--format', 'openmetrics'));
    const v = promtoolCheck(run.stdout);
    expect(v.status, v.output).toBe(0);
    expect(run.stdout).toMatch(/^upstream_doctor_samples_failure_ratio\{target="[^"]+"\} 0\.\d+$/m);
    expect(run.stdout).toMatch(/^# TYPE upstream_doctor_sample_phase_seconds summary$/m);
    expect(run.stdout).toMatch(/^upstream_doctor_sample_phase_seconds\{target="[^"]+",phase="total",quantile="0\.99"\} [\d.]+$/m);
    expect(run.stdout).toMatch(/^upstream_doctor_sample_phase_seconds_count\{target="[^"]+",phase="total"\} 20$/m);
    expect(run.stdout).toMatch(/^upstream_doctor_samples_failed_by_code\{target="[^"]+",code="RESET_BEFORE_HEADERS"\} \d+$/m);
  });

  it('github: an error annotation for INTERMITTENT_FAILURES and a notice with the summary', async () => {
    const run = await runCli(args('--format', 'github'));
    expect(run.stdout).toMatch(/^::error title=INTERMITTENT_FAILURES/m);
    expect(run.stdout).toMatch(/^::notice title=upstream-doctor samples%3A \d+ of 20 failed::\d+ of 20 samples failed/m);
  });
});

describe('bad sampling options: one line, exit 2', () => {
  for (const bad of [
    ['--repeat', '0'],
    ['--repeat', '1e9'],
    ['--repeat', '10001'],
    ['--concurrency', '100', '--repeat', '2'],
    ['--interval', '-1s', '--repeat', '2'],
    ['--duration', 'soon'],
    ['--max-failure-rate', '1.5', '--repeat', '2'],
    ['--reuse'],
    ['--capture', ''],
  ]) {
    it(bad.join(' '), async () => {
      const run = await runCli(['127.0.0.1:9', ...bad]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^diagnose: --/);
    });
  }
});

describe('Ctrl-C during sampling', () => {
  it('the partial summary of the samples taken so far, exit 130', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 700);
    const run = await runCli(args('--repeat', '10000', '--interval', '50ms', '--json').filter((a, i, all) => !(a === '20' && all[i - 1] === '--repeat') && !(a === '--repeat' && all[i + 1] === '20')), { env: env(), interrupt: ac.signal });
    const r = run.report!;
    expect(run.code).toBe(130);
    expect(r.interrupted).toBe(true);
    expect(r.exitCode).toBe(130);
    expect(r.samples!.count).toBeGreaterThan(0);
    expect(r.samples!.count).toBeLessThan(10000);
    expect(r.samples!.timeline).toHaveLength(r.samples!.count);
  });
});

describe('--capture', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ud-capture-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasCommand('tcpdump') || process.getuid?.() !== 0)('with sampling: keeps the failing samples\' packets, names the file and filter', async () => {
    const file = join(dir, 'run.pcap');
    const run = await runCli(args('--capture', file, '--json'), { env: env({ PATH: `${process.env.PATH}:/usr/sbin:/sbin` }) });
    const c = run.report!.capture!;
    expect(c, run.stderr).toMatchObject({ file, kept: 'failing-samples', filter: `tcp and ((host 127.0.0.1 and port ${f.port}))` });
    expect(c.packets).toBeGreaterThan(0);
    const pcap = readPcap(readFileSync(file))!;
    expect(pcap.packets).toHaveLength(c.packets);
  });

  it.skipIf(!hasCommand('tcpdump') || process.getuid?.() !== 0)('a single run: all its packets', async () => {
    const file = join(dir, 'single.pcap');
    const run = await runCli([`${f.url}/v1`, '--provider', 'openai-compatible', '--capture', file, '--json'], { env: env({ PATH: `${process.env.PATH}:/usr/sbin:/sbin` }) });
    expect(run.report!.capture).toMatchObject({ file, kept: 'all' });
    // A connect, a request and an answer at least (handshake, data, FIN).
    expect(run.report!.capture!.packets).toBeGreaterThanOrEqual(6);
  });

  it('without tcpdump on PATH: a warning, and the run goes on', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    // Only sh, so the lookup itself works; no tcpdump.
    if (!existsSync(join(bin, 'sh'))) symlinkSync('/bin/sh', join(bin, 'sh'));
    const file = join(dir, 'none.pcap');
    const run = await runCli([`${f.url}/v1`, '--provider', 'openai-compatible', '--repeat', '3', '--interval', '10ms', '--capture', file, '--json'], { env: env({ PATH: bin }) });
    expect(run.report!.samples!.count).toBe(3);
    expect(run.report!.capture).toMatchObject({ packets: 0 });
    expect(run.report!.capture!.warning).toMatch(/tcpdump is not installed/);
    expect(run.stderr).toMatch(/^diagnose: warning: --capture: tcpdump is not installed/m);
    expect(existsSync(file)).toBe(false);
  });
});
