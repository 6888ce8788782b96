/**
 * The system lookup: what an application on this machine gets from getaddrinfo (hosts file,
 * nsswitch, resolv.conf), both families, in the order the system gives them. getaddrinfo cannot be
 * cancelled, so on timeout or abort we stop waiting and say so; the lookup ends in the background.
 */
import type { lookup } from 'node:dns';
import { errorFacts } from '../failure.js';
import { clockMs } from '../../clock.js';

export interface SystemLookupResult {
  /** The addresses, in the system's order. */
  addresses: Array<{ address: string; family: 4 | 6 }>;
  /** Milliseconds until the answer, the error, or the moment we stopped waiting. */
  ms: number;
  /** The error code (ENOTFOUND, EAI_AGAIN, EAI_FAIL ...), or `TIMEOUT` when we stopped waiting. */
  error?: string;
}

export type LookupFn = typeof lookup;

/**
 * Node's dns.lookup, its module loaded at the first lookup: a run that pins the address
 * (--resolve, an IP target) never loads it, nor the resolver behind it (net needs neither).
 */
const nodeLookup: LookupFn = ((...args: Parameters<LookupFn>) => (process.getBuiltinModule('node:dns').lookup as (...a: unknown[]) => void)(...args)) as LookupFn;

export function systemLookup(host: string, timeoutMs: number, signal?: AbortSignal, lookupFn: LookupFn = nodeLookup): Promise<SystemLookupResult> {
  const started = clockMs();
  const ms = () => Math.round((clockMs() - started) * 100) / 100;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: SystemLookupResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => done({ addresses: [], ms: ms(), error: 'TIMEOUT' });
    const timer = setTimeout(onAbort, Math.max(0, timeoutMs));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    lookupFn(host, { all: true, family: 0, order: 'verbatim' }, (err, addresses) => {
      if (err) return done({ addresses: [], ms: ms(), error: errorFacts(err).code ?? 'error' });
      const list = (addresses ?? []).map((a) => ({ address: a.address, family: a.family === 6 ? (6 as const) : (4 as const) }));
      done({ addresses: list, ms: ms() });
    });
  });
}
