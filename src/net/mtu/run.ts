/**
 * Observe, for the mtu stage: one TCP connect sizes the stall threshold, then every probe runs in
 * parallel against the same address for that one threshold (so the verdict costs one threshold,
 * not one per probe), then the kernel's view of the still-open sockets is read, then they close.
 */
import { setMaxListeners } from 'node:events';
import { BODY_LADDER, type BodyProbePlan } from './body.js';
import { alpnForHelloSize } from './hello.js';
import { readInterfaces, readRouteOrReason, type IfaceMtu, type RouteInfo } from './iface.js';
import type { HttpProbeRequest } from './http.js';
import { closeProbes, runProbe, type ProbeResult, type ProbeSpec } from './probes.js';
import { openProbeConn } from './socket.js';
import { readSs, type SsSnapshot } from './ss.js';
import { stallThresholdMs } from '../../diagnose/mtu/rules.js';

/**
 * Sizes of the padded ClientHello ladder, in bytes (the largest twice: one loss is not a verdict).
 * 500 bytes still fits the smallest path IPv4 allows (576); 1300-1400 brackets tunnel MTUs.
 */
export const HELLO_LADDER = [500, 700, 1000, 1200, 1300, 1400, 2000, 3800, 3800] as const;

export interface ObserveInput {
  address: string;
  port: number;
  /** SNI of the target handshake; undefined for an IP literal. */
  servername?: string;
  signal: AbortSignal;
  now: () => number;
  /** Absolute time (now() units) by which the probes must have settled. */
  deadline: number;
  /** The HTTP request that stalled, to repeat (twice) after a verified handshake. */
  http?: HttpProbeRequest;
  /** A plain-http target: no TLS probes, only the tiny probe and the body ladder. */
  plain?: boolean;
  /** Where the request-body ladder posts (undefined: no body ladder). */
  body?: BodyProbePlan;
}

export interface Observation {
  connectMs?: number;
  /** The sizing connect failed: its error code. */
  connectError?: string;
  thresholdMs: number;
  probes: ProbeResult[];
  ss: SsSnapshot;
  route?: RouteInfo;
  /** Why there is no route: ip missing or failed, not Linux. */
  routeReason?: string;
  interfaces: IfaceMtu[];
  /** The stage's signal fired before the probes settled (the verdict would be premature). */
  aborted: boolean;
}

/** Time kept back from the deadline for ss, closing and building the result. */
const RESERVE_MS = 250;

async function specs(input: ObserveInput): Promise<ProbeSpec[]> {
  const { servername, http, body } = input;
  const list: ProbeSpec[] = [];
  if (body) for (const size of BODY_LADDER) list.push({ kind: 'body', body: { plan: body, size } });
  if (input.plain) return list;
  if (http) list.push({ kind: 'http-target', servername, http }, { kind: 'http-target', servername, http });
  // With an IP literal the target handshake already has no SNI: a second one adds nothing.
  if (servername !== undefined) list.push({ kind: 'small-handshake' });
  list.push({ kind: 'target-handshake', servername }, { kind: 'target-handshake', servername });
  for (const size of HELLO_LADDER) list.push({ kind: 'hello', alpn: await alpnForHelloSize(undefined, size) });
  return list;
}

export async function observeMtu(input: ObserveInput): Promise<Observation> {
  const { address, port, signal, now } = input;
  // Every parallel probe listens on the stage's signal; a dozen is expected, not a leak.
  setMaxListeners(64, signal);
  const context = Promise.all([readRouteOrReason(address), readInterfaces()]);
  const plan = specs(input);
  const t0 = now();
  let tiny;
  try {
    tiny = await openProbeConn(address, port, AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, Math.floor(input.deadline - t0 - RESERVE_MS)))]), now);
  } catch (err) {
    const [{ route, reason: routeReason }, interfaces] = await context;
    const code = (err as { code?: string }).code ?? 'ERROR';
    return { connectError: code, thresholdMs: 0, probes: [], ss: { available: false, reason: 'no probe connected', sockets: [] }, route, routeReason, interfaces, aborted: signal.aborted };
  }
  const connectMs = tiny.trace.connectMs ?? 0;
  const started = now();
  const thresholdMs = Math.max(1, Math.min(stallThresholdMs(connectMs), input.deadline - started - RESERVE_MS));
  const until = started + thresholdMs;
  const all = [{ kind: 'tiny' } as ProbeSpec, ...(await plan)];
  const probes = await Promise.all(
    all.map((spec, i) => runProbe(address, port, spec, until, signal, now, i === 0 ? tiny : undefined)),
  );
  const aborted = signal.aborted;
  const ports = probes.map((p) => p.trace.localPort).filter((x): x is number => x !== undefined);
  const ss = aborted ? { available: false, reason: 'aborted', sockets: [] } : await readSs(port, ports);
  closeProbes(probes);
  const [{ route, reason: routeReason }, interfaces] = await context;
  return { connectMs, thresholdMs: Math.round(thresholdMs), probes, ss, route, routeReason, interfaces, aborted };
}
