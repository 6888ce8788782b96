/**
 * A real Prometheus scrapes `diagnose serve` the way blackbox users configure it (relabelling
 * __address__ into the target parameter), and its HTTP API returns probe_success 1 for a healthy
 * loopback API and 0 for a closed port. Also: promtool accepts the README's scrape configuration,
 * and the example alerting rules pass their `promtool test rules` tests.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../fixtures/built-cli.js';
import { freePort, freePortBesides, removeDir, startDaemon, startInDir, tempDir, waitForPort, type Daemon } from '../../fixtures/daemon.js';
import { startOpenAiCompatible, type HttpFixture } from '../../fixtures/http-api.js';
import { hasCommand } from '../helpers/consumers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples', 'prometheus');
const KEY = 'sk-prometheus-test-key-0123456789';

/** The README's scrape configuration (the yaml block after `<!-- prometheus-example -->`). */
async function readmeScrapeConfig(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- prometheus-example -->\n```yaml\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README has no prometheus example');
  return m[1]!;
}

describe.skipIf(!hasCommand('promtool'))('promtool over the README and the example rules', () => {
  it('promtool check config accepts the README example', async () => {
    const dir = await tempDir('promcfg');
    try {
      await writeFile(join(dir, 'prometheus.yml'), await readmeScrapeConfig());
      await copyFile(join(EXAMPLES, 'upstream-doctor.rules.yml'), join(dir, 'upstream-doctor.rules.yml'));
      const r = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
      expect(r.status).toBe(0);
    } finally {
      await removeDir(dir);
    }
  });

  it('promtool test rules: failing for 5 minutes fires, absent series fires', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'upstream-doctor.rules.test.yml'], { cwd: EXAMPLES, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!hasCommand('prometheus'))('a real Prometheus scrapes diagnose serve', () => {
  let api: HttpFixture;
  let dir: string;
  let serve: Daemon;
  let prometheus: Daemon;
  let promPort: number;

  beforeAll(async () => {
    api = await startOpenAiCompatible({ key: KEY });
    const closed = await freePort();
    dir = await tempDir('prom');
    const bin = await buildCli('serve-prometheus');
    const servePort = await freePortBesides(closed);
    await writeFile(
      join(dir, 'targets.yaml'),
      ['defaults:', '  provider: openai-compatible', '  api-key-file: key.txt', 'targets:', `  healthy: ${api.url}/v1`, `  failing: http://127.0.0.1:${closed}/v1`, 'modules:', '  quick:', '    timeout: 2s', ''].join('\n').replace('key.txt', join(dir, 'key.txt')),
    );
    await writeFile(join(dir, 'key.txt'), `${KEY}\n`);
    serve = startDaemon(process.execPath, [bin, 'serve', '--listen', `127.0.0.1:${servePort}`, '--config', join(dir, 'targets.yaml')]);
    await waitForPort(servePort, { child: serve.child, timeoutMs: 20_000 });

    // The README's shape, with a 1 s interval and this test's addresses.
    const scrape = (await readmeScrapeConfig())
      .replace('scrape_interval: 30s', 'scrape_interval: 1s')
      .replace('scrape_timeout: 20s', 'scrape_timeout: 1s')
      .replace(/rule_files:\n  - upstream-doctor.rules.yml\n/, '')
      .replace('[openai, azure, gateway]', '[healthy, failing]')
      .replaceAll('127.0.0.1:9115', `127.0.0.1:${servePort}`);
    await writeFile(join(dir, 'prometheus.yml'), scrape);
    promPort = await freePortBesides(closed, servePort);
    prometheus = await startInDir(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { name: 'prometheus', dir: join(dir, 'data'), port: promPort, timeoutMs: 30_000, explain: (d) => d.output().slice(-2000) },
    );
  }, 240_000);

  afterAll(async () => {
    await prometheus?.stop();
    await serve?.stop();
    await api?.close();
    if (dir) await removeDir(dir);
  });

  async function query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    expect(body.status).toBe('success');
    return body.data.result;
  }

  /** Query until `n` series answer (Prometheus spreads the first scrapes over the interval). */
  async function waitFor(q: string, n: number): Promise<Awaited<ReturnType<typeof query>>> {
    let result: Awaited<ReturnType<typeof query>> = [];
    for (let i = 0; i < 300 && result.length < n; i++) {
      result = await query(q);
      if (result.length < n) await new Promise((r) => setTimeout(r, 100));
    }
    return result;
  }

  it('its API returns probe_success 1 for the healthy target and 0 for the failing one', async () => {
    const result = await waitFor('probe_success{job="upstream-doctor"}', 2);
    const byInstance = Object.fromEntries(result.map((r) => [r.metric.instance, r.value[1]]));
    expect(byInstance).toEqual({ healthy: '1', failing: '0' });
    const diagnosis = await query('upstream_doctor_diagnosis{job="upstream-doctor"}');
    expect(diagnosis.map((d) => [d.metric.instance, d.metric.code])).toContainEqual(['failing', 'TCP_REFUSED']);
    const up = await waitFor('up{job="upstream-doctor-exporter"}', 1);
    expect(up.map((u) => u.value[1])).toEqual(['1']);
    expect(serve.output()).not.toContain(KEY);
  }, 60_000);

  it('SIGTERM ends the exporter cleanly (exit 0) while Prometheus keeps scraping it', async () => {
    const exited = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)));
    serve.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(serve.output()).toContain('diagnose serve: stopped');
  }, 30_000);
});
