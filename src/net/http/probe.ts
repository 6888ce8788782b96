/**
 * One HTTP exchange through undici over the path the earlier stages chose (openRaw + startTls in
 * the Client's `connect`, so nothing resolves twice and a proxy tunnel is reused), with phase
 * marks, byte counts on the wire, a capped body, and the phase a failure happened in.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Client } from './undici.js';
import type { RunContext } from '../../stages/types.js';
import { formatHost } from '../../target.js';
import type { ExchangePhase } from '../../diagnose/http/transport-rules.js';
import { openRaw, startTls } from '../dial.js';
import { onArrival } from '../arrival.js';
import { errorFacts, type ErrorFacts } from '../failure.js';
import { BODY_CAP, flattenHeaders, readCapped, type CappedBody } from './body.js';
import { alpnFor } from './alpn.js';
import { h2Facts, looksLikeH2Frame, parserData, type H2Facts } from './h2.js';

export interface ProbeRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Phase durations in ms (the shape the waterfall reads); undefined when the phase did not happen. */
export interface ProbeTimings {
  connect?: number;
  tls?: number;
  /** From the connection being ready to the request being written. */
  request?: number;
  /** From the request being written to the first response byte. */
  firstByte?: number;
  /** From the first byte to the response headers being parsed. */
  headers?: number;
  /** From the headers to the end of the (capped) body. */
  download?: number;
  total: number;
}

export interface ProbeResponse {
  status: number;
  statusText?: string;
  headers: Record<string, string>;
  body: CappedBody;
  /** Wall-clock time (epoch ms) when the headers arrived, for the clock check. */
  wallMs: number;
  /** True when the stage's deadline, not the peer, ended an unfinished body. */
  bodyTimedOut?: boolean;
}

export interface ProbeResult {
  timings: ProbeTimings;
  /** Request bytes on the wire (TLS records included), and response bytes read. */
  bytesWritten: number;
  bytesRead: number;
  /** True on a new connection: its own, or the tls stage's, which carried no request before (always, except with --reuse, where a pooled one may be reused). */
  fresh: boolean;
  httpVersion: string;
  /** Milliseconds from the request being written to the headers or the failure. */
  sinceRequestMs?: number;
  response?: ProbeResponse;
  error?: {
    facts: ErrorFacts;
    phase: ExchangePhase;
    timedOut: boolean;
    /** The HTTP/2 frame (GOAWAY, RST_STREAM) and error code that ended an h2 exchange. */
    h2?: H2Facts;
    /** The HTTP/1.1 parser's own reason, for a response it could not parse. */
    parserReason?: string;
    /** The bytes that could not be HTTP/1.1 were an HTTP/2 frame: the server speaks only HTTP/2. */
    h2FrameOnH1?: boolean;
  };
  /**
   * Whether the peer closed its side (a FIN was read) before the probe ended. undici reports its
   * own abort of a malformed answer ("bad response") with the same code as a peer's close; this
   * wire fact tells them apart.
   */
  peerFin: boolean;
  /** --reuse: the request went over a pooled connection that had been idle this long, ms. */
  reusedIdleMs?: number;
  /**
   * The request went over the tls stage's connection (new, verified, no request on it before):
   * timings.connect and timings.tls are that stage's measures of it, and total includes them.
   */
  tlsStageConnection?: boolean;
}

const r2 = (ms: number) => Math.round(ms * 100) / 100;

/**
 * A connection and what is known of it, shared by the probes that use it: one probe normally, the
 * samples of --reuse through the pool (sample/pool.ts). `user` is the probe using it now: a Client
 * that reconnects dials with that probe's context and signal, and its marks go to that probe.
 */
export interface PooledConnection {
  client?: Client;
  raw?: Socket;
  sock?: Socket;
  /** The peer's FIN was read on this connection. */
  peerFin: boolean;
  /** Set by the pool at checkout: how long the connection sat idle before this reuse, ms. */
  idleMs?: number;
  user?: { ctx: RunContext; signal: AbortSignal; alpn: string[]; connected(): void; tlsStarted(): void; tlsDone(sock: Socket): void; ready(): void };
}

/** What probeHttp needs of the --reuse pool. */
export interface ConnectionPool {
  checkout(): PooledConnection | undefined;
  opening(): void;
  checkin(conn: PooledConnection, healthy: boolean): void;
  settings: { keepaliveExpirySeconds: number };
}

export interface ProbeOptions {
  /** Offer h2 alone by ALPN and speak it (the check behind an HTTP/1.1 request that got no answer). */
  h2Only?: boolean;
}

