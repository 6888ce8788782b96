/**
 * The exporter under load: `diagnose serve` (the built CLI, a child process) probed at a fixed
 * rate (default 50 probes per second, open loop: a request leaves every 20 ms whether or not the
 * earlier ones answered) for a fixed time (default 60 s), against a healthy loopback API and a
 * closed port (one probe in five). It reports the rate held, the probe latency, and the resident
 * memory of the exporter over the run (flat means: the last ten seconds' average within 20 % of
 * the first ten seconds' after warm-up). Exit 1 when the rate or the memory goal is missed.
 *
 *   npm run bench:serve                         # 60 s at 50/s
 *   BENCH_SERVE_SECONDS=10 npm run bench:serve  # a shorter run
 *   BENCH_SERVE_RATE=100 ...                    # another rate
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../fixtures/daemon.js';
import { startOpenAiCompatible } from '../fixtures/http-api.js';
import { BIN } from './child.js';

const KEY = 'sk-bench-serve-3f9a0c1d2e4b5a6978';

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function serveBench(): Promise<number> {
  const seconds = Number(process.env.BENCH_SERVE_SECONDS ?? 60);
  const rate = Number(process.env.BENCH_SERVE_RATE ?? 50);
  const api = await startOpenAiCompatible({ key: KEY });
  const closed = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'ud-bench-serve-'));
  const config = join(dir, 'targets.yaml');
  await writeFile(config, ['defaults:', '  provider: openai-compatible', '  api-key-env: BENCH_KEY', 'targets:', `  healthy: ${api.url}/v1`, `  closed: http://127.0.0.1:${closed}/v1`, ''].join('\n'));
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', `127.0.0.1:${port}`, '--config', config, '--max-in-flight', '64'], {
    env: { PATH: process.env.PATH, BENCH_KEY: KEY },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForPort(port, { child, timeoutMs: 20_000 });
  const base = `http://127.0.0.1:${port}`;

  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const rss: Array<{ at: number; kb: number }> = [];
  const t0 = performance.now();
  const sampler = setInterval(() => rss.push({ at: (performance.now() - t0) / 1000, kb: rssKb(child.pid!) }), 1000);
  const pending: Array<Promise<void>> = [];
  const total = Math.round(seconds * rate);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const target = i % 5 === 4 ? 'closed' : 'healthy';
    const start = performance.now();
    pending.push(
      fetch(`${base}/probe?target=${target}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } })
        .then(async (res) => {
          const body = await res.text();
          const ok = res.status === 200 && body.includes(`probe_success ${target === 'healthy' ? 1 : 0}`);
          const key = ok ? 'ok' : `${res.status}${res.status === 200 ? ' wrong probe_success' : ''}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          latencies.push(performance.now() - start);
        })
        .catch((e: unknown) => {
          const key = `error ${(e as { cause?: { code?: string } }).cause?.code ?? String(e)}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }),
    );
  }
  const sent = (performance.now() - t0) / 1000;
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await api.close();
  await rm(dir, { recursive: true, force: true });

  const sorted = [...latencies].sort((a, b) => a - b);
  const ok = statuses.get('ok') ?? 0;
  // Memory after warm-up: the first ten seconds after the first five, against the last ten.
  const warm = rss.filter((s) => s.at >= 5 && s.at < 15).map((s) => s.kb);
  const last = rss.filter((s) => s.at >= elapsed - 10).map((s) => s.kb);
  const growth = avg(last) / Math.max(1, avg(warm));
  const held = ok / elapsed;
  const lines = [
    `diagnose serve under load: ${total} probes in ${sent.toFixed(1)} s sent (${rate}/s asked), all answered after ${elapsed.toFixed(1)} s`,
    `  answers: ${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  rate held: ${held.toFixed(1)} correct probes/s (${((held / rate) * 100).toFixed(0)} % of the asked rate)`,
    `  probe latency: p50 ${pct(sorted, 50).toFixed(1)} ms, p90 ${pct(sorted, 90).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
    `  exporter RSS: ${(avg(warm) / 1024).toFixed(1)} MB after warm-up (5-15 s), ${(avg(last) / 1024).toFixed(1)} MB in the last 10 s (x${growth.toFixed(2)}), peak ${(Math.max(...rss.map((s) => s.kb)) / 1024).toFixed(1)} MB`,
    `  exporter's own count: ${/upstream_doctor_exporter_probe_duration_seconds_count (\d+)/.exec(metrics)?.[1] ?? '?'} probes`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const rateMet = ok === total && held >= rate * 0.95;
  const memoryFlat = warm.length === 0 || growth <= 1.2;
  if (!rateMet) process.stdout.write('  GOAL MISSED: not every probe answered correctly at the asked rate\n');
  if (!memoryFlat) process.stdout.write('  GOAL MISSED: memory grew more than 20 % after warm-up\n');
  return rateMet && memoryFlat ? 0 : 1;
}
