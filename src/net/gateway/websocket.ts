/**
 * The WebSocket check of a ws:// or wss:// target: the upgrade through the gateway (a 101, or the
 * answer that refused it, which the `ws` client hands over as 'unexpected-response' — undici's
 * WebSocket reports only a 1006 close there), then how long the opened socket lives while idle.
 * The socket is the run's path (openPath: same address, proxy tunnel, TLS verified with --ca);
 * the probe sends no ping and no message while idle, as a Realtime session waiting for the user
 * does, so only the gateway's read timeout (nginx proxy_read_timeout, 60 s by default) or the
 * server can end it.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { RunContext } from '../../stages/types.js';
import { openPath } from '../dial.js';
import { planKeyCheck } from '../http/request.js';
import { keptHeaders } from './exchange.js';
import type { WebSocketCheck } from './section.js';

export interface WsProbeOptions {
  /** How long to keep the opened socket idle, ms. */
  idleMs: number;
  /** The wait for the upgrade answer, ms. */
  waitMs: number;
  origin?: string;
  signal: AbortSignal;
}

export async function probeWebSocket(ctx: RunContext, o: WsProbeOptions): Promise<WebSocketCheck> {
  const t = ctx.config.target;
  const ws0 = t.websocket!;
  const url = `${ws0.scheme}://${t.url.replace(/^wss?:\/\//, '').split('/')[0]}${ws0.path}`;
  // The key goes with the upgrade under the http stage's rule (never over plain http leaving this machine).
  const plan = planKeyCheck(ctx);
  const auth = plan.keySent && ctx.apiKey ? plan.profile.authHeaders(ctx.apiKey) : {};
  const base: Omit<WebSocketCheck, 'outcome'> = { url, keySent: plan.keySent };
  let sock: Socket;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), o.waitMs);
  const onParent = () => controller.abort(new Error('aborted'));
  o.signal.addEventListener('abort', onParent, { once: true });
  try {
    sock = await openPath(ctx, controller.signal);
  } catch (err) {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onParent);
    const code = (err as { code?: unknown }).code;
    return { ...base, outcome: 'failed', failure: `the connection failed (${typeof code === 'string' ? code : o.signal.aborted ? 'interrupted' : controller.signal.aborted ? 'timeout' : 'error'})` };
  }
  const headers: Record<string, string> = { 'user-agent': 'upstream-doctor', ...(plan.profile.baseHeaders ?? {}), ...auth, ...(o.origin ? { origin: o.origin } : {}) };
  const ws = new WebSocket(url, { createConnection: () => sock, headers, handshakeTimeout: o.waitMs, perMessageDeflate: false, followRedirects: false, maxPayload: 1 << 20 });
  try {
    const upgrade = await new Promise<WebSocketCheck>((resolve) => {
      ws.once('open', () => resolve({ ...base, outcome: 'upgraded', status: 101 }));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ ...base, outcome: 'refused', status: res.statusCode ?? 0, headers: keptHeaders(res.headers as Record<string, string>, ['server', 'content-type', 'connection', 'upgrade']) });
        res.resume();
      });
      ws.once('error', (err) => resolve({ ...base, outcome: 'failed', failure: ((err as { code?: string }).code ?? err.message).slice(0, 200) }));
      controller.signal.addEventListener('abort', () => resolve({ ...base, outcome: 'failed', failure: 'no answer to the upgrade in time' }), { once: true });
    });
    clearTimeout(timer);
    if (upgrade.outcome !== 'upgraded') return upgrade;
    // Idle: no ping, no message. The far side's close (frame or TCP) ends it.
    const t0 = ctx.now();
    const ended = await new Promise<{ code: number } | undefined>((resolve) => {
      const idleTimer = setTimeout(() => resolve(undefined), o.idleMs);
      ws.once('close', (code) => {
        clearTimeout(idleTimer);
        resolve({ code });
      });
      o.signal.addEventListener('abort', () => {
        clearTimeout(idleTimer);
        resolve(undefined);
      }, { once: true });
    });
    if (!ended && o.signal.aborted) return upgrade;
    const idle: NonNullable<WebSocketCheck['idle']> = { targetSeconds: Math.round(o.idleMs / 10) / 100 };
    if (ended) {
      idle.closedAfterSeconds = Math.round((ctx.now() - t0) / 10) / 100;
      idle.closeCode = ended.code;
    }
    return { ...upgrade, idle };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onParent);
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
    sock.destroy();
  }
}