export async function probeHttp(ctx: RunContext, spec: ProbeRequestSpec, signal: AbortSignal, deadline: number, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const allowH2 = opts.h2Only === true || ctx.config.http2 === true;
  const alpn = opts.h2Only ? ['h2'] : alpnFor(ctx.config);
  const now = ctx.now;
  const t = ctx.config.target;
  const m: { start: number; connected?: number; tls?: number; ready?: number; sent?: number; firstByte?: number; headers?: number; end?: number; fail?: number } = { start: now() };
  let phase: ExchangePhase = 'connect';
  const pool = ctx.pool;
  const pooled = pool?.checkout();
  // The tls stage's verified connection carries the first request (one connection, as curl uses).
  let handoff = pooled || opts.h2Only ? undefined : ctx.state.handoff;
  if (handoff) ctx.state.handoff = undefined;
  const tlsStage = handoff ? { connectMs: handoff.connectMs, tlsMs: handoff.tlsMs } : undefined;
  const h: PooledConnection = pooled ?? { peerFin: false };
  let base = { w: 0, r: 0 };
  let request: unknown;

  const onSendHeaders = (msg: unknown) => {
    const o = msg as { socket?: unknown; request?: unknown };
    if (o.socket !== h.sock || h.sock === undefined) return;
    request = o.request;
    phase = 'send';
    // Stamped where the bytes reach the process (net/arrival.ts), not after undici parsed them.
    const undo = onArrival(h.sock, () => {
      if (m.firstByte === undefined) m.firstByte = now();
      undo();
    });
    // A pooled socket outlives this probe: take the hook off again.
    signal.addEventListener('abort', undo, { once: true });
  };
  const onBodySent = (msg: unknown) => {
    if ((msg as { request?: unknown }).request !== request || request === undefined) return;
    m.sent = now();
    phase = 'wait';
  };
  subscribe('undici:client:sendHeaders', onSendHeaders);
  subscribe('undici:request:bodySent', onBodySent);

  // The first response bytes as the HTTP/1.1 client reads them: undici drops an answer it cannot
  // parse with a bare socket error, and only these bytes tell an HTTP/2 frame from other garbage.
  let head = Buffer.alloc(0);
  const keepHead = (s: Socket) => {
    const read = s.read.bind(s);
    s.read = ((n?: number) => {
      const chunk: unknown = read(n);
      if (Buffer.isBuffer(chunk) && head.length < 16) head = Buffer.concat([head, chunk]).subarray(0, 16);
      return chunk;
    }) as typeof s.read;
  };
  const remaining = () => Math.max(1, Math.ceil(deadline - now()));
  const result: ProbeResult = { timings: { total: 0 }, bytesWritten: 0, bytesRead: 0, fresh: !pooled, httpVersion: '1.1', peerFin: false };
  h.user = {
    ctx,
    signal,
    alpn,
    connected: () => (m.connected = now()),
    tlsStarted: () => (phase = 'tls'),
    tlsDone: (tlsSock) => {
      m.tls = now();
      if ((tlsSock as import('node:tls').TLSSocket).alpnProtocol === 'h2') result.httpVersion = '2';
    },
    ready: () => {
      base = { w: h.raw!.bytesWritten, r: h.raw!.bytesRead };
      phase = 'send';
      if ((h.sock as import('node:tls').TLSSocket).alpnProtocol !== 'h2') keepHead(h.sock!);
    },
  };
  if (pooled && h.raw) {
    base = { w: h.raw.bytesWritten, r: h.raw.bytesRead };
    phase = 'send';
  }
  if (!pooled) pool?.opening();
  const client =
    h.client ??
    new Client(`${t.scheme}://${formatHost(t.host)}:${t.port}`, {
      connect: (_opts, cb) => {
        const u = h.user!;
        const given = handoff;
        handoff = undefined;
        if (given) {
          h.raw = given.raw;
          h.sock = given.sock;
          h.peerFin = false;
          given.raw.once('end', () => {
            h.peerFin = true;
          });
          result.tlsStageConnection = true;
          if (given.sock.alpnProtocol === 'h2') result.httpVersion = '2';
          m.ready = now();
          u.ready();
          // Later, never within this call: undici ignores a connection that arrives while it is still dialling.
          queueMicrotask(() => cb(null, given.sock));
          return;
        }
        let raw: Socket | undefined;
        (async () => {
          raw = await openRaw(u.ctx, u.signal);
          h.raw = raw;
          h.peerFin = false;
          // Passive: 'end' is emitted only once whoever reads the socket (undici, or TLS) reads the FIN.
          raw.once('end', () => {
            h.peerFin = true;
          });
          u.connected();
          if (t.scheme === 'https') {
            u.tlsStarted();
            h.sock = await startTls(u.ctx, raw, u.signal, { alpn: u.alpn });
            u.tlsDone(h.sock);
          } else h.sock = raw;
          u.ready();
          return h.sock;
        })().then(
          (s) => cb(null, s),
          (err: Error) => {
            raw?.destroy();
            cb(err, null);
          },
        );
      },
      // The stage's signal is the real deadline; undici's own timers only back it up.
      headersTimeout: remaining() + 1000,
      bodyTimeout: remaining() + 1000,
      pipelining: 1,
      // --reuse keeps idle connections as long as the pool says (httpx ignores the server's
      // Keep-Alive hint); a threshold far below zero makes undici's cap the pool's expiry.
      // --http2: undici speaks h2 when ALPN chose it (the tls stage offered the same list).
      ...(allowH2 ? { allowH2: true } : {}),
      ...(pool ? { keepAliveTimeout: pool.settings.keepaliveExpirySeconds * 1000, keepAliveMaxTimeout: pool.settings.keepaliveExpirySeconds * 1000, keepAliveTimeoutThreshold: -3_600_000 } : {}),
    });
  h.client = client;
  if (pooled && pooled.idleMs !== undefined) result.reusedIdleMs = r2(pooled.idleMs);
  try {
    const res = await client.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body, signal });
    m.headers = now();
    phase = 'headers';
    const wallMs = Date.now();
    const body = await readCapped(res.body, BODY_CAP);
    m.end = now();
    result.response = { status: res.statusCode, headers: flattenHeaders(res.headers), body, wallMs };
    if (body.error && signal.aborted) result.response.bodyTimedOut = true;
  } catch (err) {
    m.fail = now();
    const timedOut = signal.aborted || ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(errorFacts(err).code ?? '');
    const facts = errorFacts(err);
    // undici's parser error sometimes has no code (e.g. "Expected HTTP/"): its name is stable, its message is not.
    if (facts.codes.length === 0 && (err as { name?: unknown }).name === 'HTTPParserError') {
      facts.codes.push('HPE_INVALID_RESPONSE');
      facts.code = 'HPE_INVALID_RESPONSE';
    }
    const h2 = h2Facts(err);
    const parser = parserData(err);
    result.error = {
      facts,
      phase: phase === 'headers' ? 'wait' : phase,
      timedOut,
      ...(h2 ? { h2 } : {}),
      ...(parser.message ? { parserReason: parser.message.replace(/^Response does not match the HTTP\/1\.1 protocol \((.*)\)$/, '$1') } : {}),
      ...(looksLikeH2Frame(parser.data) || looksLikeH2Frame(head.toString('latin1')) ? { h2FrameOnH1: true } : {}),
    };
  } finally {
    // A handed-over connection undici never asked for (the request failed first) is closed here.
    handoff?.close();
    unsubscribe('undici:client:sendHeaders', onSendHeaders);
    unsubscribe('undici:request:bodySent', onBodySent);
    result.peerFin = h.peerFin;
    if (h.raw) {
      result.bytesWritten = h.raw.bytesWritten - base.w;
      result.bytesRead = h.raw.bytesRead - base.r;
    }
    h.user = undefined;
    if (pool) {
      pool.checkin(h, result.response !== undefined && result.error === undefined && !result.response.body.error && !h.peerFin);
    } else {
      // destroy(), not close(): a hostile server must not keep us waiting for a graceful end; and
      // not awaited: the sockets finish closing while the stage goes on (about 2 ms of events).
      client.destroy().catch(() => undefined);
      h.raw?.destroy();
    }
  }
  const end = now();
  const tm = result.timings;
  tm.total = r2(end - m.start);
  if (m.connected !== undefined) tm.connect = r2(m.connected - m.start);
  if (m.tls !== undefined && m.connected !== undefined) tm.tls = r2(m.tls - m.connected);
  if (result.tlsStageConnection && tlsStage) {
    tm.connect = r2(tlsStage.connectMs);
    tm.tls = r2(tlsStage.tlsMs);
    tm.total = r2(tm.total + tlsStage.connectMs + tlsStage.tlsMs);
  }
  const ready = m.tls ?? m.connected ?? m.ready;
  if (m.sent !== undefined && ready !== undefined) tm.request = r2(m.sent - ready);
  const fb = m.firstByte ?? m.headers;
  if (fb !== undefined && m.sent !== undefined) tm.firstByte = r2(fb - m.sent);
  if (m.headers !== undefined && fb !== undefined) tm.headers = r2(m.headers - fb);
  if (m.end !== undefined && m.headers !== undefined) tm.download = r2(m.end - m.headers);
  if (m.sent !== undefined) result.sinceRequestMs = r2((m.headers ?? m.fail ?? end) - m.sent);
  return result;
}
