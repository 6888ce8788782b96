/**
 * Review 12, hostile inputs to the features merged in parallel: target names that break
 * Prometheus labels (quotes, backslashes, newlines) in the fleet's openmetrics, a newline or a
 * terminal escape in a typed value (one line, shown escaped), and `diagnose serve` stopped with
 * a real SIGTERM while probes are in flight (they are answered, then exit 0).
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, freePortBesides } from '../../fixtures/daemon.js';
import { startCanned, type HttpFixture } from '../../fixtures/http-api.js';
import { startDnsServer } from '../../fixtures/dns-server.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck } from '../helpers/consumers.js';

const ROOT = join(import.meta.dirname, '..', '..');

let slow: HttpFixture;
let dir: string;
beforeAll(async () => {
  slow = await startCanned({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[]}' }, { delayMs: 1500 });
  dir = mkdtempSync(join(tmpdir(), 'ud-review12-'));
});
afterAll(async () => {
  await slow?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('labels and lines', () => {
  it('fleet openmetrics: targets with quotes, backslashes and an encoded newline stay valid exposition', async () => {
    const a = await freePort();
    const b = await freePortBesides(a);
    const run = await runCli([`http://127.0.0.1:${a}/a"b\\c`, `http://127.0.0.1:${b}/x%0Ay"`, '--format', 'openmetrics', '--timeout', '3s'], { env: cleanEnv() });
    expect(run.code).toBe(11);
    expect(run.stdout).toContain(`target="http://127.0.0.1:${a}/a\\"b\\\\c"`);
    if (hasCommand('promtool')) expect(promtoolCheck(run.stdout)).toEqual({ status: 0, output: '' });
  });

  it.each([
    ['a newline in a target', ['http://127.0.0.1:1/x\ny']],
    ['a terminal escape in a target', ['http://127.0.0.1:1/\u001b[2Jx y']],
    ['a newline in --config', ['--config', 'a\nb.yaml']],
    ['a newline in a serve option', ['serve', '--config', 'x\ny.yaml']],
  ])('%s: one line, shown escaped, exit 2', async (_what, argv) => {
    const run = await runCli(argv, { env: cleanEnv() });
    expect(run.code).toBe(2);
    expect(run.stderr.endsWith('\n')).toBe(true);
    expect(run.stderr.trimEnd().split('\n'), JSON.stringify(run.stderr)).toHaveLength(1);
    expect(run.stderr).not.toContain('\u001b');
  });
});

describe('diagnose serve under a real SIGTERM', () => {
  it('probes in flight are answered, then exit 0', async () => {
    const port = await freePort();
    const cfg = join(dir, 'slow.yaml');
    writeFileSync(cfg, `targets:\n  slow:\n    url: ${slow.url}/v1\n    provider: openai-compatible\n    timeout: 10s\n`);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'diagnose.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--config', cfg], { env: cleanEnv() as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    for (let i = 0; i < 400 && !stderr.includes('listening'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(stderr).toContain('listening');
    const base = `http://127.0.0.1:${port}`;
    const inFlight = [1, 2, 3].map(() => fetch(`${base}/probe?target=slow`).then(async (r) => ({ status: r.status, text: await r.text() })));
    // The three are running when the signal arrives (the server answers slowly).
    for (let i = 0; i < 400; i++) {
      const m = await (await fetch(`${base}/metrics`)).text();
      if (/upstream_doctor_exporter_probes_in_flight 3/.test(m)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.text).toMatch(/^probe_success 1$/m);
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/draining 3 probe\(s\) in flight[\s\S]*stopped/);
  }, 60_000);
});

/** --curl prints dig commands for --resolver; they run with the real dig (bind9-dnsutils) against a loopback DNS server. */
describe.skipIf(!hasCommand('dig'))("--curl's dig commands, run with dig", () => {
  it('ask the --resolver given and get the answer the run saw', async () => {
    const dns = await startDnsServer({ names: { 'api.review12.test': { kind: 'answer', a: ['127.0.0.7'], aaaa: ['::7'] } } });
    try {
      const run = await runCli(['https://api.review12.test/v1', '--resolver', `127.0.0.1:${dns.port}`, '--curl'], { env: cleanEnv() });
      expect(run.code, run.stderr).toBe(0);
      const digs = run.stdout.split('\n').filter((l) => l.startsWith('dig @'));
      expect(digs).toHaveLength(1);
      // Not execFileSync: the DNS fixture answers from this process's event loop.
      const { stdout: out } = await promisify(execFile)('sh', ['-c', digs[0]!], { encoding: 'utf8', timeout: 20_000 });
      expect(out.trim().split('\n')).toEqual(['127.0.0.7', '::7']);
      expect(dns.log.map((q) => q.type).sort()).toEqual(['A', 'AAAA']);
    } finally {
      await dns.close();
    }
  });
});

/** Several targets keep issue 12's guarantees: a signal's exit code, --output written 0600 and checked before the run. */
describe('several targets: signals and --output', () => {
  it('SIGTERM mid-run: partial reports, --output written (0600), exit 143', async () => {
    const { readFileSync, statSync } = await import('node:fs');
    const out = join(dir, 'fleet-term.json');
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('SIGTERM')), 300);
    const closed = await freePort();
    const run = await runCli([`${slow.url}/v1`, `http://127.0.0.1:${closed}/v1`, '--provider', 'openai-compatible', '--json', '--output', out, '--timeout', '10s'], { env: cleanEnv(), interrupt: stop.signal });
    expect(run.code).toBe(143);
    expect(run.reports!.some((r) => r.interrupted)).toBe(true);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { reports: unknown[] };
    expect(written.reports).toHaveLength(2);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('an --output that cannot be written stops the run before any probe: one line, exit 2', async () => {
    const before = slow.requests.length;
    const run = await runCli([`${slow.url}/v1`, `${slow.url}/v2`, '--output', join(dir, 'missing', 'r.json')], { env: cleanEnv() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^diagnose: --output .*: the folder .* does not exist\n$/);
    expect(slow.requests.length).toBe(before);
  });
});
