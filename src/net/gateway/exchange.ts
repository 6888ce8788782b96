/**
 * One request, one connection, the answer's head only: what every gateway check needs. The
 * request is written raw (HTTP/1.1, `connection: close`) so a check sees exactly what the gateway
 * answered — a redirect is not followed, a 413 is not retried, a preflight is not judged by a
 * client library. A body is streamed in chunks and its writing stops as soon as an answer arrives
 * (nginx answers 413 after the head, without reading the body). Nothing of the body is kept.
 */
import type { Socket } from 'node:net';
import { errorFacts } from '../failure.js';
import { parseHead } from '../http/head.js';
import type { GatewayAnswer, GatewayNoAnswer } from './section.js';

/** The most bytes of a head read before giving up on it. */
const MAX_HEAD = 64 * 1024;
/** Body bytes written per write call. */
const CHUNK = 64 * 1024;

export interface RawRequest {
  method: string;
  path: string;
  hostHeader: string;
  headers: Record<string, string>;
  /** A JSON body of exactly this many bytes (padding inside a string), or none. */
  bodyBytes?: number;
  /**
   * Send `Expect: 100-continue` and the body only after a 100 (or after CONTINUE_WAIT_MS without
   * an answer, as curl does). A gateway that refuses the size then answers before any body byte
   * is sent; otherwise it answers while the body is still being written and closes, and the reset
   * that the rest of the body meets can destroy its answer before it is read (HAProxy does this).
   */
  expectContinue?: boolean;
}

/** How long to wait for a 100 Continue before sending the body anyway (curl waits 1 s). */
export const CONTINUE_WAIT_MS = 1000;

export interface ExchangeOutcome {
  reply: GatewayAnswer | GatewayNoAnswer;
  /** The full answer head (for the checks that read more than the kept headers). */
  head?: { status: number; headers: Record<string, string> };
  bodyBytesWritten: number;
}

/** The request head, `connection: close`, content-length when a body follows. */
export function rawHead(req: RawRequest): string {
  const lines = [`${req.method} ${req.path} HTTP/1.1`, `host: ${req.hostHeader}`];
  for (const [k, v] of Object.entries(req.headers)) if (!/^(host|connection|content-length|transfer-encoding)$/i.test(k)) lines.push(`${k}: ${v}`);
  if (req.bodyBytes !== undefined) lines.push('content-type: application/json', `content-length: ${req.bodyBytes}`);
  if (req.bodyBytes !== undefined && req.expectContinue) lines.push('expect: 100-continue');
  lines.push('connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The i-th chunk of a JSON body of `total` bytes: `{"input":"xxx...x"}`. */
function bodyChunk(offset: number, total: number): Buffer {
  const prefix = '{"input":"';
  const suffix = '"}';
  const n = Math.min(CHUNK, total - offset);
  const buf = Buffer.alloc(n, 0x78);
  for (let i = 0; i < n; i++) {
    const at = offset + i;
    if (at < prefix.length) buf[i] = prefix.charCodeAt(at);
    else if (at >= total - suffix.length) buf[i] = suffix.charCodeAt(at - (total - suffix.length));
  }
  return buf;
}

function noAnswer(err: unknown): GatewayNoAnswer {
  const f = errorFacts(err);
  const failure: GatewayNoAnswer['failure'] = f.fact === 'reset' ? 'reset' : f.fact === 'refused' ? 'refused' : f.fact === 'timeout' ? 'timeout' : /tls|cert|ssl/i.test(f.code ?? '') ? 'tls' : 'failed';
  return { failure, ...(f.code ? { code: f.code } : {}) };
}

/** Keep only the headers a check reads (bounded). */
export function keptHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (headers[n] !== undefined) out[n] = headers[n]!.slice(0, 300);
  return out;
}

/** The reply of an exchange the user interrupted (Ctrl-C): neither an answer nor a timeout. */
export const INTERRUPTED = { failure: 'failed' as const, code: 'interrupted' };

/**
 * Open a connection with `open`, send the request, and wait for the answer's head at most `waitMs`.
 * Never throws for what the network does; the socket is always destroyed.
 */
export async function exchangeHead(open: (signal: AbortSignal) => Promise<Socket>, req: RawRequest, waitMs: number, parent: AbortSignal, keep: readonly string[]): Promise<ExchangeOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), waitMs);
  const onParent = () => controller.abort(new Error('aborted'));
  parent.addEventListener('abort', onParent, { once: true });
  let sock: Socket | undefined;
  let written = 0;
  try {
    try {
      sock = await open(controller.signal);
    } catch (err) {
      return { reply: parent.aborted ? INTERRUPTED : controller.signal.aborted ? { failure: 'timeout' } : noAnswer(err), bodyBytesWritten: 0 };
    }
    const s = sock;
    let buf = Buffer.alloc(0);
    let settled = false;
    const result = await new Promise<ExchangeOutcome>((resolve) => {
      const finish = (o: ExchangeOutcome) => {
        if (settled) return;
        settled = true;
        resolve(o);
      };
      let pumping = false;
      let continueTimer: NodeJS.Timeout | undefined;
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0 && buf.length < MAX_HEAD) return;
        const head = parseHead(buf.subarray(0, end < 0 ? MAX_HEAD : end).toString('latin1'));
        if (!head) return finish({ reply: { failure: 'failed', code: 'not HTTP' }, bodyBytesWritten: written });
        if (head.status === 100 && end >= 0) {
          // Interim answer: drop it, send the body, wait for the final one.
          buf = buf.subarray(end + 4);
          startBody();
          if (buf.length > 0) s.emit('data', Buffer.alloc(0));
          return;
        }
        clearTimeout(continueTimer);
        finish({ reply: { status: head.status, headers: keptHeaders(head.headers, keep) }, head: { status: head.status, headers: head.headers }, bodyBytesWritten: written });
      });
      s.on('error', (err) => finish({ reply: noAnswer(err), bodyBytesWritten: written }));
      s.on('close', () => finish({ reply: { failure: 'closed' }, bodyBytesWritten: written }));
      // Ctrl-C is not a timeout: an interrupted exchange says so (its callers drop it from their results).
      controller.signal.addEventListener('abort', () => finish({ reply: parent.aborted ? INTERRUPTED : { failure: 'timeout' }, bodyBytesWritten: written }), { once: true });
      s.resume();
      s.write(rawHead(req));
      const total = req.bodyBytes ?? 0;
      const startBody = () => {
        clearTimeout(continueTimer);
        if (pumping) return;
        pumping = true;
        pump();
      };
      const pump = () => {
        while (!settled && written < total) {
          const chunk = bodyChunk(written, total);
          written += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
      };
      if (req.expectContinue && total > 0) continueTimer = setTimeout(startBody, CONTINUE_WAIT_MS);
      else startBody();
      s.once('close', () => clearTimeout(continueTimer));
    });
    return result;
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParent);
    sock?.destroy();
  }
}
