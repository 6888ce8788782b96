/**
 * The server's idea of the time, for the clock check behind an expired or not-yet-valid
 * certificate: one unverified `HEAD /` over the same path (no key sent), its `Date` header read.
 */
import type { RunContext } from '../stages/types.js';
import { openPath } from './dial.js';
import { errorFacts } from './failure.js';
import { formatHost } from '../target.js';

/** What the clock check got. */
export interface ServerDate {
  /** The Date header as sent. */
  date?: string;
  /** The same in ms since the epoch, when it parses. */
  ms?: number;
  /** Why no date came back (an error code, `no Date header`, `deadline`). */
  error?: string;
}

/** Longest header block read before giving up on a hostile server. */
const MAX_HEAD = 32 * 1024;

/** The Date header of a raw HTTP/1.x response head, if any. */
export function dateFromHead(head: string): string | undefined {
  const m = /\r\ndate:[ \t]*([^\r\n]*)/i.exec(head);
  return m?.[1]?.trim() || undefined;
}

export async function fetchServerDate(ctx: RunContext, signal: AbortSignal, budgetMs: number): Promise<ServerDate> {
  const local = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, Math.floor(budgetMs)))]);
  let socket;
  try {
    socket = await openPath(ctx, local, { alpn: ['http/1.1'], verify: false });
  } catch (err) {
    return { error: local.aborted ? 'deadline' : (errorFacts(err).code ?? 'error') };
  }
  const s = socket;
  const t = ctx.config.target;
  return new Promise<ServerDate>((resolve) => {
    let head = '';
    const finish = (r: ServerDate) => {
      local.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ error: 'deadline' });
    local.addEventListener('abort', onAbort, { once: true });
    s.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < MAX_HEAD) return;
      const date = dateFromHead(head.slice(0, end < 0 ? MAX_HEAD : end + 2));
      const ms = date ? Date.parse(date) : NaN;
      finish(date ? { date, ...(Number.isNaN(ms) ? {} : { ms }) } : { error: 'no Date header' });
    });
    s.on('error', (err) => finish({ error: errorFacts(err).code ?? 'error' }));
    s.on('end', () => finish({ error: 'closed without a response' }));
    s.write(`HEAD / HTTP/1.1\r\nHost: ${formatHost(t.host)}:${t.port}\r\nUser-Agent: upstream-doctor\r\nConnection: close\r\n\r\n`);
  });
}
