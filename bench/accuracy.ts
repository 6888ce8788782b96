/**
 * Timing accuracy: servers on loopback that inject a known delay at one point of the exchange and
 * record, on their own clock, how long they really held it (the truth). The CLI's JSON report
 * must give the same figure: the server wait of the http stage, the TLS handshake, the DNS
 * answer time of a --resolver, the gaps between SSE events. Judged on the median difference over
 * the repetitions (the machine is shared: one run can be descheduled at the wrong moment).
 */
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import dnsPacket from 'dns-packet';
import { afterRequestHead } from '../fixtures/http-scripted.js';
import { listenFixture } from '../fixtures/listen.js';
import { loadCert, TEST_CA_PATH } from '../fixtures/tls-server.js';
import type { Fixture } from '../fixtures/types.js';
import { runChild } from './child.js';
import type { SpeedGoals as Goals } from './goals.js';
import { percentile } from './judge.js';
import { BENCH_KEY } from './scenarios.js';

export interface AccuracyResult {
  id: string;
  what: string;
  /** The delay the server was told to inject, ms. */
  injectedMs: number;
  /** Median of what the report said, and of what the server measured, ms. */
  reportedP50: number;
  truthP50: number;
  /** Median of (reported - truth) over the runs, ms. */
  diffP50: number;
  /** The most the difference may be (absolute), ms. */
  toleranceMs: number;
  ok: boolean;
  runs: Array<{ reported?: number; truth?: number; code: number | null }>;
  note?: string;
}

interface Probe {
  args: string[];
  /** The server's own measure of what it injected in the last run (ms), then cleared. */
  truth(): number | undefined;
  /** The report's figure. */
  reported(report: Record<string, unknown>): number | undefined;
  close(): Promise<void>;
}

type Stage = { id: string; data?: Record<string, unknown> };
const stage = (r: Record<string, unknown>, id: string) => (r.stages as Stage[] | undefined)?.find((s) => s.id === id)?.data;
const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', OPENAI_API_KEY: BENCH_KEY };

/** A plain http API whose every answer comes `holdMs` after the request's head was read. */
async function heldServer(holdMs: number): Promise<Probe> {
  let last: number | undefined;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    afterRequestHead(socket, () => {
      const t0 = performance.now();
      setTimeout(() => {
        last = performance.now() - t0;
        const body = '{"object":"list","data":[{"id":"tiny-model","object":"model"}]}';
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      }, holdMs);
    });
  });
  const f = await listenFixture(server);
  return {
    args: [`http://127.0.0.1:${f.port}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '3s'],
    truth: () => last,
    reported: (r) => (stage(r, 'http')?.timings as { firstByte?: number } | undefined)?.firstByte,
    close: f.close,
  };
}

/** A TLS server behind a relay that holds the server's first flight (ServerHello..Finished) `delayMs`. */
async function slowHandshake(delayMs: number): Promise<Probe> {
  const tlsServer = createTlsServer({ ...loadCert('valid'), ALPNProtocols: ['http/1.1'] }, (tls) => {
    tls.on('error', () => undefined);
    afterRequestHead(tls as unknown as Socket, () => tls.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}'));
  });
  tlsServer.on('tlsClientError', () => undefined);
  const inner = await listenFixture(tlsServer, { scheme: 'https' });
  let last: number | undefined;
  const relay = createServer((client) => {
    const up = connect(inner.port, '127.0.0.1');
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.pipe(up);
    let first = true;
    up.on('data', (d: Buffer) => {
      if (!first) return void client.write(d);
      first = false;
      up.pause();
      const t0 = performance.now();
      setTimeout(() => {
        last = performance.now() - t0;
        client.write(d);
        up.resume();
      }, delayMs);
    });
    up.on('end', () => client.end());
  });
  const outer = await listenFixture(relay);
  return {
    args: [`https://localhost:${outer.port}/v1`, '--resolve', `localhost:${outer.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--provider', 'openai-compatible', '--json', '--timeout', '3s'],
    // The relay's hold is injected on top of a real loopback handshake (a few ms of crypto): the truth is the hold.
    truth: () => last,
    reported: (r) => (stage(r, 'tls')?.timings as { handshake?: number } | undefined)?.handshake,
    close: async () => {
      await outer.close();
      await inner.close();
    },
  };
}

