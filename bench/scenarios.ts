/**
 * What the benchmark runs: start-up, healthy https runs and hostile servers, each a server set up
 * once (reused by every repetition) and the CLI arguments that diagnose it. Targets are IP literals
 * or `localhost` pinned with --resolve, so nothing asks DNS and no packet leaves loopback.
 */
import { startOpenAiCompatible } from '../fixtures/http-api.js';
import { startRawServer } from '../fixtures/http-servers.js';
import { startSseServer, type SseMode } from '../fixtures/sse-server.js';
import { startBlackhole } from '../fixtures/tcp-servers.js';
import { loadCert, TEST_CA_PATH } from '../fixtures/tls-server.js';
import { startHeaderFlood, startHugeBody, startSlowBody, startSlowLoris, startTlsDrip, startTlsFront } from './servers.js';

/** The key the fixtures accept; a made-up one, and the CLI must not print it anyway. */
export const BENCH_KEY = 'sk-bench-7d41c9a0e2b85f36a1c4d7e90b2f5a8c';

/** How a scenario's figures are judged (see goals.ts). */
export type ScenarioKind = 'startup' | 'healthy' | 'hostile';

/** A scenario's server, up, and how to diagnose it. */
export interface Prepared {
  args: string[];
  /** Extra environment for the CLI (on top of a clean one). */
  env?: Record<string, string>;
  close(): Promise<void>;
}

export interface Scenario {
  id: string;
  kind: ScenarioKind;
  /** One line for the table: what the server does. */
  what: string;
  /** Repetitions (before --quick). */
  reps: number;
  /** Exit codes that mean the run did what it should; anything else is reported as a failed check. */
  exitCodes: number[];
  /** The most the http stage may read (its `data.bytesRead`): a body cap that reads on is no cap. */
  maxHttpReadBytes?: number;
  prepare(): Promise<Prepared>;
}

/**
 * The http stage keeps 64 KiB of a body and stops reading; what is already in flight (one more
 * chunk, socket buffers) may arrive too. Four times the cap is a generous bound on that.
 */
const HTTP_READ_LIMIT = 4 * 64 * 1024;

const noServer = (args: string[]) => async (): Promise<Prepared> => ({ args, close: async () => undefined });

