/**
 * Observe TCP: connect to each address once, time it, classify the outcome, close the socket.
 * No decisions here (those are in diagnose/tcp-rules.ts); only facts.
 */
import type { Socket } from 'node:net';
import type { Endpoint } from '../stages/types.js';
import { connectTcp } from './dial.js';
import { errorFacts } from './failure.js';

/**
 * What one connection attempt did.
 * - `ok`: the three-way handshake completed.
 * - `reset`: the handshake completed but the peer reset the connection at once (an accept-then-RST
 *   server or middlebox); something listens, so later stages can still try it.
 * - `refused`: RST in answer to the SYN (nothing listens, or a firewall rejects).
 * - `timeout`: no answer before the stage's deadline (SYN dropped somewhere).
 * - `unreachable`: the kernel or a router said there is no route (EHOSTUNREACH, ENETUNREACH).
 * - `error`: anything else (its code is kept).
 */
export type TcpOutcome = 'ok' | 'reset' | 'refused' | 'timeout' | 'unreachable' | 'error';

/** The result of connecting to one address. */
export interface TcpAttempt {
  address: string;
  family: 4 | 6;
  port: number;
  /** Where the address came from (see Endpoint.source). */
  source: Endpoint['source'];
  outcome: TcpOutcome;
  /** Milliseconds from the start of the attempt to its outcome (to the deadline for a timeout). */
  ms: number;
  /**
   * The error code behind a failure (ECONNREFUSED, EHOSTUNREACH ...); for a timeout `deadline` (the
   * stage's budget ran out) or `gave-up` (another address had connected and the grace ran out).
   */
  code?: string;
  /** The local (egress) address the connection left from, when it was established. */
  localAddress?: string;
}

/** The outcome a connect error stands for (by code, walking .cause). */
export function outcomeOf(err: unknown): { outcome: TcpOutcome; code?: string } {
  const facts = errorFacts(err);
  switch (facts.fact) {
    case 'refused':
      return { outcome: 'refused', code: facts.code };
    case 'timeout':
    case 'aborted':
      return { outcome: 'timeout', code: facts.fact === 'aborted' ? 'deadline' : facts.code };
    case 'host-unreachable':
    case 'net-unreachable':
      return { outcome: 'unreachable', code: facts.code };
    case 'reset':
    case 'closed':
      return { outcome: 'reset', code: facts.code };
    default:
      // A local packet filter answers connect() with EPERM/EACCES: no route for this traffic.
      if (facts.code === 'EPERM' || facts.code === 'EACCES') return { outcome: 'unreachable', code: facts.code };
      return { outcome: 'error', code: facts.code };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * Connect once to an endpoint; never rejects. The socket is closed right after the handshake, or,
 * with `keep`, handed there open (a socket that errors later is closed by itself).
 */
export async function probeEndpoint(endpoint: Endpoint, signal: AbortSignal, now: () => number, keep?: (socket: Socket) => void): Promise<TcpAttempt> {
  const started = now();
  const base = { address: endpoint.address, family: endpoint.family, port: endpoint.port, source: endpoint.source };
  try {
    const socket = await connectTcp(endpoint, signal);
    const ms = round(now() - started);
    const localAddress = socket.localAddress;
    socket.on('error', () => socket.destroy());
    if (keep) keep(socket);
    else socket.destroy();
    return { ...base, outcome: 'ok', ms, ...(localAddress ? { localAddress } : {}) };
  } catch (err) {
    return { ...base, ...outcomeOf(err), ms: round(now() - started) };
  }
}

/** How long the other attempts may still take once one address connected (ms), at least. */
export const GRACE_AFTER_SUCCESS_MS = 2000;

/**
 * Connect to every endpoint, at most `concurrency` at a time, each bounded by the signal. Once one
 * address connects, the others get GRACE_AFTER_SUCCESS_MS (or four times the slowest success)
 * more: a blackholed IPv6 address must not hold the run for the whole budget when IPv4 works.
 * Results come back in the order of `endpoints` whatever order they finished in.
 */
export async function probeAll(endpoints: Endpoint[], signal: AbortSignal, now: () => number, concurrency = 8, keep?: (index: number, socket: Socket) => void): Promise<TcpAttempt[]> {
  const results: TcpAttempt[] = new Array(endpoints.length);
  const giveUp = new AbortController();
  const either = AbortSignal.any([signal, giveUp.signal]);
  let timer: NodeJS.Timeout | undefined;
  let next = 0;
  const worker = async () => {
    while (next < endpoints.length) {
      const i = next++;
      const a = await probeEndpoint(endpoints[i]!, either, now, keep ? (socket) => keep(i, socket) : undefined);
      // Cut short by the grace after another address connected, not by the stage's deadline.
      results[i] = a.outcome === 'timeout' && giveUp.signal.aborted && !signal.aborted ? { ...a, code: 'gave-up' } : a;
      if (a.outcome === 'ok' && timer === undefined) {
        timer = setTimeout(() => giveUp.abort(new Error('another address connected')), Math.max(GRACE_AFTER_SUCCESS_MS, 4 * a.ms));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, endpoints.length) }, worker));
  } finally {
    clearTimeout(timer);
  }
  return results;
}
