/**
 * One keep-alive connection over the path the run chose (openPath: same address, proxy tunnel and
 * TLS as the http stage), spoken to in raw HTTP/1.1 so that nothing between the probe and the
 * wire (no pool, no keep-alive timer of a client library, no hint it obeys) closes it or retries
 * on it. It records when and how the peer ended it: a FIN (`end`), an RST (ECONNRESET), or
 * unsolicited bytes while it was idle.
 */
import type { Socket } from 'node:net';
import type { RunContext } from '../../stages/types.js';
import { openPath } from '../dial.js';
import { errorFacts } from '../failure.js';
import type { ParsedHead } from '../http/head.js';
import { ResponseFramer, keepAliveHint, type FrameState } from './frame.js';

/** How the peer ended the connection, as seen on the wire. */
export type CloseKind = 'fin' | 'rst';

/** What one request on the connection got. */
export type ExchangeResult =
  | { kind: 'response'; status: number; keepAlive: boolean; hintSeconds?: number; ms: number; head: ParsedHead }
  /** The peer reset (RST) or closed (FIN) the connection before a complete answer. */
  | { kind: 'reset' | 'closed'; ms: number; bytesRead: number; code?: string }
  /** No complete answer within the wait, the connection still open as far as this end knows. */
  | { kind: 'no-answer'; ms: number; bytesRead: number }
  | { kind: 'invalid'; ms: number; reason: string }
  | { kind: 'aborted'; ms: number };

export class KeepaliveConn {
  /** ctx.now() when the peer ended the connection, and how. */
  closedAt?: number;
  closedBy?: CloseKind;
  /** Bytes that arrived while no request was outstanding (a late error page, a 408 ...). */
  unsolicitedBytes = 0;
  private framer?: ResponseFramer;
  private listeners = new Set<() => void>();
  private readOnExchange = 0;

  private constructor(
    private readonly sock: Socket,
    private readonly now: () => number,
  ) {
    sock.on('data', (d: Buffer) => {
      if (this.framer) {
        this.readOnExchange += d.length;
        this.lastState = this.framer.push(d);
      } else this.unsolicitedBytes += d.length;
      this.notify();
    });
    sock.on('end', () => this.markClosed('fin'));
    sock.on('error', (err) => {
      const f = errorFacts(err);
      this.closeCode = f.code;
      this.markClosed(f.fact === 'reset' ? 'rst' : 'fin');
    });
    sock.on('close', () => this.markClosed('fin'));
    // A CONNECT tunnel hands its socket over paused (openTunnel): a 'data' listener alone does not restart it.
    sock.resume();
  }

  private lastState: FrameState = { kind: 'more' };
  private closeCode?: string;

  /** Open a connection over the run's path (TLS offering only http/1.1). */
  static async open(ctx: RunContext, signal: AbortSignal): Promise<KeepaliveConn> {
    const sock = await openPath(ctx, signal, { alpn: ['http/1.1'] });
    return new KeepaliveConn(sock, ctx.now);
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  private markClosed(kind: CloseKind): void {
    if (this.closedAt === undefined) {
      this.closedAt = this.now();
      this.closedBy = kind;
    } else if (kind === 'rst' && this.closedBy === 'fin' && this.now() - this.closedAt < 5) {
      // 'close' can come before 'error' is classified in the same tick: an RST wins.
      this.closedBy = 'rst';
    }
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves at the first event (data, close) or after `ms`, or at abort. */
  private wake(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.listeners.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stay idle until the peer ends the connection, `ms` pass, or the signal aborts. */
  async idle(ms: number, signal: AbortSignal): Promise<'closed' | 'elapsed' | 'aborted'> {
    const end = this.now() + ms;
    for (;;) {
      if (this.closed) return 'closed';
      if (signal.aborted) return 'aborted';
      const left = end - this.now();
      if (left <= 0) return 'elapsed';
      await this.wake(left, signal);
    }
  }

  /** Write one request and read its whole answer (the body counted, not kept), waiting at most `waitMs`. */
  async exchange(bytes: Buffer, method: string, waitMs: number, signal: AbortSignal): Promise<ExchangeResult> {
    const t0 = this.now();
    const ms = () => Math.round((this.now() - t0) * 10) / 10;
    if (this.closed) return { kind: this.closedBy === 'rst' ? 'reset' : 'closed', ms: 0, bytesRead: 0, code: this.closeCode };
    this.framer = new ResponseFramer(method);
    this.lastState = { kind: 'more' };
    this.readOnExchange = 0;
    this.sock.write(bytes, () => undefined);
    const end = t0 + waitMs;
    try {
      for (;;) {
        // Read through a cast: the data handler changes it between awaits.
        const st = this.lastState as FrameState;
        if (st.kind === 'done') {
          return { kind: 'response', status: st.head.status, keepAlive: st.keepAlive && st.rest === 0, hintSeconds: keepAliveHint(st.head), ms: ms(), head: st.head };
        }
        if (st.kind === 'invalid') return { kind: 'invalid', ms: ms(), reason: st.reason };
        if (this.closed) {
          // A close-delimited body ends with the close: a complete answer, but no reuse.
          if (st.kind === 'until-close' && this.closedBy === 'fin') return { kind: 'response', status: st.head.status, keepAlive: false, hintSeconds: keepAliveHint(st.head), ms: ms(), head: st.head };
          return { kind: this.closedBy === 'rst' ? 'reset' : 'closed', ms: ms(), bytesRead: this.readOnExchange, code: this.closeCode };
        }
        if (signal.aborted) return { kind: 'aborted', ms: ms() };
        const left = end - this.now();
        if (left <= 0) return st.kind === 'until-close' ? { kind: 'response', status: st.head.status, keepAlive: false, ms: ms(), head: st.head } : { kind: 'no-answer', ms: ms(), bytesRead: this.readOnExchange };
        await this.wake(left, signal);
      }
    } finally {
      this.framer = undefined;
    }
  }

  destroy(): void {
    this.listeners.clear();
    this.sock.destroy();
  }
}