/** https://localhost:PORT pinned to 127.0.0.1 and trusting the test CA. */
const httpsLocal = (port: number, path = '') => [`https://localhost:${port}${path}`, '--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH];

const keyEnv = { OPENAI_API_KEY: BENCH_KEY };

/** A streaming server (sse-server fixture) diagnosed with --stream. */
function sse(mode: SseMode, timeout: string, tls: boolean, periodMs: number) {
  return async (): Promise<Prepared> => {
    const srv = await startSseServer({ mode, periodMs, ...(tls ? { tls: loadCert('valid') } : {}) });
    const target = tls ? httpsLocal(srv.port, '/v1') : [`${srv.url}/v1`];
    return { args: [...target, '--provider', 'openai-compatible', '--stream', '--model', 'tiny-model', '--json', '--timeout', timeout], env: keyEnv, close: srv.close };
  };
}

export const SCENARIOS: Scenario[] = [
  { id: 'startup-version', kind: 'startup', what: 'diagnose --version', reps: 10, exitCodes: [0], prepare: noServer(['--version']) },
  { id: 'startup-explain', kind: 'startup', what: 'diagnose --explain RESET_BEFORE_HEADERS', reps: 10, exitCodes: [0], prepare: noServer(['--explain', 'RESET_BEFORE_HEADERS']) },
  {
    id: 'healthy-https',
    kind: 'healthy',
    what: 'TLS front (test CA) before the OpenAI-compatible API fixture, key set',
    reps: 7,
    exitCodes: [0],
    prepare: async () => {
      const api = await startOpenAiCompatible({ key: BENCH_KEY });
      const front = await startTlsFront(loadCert('valid'), api.port);
      return {
        args: [...httpsLocal(front.port, '/v1'), '--provider', 'openai-compatible', '--json', '--timeout', '5s'],
        env: keyEnv,
        close: async () => {
          await front.close();
          await api.close();
        },
      };
    },
  },
  { id: 'healthy-stream', kind: 'healthy', what: 'https SSE fixture, --stream, 8 events 25 ms apart', reps: 5, exitCodes: [0], prepare: sse('openai', '5s', true, 25) },
  {
    id: 'blackhole-tls',
    kind: 'hostile',
    what: 'https: accepts, never says a byte (handshake stalls)',
    reps: 5,
    exitCodes: [12, 14],
    prepare: async () => {
      const srv = await startBlackhole();
      return { args: [...httpsLocal(srv.port), '--json', '--timeout', '1s'], close: srv.close };
    },
  },
  {
    id: 'tls-drip',
    kind: 'hostile',
    what: 'https: a handshake record begun, then one byte every 50 ms',
    reps: 5,
    exitCodes: [12, 14],
    prepare: async () => {
      const srv = await startTlsDrip(50);
      return { args: [...httpsLocal(srv.port), '--json', '--timeout', '1s'], close: srv.close };
    },
  },
  {
    id: 'blackhole-http',
    kind: 'hostile',
    what: 'http: reads the request, never answers',
    reps: 5,
    exitCodes: [14],
    prepare: async () => {
      const srv = await startRawServer('hang');
      return { args: [srv.url, '--json', '--timeout', '1s'], close: srv.close };
    },
  },
  {
    id: 'slow-loris',
    kind: 'hostile',
    what: 'http: status line, then one header byte every 50 ms',
    reps: 5,
    exitCodes: [14],
    prepare: async () => {
      const srv = await startSlowLoris(50);
      return { args: [srv.url, '--json', '--timeout', '1s'], close: srv.close };
    },
  },
  {
    id: 'slow-body',
    kind: 'hostile',
    what: 'http: 200 announcing 1 MiB, then one body byte every 50 ms',
    reps: 5,
    exitCodes: [0, 14],
    prepare: async () => {
      const srv = await startSlowBody(50);
      return { args: [srv.url, '--json', '--timeout', '1s'], close: srv.close };
    },
  },
  {
    id: 'header-flood',
    kind: 'hostile',
    what: 'http: 1 KiB header lines without end, as fast as read',
    reps: 5,
    exitCodes: [14, 17],
    prepare: async () => {
      const srv = await startHeaderFlood();
      return { args: [srv.url, '--json', '--timeout', '1s'], close: srv.close };
    },
  },
  {
    id: 'huge-body',
    kind: 'hostile',
    what: 'http: 200, content-length 1 GiB, sent as fast as read',
    reps: 5,
    exitCodes: [0, 14, 17],
    maxHttpReadBytes: HTTP_READ_LIMIT,
    prepare: async () => {
      const srv = await startHugeBody();
      return { args: [srv.url, '--json', '--timeout', '2s'], close: srv.close };
    },
  },
  {
    id: 'endless-chunked',
    kind: 'hostile',
    what: 'http: 200, chunked body that never ends (flood fixture)',
    reps: 5,
    exitCodes: [0, 14, 17],
    maxHttpReadBytes: HTTP_READ_LIMIT,
    prepare: async () => {
      const srv = await startRawServer('flood');
      return { args: [srv.url, '--json', '--timeout', '2s'], close: srv.close };
    },
  },
  { id: 'endless-sse-line', kind: 'hostile', what: '--stream: one data line that never ends, 64 KiB writes', reps: 5, exitCodes: [0, 18], prepare: sse('endless-line', '2s', false, 25) },
  { id: 'sse-comments-only', kind: 'hostile', what: '--stream: keep-alive comments forever, never an event', reps: 5, exitCodes: [18], prepare: sse('comments-only', '2s', false, 20) },
];
