/**
 * The streaming probe: one streaming request over the path the earlier stages chose (openPath
 * inside an undici Client), every network read and every parsed event timestamped as it arrives.
 * Reading stops at the terminal event (as SDKs do), at the end of the body, after `idleBudgetMs`
 * of silence, at the deadline (`signal`), or once a body that is not a stream has shown what it is.
 * Failures are recorded in the observation, never thrown.
 */
import { Client } from '../http/undici.js';
import type { RunContext } from '../../stages/types.js';
import { openPath } from '../dial.js';
import { onArrival } from '../arrival.js';
import { errorFacts } from '../failure.js';
import { SseRecorder } from './sse.js';
import type { StreamTerminator } from './sse-events.js';
import { createBodyDecoder, type BodyDecoder } from './decode.js';
import { WATCHED_HEADERS, type StreamEndKind, type StreamObservation } from './observation.js';

export interface StreamRequest {
  method: 'GET' | 'POST';
  /** Full path with the base path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ProbeOptions {
  terminator: StreamTerminator;
  idleBudgetMs: number;
  /** Decoded bytes read at most (default 4 MiB): a stream that long is not a few-token answer. */
  maxBodyBytes?: number;
}

const PREFIX_CHARS = 2048;

function originOf(ctx: RunContext): string {
  const t = ctx.config.target;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.scheme}://${host}:${t.port}`;
}

function pickHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of WATCHED_HEADERS) {
    const v = raw[name];
    if (v !== undefined) out[name] = (Array.isArray(v) ? v.join(', ') : v).slice(0, 200);
  }
  return out;
}

function allHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw)) if (v !== undefined) out[name.toLowerCase()] = (Array.isArray(v) ? v.join(', ') : v).slice(0, 500);
  return out;
}

export async function probeStream(ctx: RunContext, signal: AbortSignal, req: StreamRequest, opts: ProbeOptions): Promise<StreamObservation> {
  const now = ctx.now;
  const recorder = new SseRecorder({ terminator: opts.terminator });
  const o: StreamObservation = {
    connectMs: 0,
    headers: {},
    end: { kind: 'failed', at: 0 },
    rawBytes: 0,
    decodedBytes: 0,
    chunks: 0,
    sse: recorder.record,
    bodyPrefix: '',
    idleBudgetMs: opts.idleBudgetMs,
  };
  const tc = now();
  let socket;
  try {
    socket = await openPath(ctx, signal);
  } catch (err) {
    const f = errorFacts(err);
    o.connectMs = now() - tc;
    o.end = { kind: signal.aborted ? 'aborted' : 'failed', at: 0, errorCode: f.code, message: f.message };
    return o;
  }
  o.connectMs = round(now() - tc);
  // Until undici takes the socket over, a reset from a hostile peer must not become an uncaught
  // 'error' event; undici's own listeners report it to the handler after that.
  socket.on('error', () => {});
  const t0 = now();
  const since = () => round(now() - t0);
  // When the latest bytes reached the process (net/arrival.ts): reads are stamped with it, not
  // with the moment undici's parser handed their pieces over.
  let arrivedAt: number | undefined;
  const undoArrival = onArrival(socket, () => (arrivedAt = now()));
  let handed = false;
  const client = new Client(originOf(ctx), {
    connect: (_opts, cb) => {
      // One request, one connection: the one the earlier stages' path gave us.
      if (handed) return cb(new Error('the streaming probe opens only one connection'), null);
      handed = true;
      // undici stalls the queued request when the connector answers synchronously.
      setImmediate(() => cb(null, socket));
    },
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  return new Promise<StreamObservation>((resolve) => {
    let done = false;
    let isStream = false;
    let decoder: BodyDecoder | undefined;
    let idle: NodeJS.Timeout | undefined;
    let inRead = false;
    let readAt = 0;
    const maxBody = opts.maxBodyBytes ?? 4 << 20;

    const finish = (kind: StreamEndKind, err?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      o.end = { kind, at: since() };
      if (err !== undefined) {
        const f = errorFacts(err);
        if (f.code) o.end.errorCode = f.code;
        if (f.message) o.end.message = f.message.slice(0, 200);
      }
      recorder.end(o.end.at);
      if (decoder?.error) o.decodeError = decoder.error;
      decoder?.destroy();
      undoArrival();
      client.destroy().catch(() => {});
      socket.destroy();
      resolve(o);
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(o.headersAt === undefined ? 'no-headers' : 'idle'), opts.idleBudgetMs);
    };
    // The idle timer (half the budget) fires before the deadline; an abort that comes first is
    // an interrupt or a slow connect eating the budget, which says nothing about the stream.
    const onAbort = () => finish(o.headersAt === undefined ? 'aborted' : 'deadline');
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const onPiece = (piece: Buffer, at: number, chunk: number) => {
      if (done) return;
      o.decodedBytes += piece.length;
      if (o.bodyPrefix.length < PREFIX_CHARS) o.bodyPrefix += piece.toString('utf8', 0, Math.min(piece.length, PREFIX_CHARS));
      if (isStream) {
        const before = recorder.record.events;
        recorder.feed(piece, at, chunk);
        // The idle budget counts silence between events: keep-alive comments do not reset it.
        if (recorder.record.events > before) armIdle();
      }
      if (recorder.record.terminalAt !== undefined) return finish('terminal');
      if (!isStream && o.bodyPrefix.length >= PREFIX_CHARS) return finish('enough');
      if (o.decodedBytes > maxBody || recorder.record.overflow) return finish('limit');
    };

    armIdle();
    client.dispatch(
      { origin: originOf(ctx), path: req.path, method: req.method, headers: req.headers, body: req.body },
      {
        // Its presence tells undici this handler speaks the v7 (controller) API.
        onRequestStart() {},
        onResponseStart(_c, status, headers) {
          if (status < 200) return; // 1xx: the real answer follows
          o.status = status;
          o.headersAt = since();
          o.headers = pickHeaders(headers);
          if (status >= 300) o.allHeaders = allHeaders(headers);
          const ok = status >= 200 && status < 300;
          isStream = ok && (o.headers['content-type'] ?? '').toLowerCase().split(';')[0]!.trim() === 'text/event-stream';
          decoder = createBodyDecoder(o.headers['content-encoding'], onPiece);
          armIdle();
        },
        onResponseData(_c, chunk) {
          if (done) return;
          // undici hands over one piece per HTTP chunk, and one socket read can carry many chunks
          // (a middlebox that released what it held): the pieces of one read come synchronously,
          // so a read is everything delivered before the next microtask. Counting chunks instead
          // would make a held-back stream look like many separate flushes.
          if (!inRead) {
            inRead = true;
            readAt = arrivedAt === undefined ? since() : round(arrivedAt - t0);
            o.chunks++;
            queueMicrotask(() => (inRead = false));
          }
          o.firstByteAt ??= readAt;
          o.lastByteAt = readAt;
          o.rawBytes += chunk.length;
          decoder?.write(chunk, readAt, o.chunks - 1);
          if (!isStream) armIdle();
        },
        onResponseEnd() {
          if (done) return;
          const d = decoder;
          if (!d) return finish('complete');
          void d.end().then(() => finish(recorder.record.terminalAt !== undefined ? 'terminal' : isStream ? 'complete' : 'enough'));
        },
        onResponseError(_c, err) {
          if (done) return;
          finish(o.headersAt === undefined ? 'failed' : 'cut', err);
        },
      },
    );
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