/** A DNS server on loopback (UDP) that answers `localhost` A 127.0.0.1 (AAAA: no data) after `delayMs`. */
async function slowDns(delayMs: number, target: Fixture): Promise<Probe> {
  const sock = createSocket('udp4');
  let last: number | undefined;
  sock.on('message', (msg, rinfo) => {
    const t0 = performance.now();
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    setTimeout(() => {
      if (question.type === 'A') last = performance.now() - t0;
      const answers = question.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '127.0.0.1' }] : [];
      sock.send(dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), rinfo.port, rinfo.address);
    }, delayMs);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  return {
    // localhost is in the hosts file: the system lookup stays on the machine, the --resolver is the fixture.
    args: [`https://localhost:${target.port}/v1`, '--resolver', `127.0.0.1:${port}`, '--ca', TEST_CA_PATH, '--provider', 'openai-compatible', '--json', '--timeout', '3s'],
    truth: () => last,
    reported: (r) => (stage(r, 'dns')?.queries as Array<{ type?: string; ms?: number }> | undefined)?.find((q) => q.type === 'A')?.ms,
    close: async () => {
      sock.close();
    },
  };
}

/** An OpenAI-style SSE server: `events` chunks `periodMs` apart, each write's time recorded. */
async function sseGaps(periodMs: number, events = 10): Promise<Probe> {
  let gaps: number[] = [];
  const server = createHttpServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"tiny-model","object":"model"}]}');
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      const times: number[] = [];
      let n = 0;
      const send = () => {
        const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'tiny-model', choices: [{ index: 0, delta: { content: `t${n}` }, finish_reason: null }] };
        times.push(performance.now());
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        if (++n < events) setTimeout(send, periodMs);
        else {
          res.end('data: [DONE]\n\n');
          gaps = times.slice(1).map((t, i) => t - times[i]!);
        }
      };
      setTimeout(send, periodMs);
    });
  });
  const f = await listenFixture(server);
  return {
    args: [`http://127.0.0.1:${f.port}/v1`, '--provider', 'openai-compatible', '--stream', '--model', 'tiny-model', '--json', '--timeout', '3s'],
    // The server's median gap between its writes of content events (the [DONE] goes with the last one).
    truth: () => (gaps.length ? percentile(gaps, 50) : undefined),
    reported: (r) => (stage(r, 'stream')?.gaps as { medianMs?: number } | undefined)?.medianMs,
    close: f.close,
  };
}

async function measureProbe(id: string, what: string, injectedMs: number, toleranceMs: number, probe: Probe, reps: number): Promise<AccuracyResult> {
  const runs: AccuracyResult['runs'] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const run = await runChild(probe.args, { env, hardLimitMs: 30_000 });
      let reported: number | undefined;
      try {
        reported = probe.reported(JSON.parse(run.stdout) as Record<string, unknown>);
      } catch {
        reported = undefined;
      }
      runs.push({ reported, truth: probe.truth(), code: run.code });
    }
  } finally {
    await probe.close();
  }
  const paired = runs.filter((r) => r.reported !== undefined && r.truth !== undefined);
  const diffs = paired.map((r) => r.reported! - r.truth!);
  const diffP50 = diffs.length ? percentile(diffs, 50) : NaN;
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    id,
    what,
    injectedMs,
    reportedP50: r2(percentile(paired.map((r) => r.reported!), 50)),
    truthP50: r2(percentile(paired.map((r) => r.truth!), 50)),
    diffP50: r2(diffP50),
    toleranceMs,
    ok: paired.length > 0 && Math.abs(diffP50) <= toleranceMs,
    runs,
    ...(paired.length < runs.length ? { note: `${runs.length - paired.length} run(s) without the figure` } : {}),
  };
}

/** The four accuracy checks; `target` is a healthy https server for the DNS one to connect to. */
export async function accuracy(reps: number, goals: Goals, target: Fixture): Promise<AccuracyResult[]> {
  return [
    await measureProbe('server wait', 'http stage firstByte vs a 300 ms hold', 300, goals.serverWaitToleranceMs, await heldServer(300), reps),
    await measureProbe('tls handshake', 'tls handshake vs a 120 ms hold of the server flight', 120, goals.tlsToleranceMs, await slowHandshake(120), reps),
    await measureProbe('dns answer', 'dns --resolver A answer vs an 80 ms delay', 80, goals.dnsToleranceMs, await slowDns(80, target), reps),
    await measureProbe('sse gaps', 'stream median gap vs the server write gaps (25 ms)', 25, goals.sseGapToleranceMs, await sseGaps(25), reps),
  ];
}
