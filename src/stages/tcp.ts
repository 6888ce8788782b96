/**
 * The tcp stage: connect to every address of the first hop (the target, or the forward proxy),
 * IPv4 and IPv6, in parallel and bounded; choose the address the later stages use.
 *
 * data: {
 *   hop: { kind: 'target' | 'proxy', host, port },
 *   attempts: TcpAttempt[]            one per address, in resolved order (outcome, ms, code),
 *   chosen?: { address, family, port, source, reason }   the address later stages use and why,
 *   timings: { connect }              ms of the chosen address's handshake
 * }
 */
import type { Socket } from 'node:net';
import { isIP } from '../net/is-ip.js';
import { pinFor } from '../config.js';
import { decideTcp, type TcpHop } from '../diagnose/tcp-rules.js';
import { probeAll } from '../net/tcp-probe.js';
import { capPerFamily, notTriedNote } from '../net/address-cap.js';
import { firstHop } from './hop.js';
import type { Endpoint, RunContext, Stage } from './types.js';

/** How many addresses are dialled at once. */
const CONCURRENCY = 8;

/**
 * The addresses to try: those the dns stage resolved; without them, the ones known without any
 * lookup (an IP literal, a --resolve pin), so the stage never asks DNS itself.
 */
export function addressesFor(ctx: RunContext): Endpoint[] | undefined {
  if (ctx.state.addresses && ctx.state.addresses.length > 0) return ctx.state.addresses;
  const hop = firstHop(ctx);
  const fam = isIP(hop.host);
  if (fam === 4 || fam === 6) return [{ address: hop.host, family: fam, port: hop.port, source: 'literal' }];
  const pin = pinFor(ctx.config.resolve, hop.host, hop.port);
  if (pin) return pin.addresses.map((a) => ({ address: a, family: isIP(a) === 6 ? 6 : 4, port: hop.port, source: 'pin' as const }));
  return undefined;
}

function hopOf(ctx: RunContext): TcpHop {
  const h = firstHop(ctx);
  return { kind: h.kind, host: h.host, port: h.port, ...(h.kind === 'proxy' && ctx.state.proxy ? { from: ctx.state.proxy.from } : {}) };
}

export const tcpStage: Stage = {
  id: 'tcp',
  shouldRun(ctx) {
    if (addressesFor(ctx)) return { run: true };
    return { run: false, reason: `no address to connect to: ${firstHop(ctx).host} was not resolved` };
  },
  async run(ctx, signal) {
    const capped = capPerFamily(addressesFor(ctx) ?? []);
    const endpoints = capped.tried;
    const hop = hopOf(ctx);
    // Direct to an https target, the connections that open are kept until one is chosen: the tls
    // stage handshakes on that one (net/dial.ts). Through a proxy they are closed at once, and for
    // plain http too: there a connection the server dropped would read as a reset before headers.
    const kept = new Map<number, Socket>();
    const keep = hop.kind === 'target' && ctx.config.target.scheme === 'https';
    const attempts = await probeAll(endpoints, signal, ctx.now, CONCURRENCY, keep ? (i, socket) => kept.set(i, socket) : undefined);
    const decision = decideTcp(attempts, hop);
    if (decision.endpoint) ctx.state.endpoint = decision.endpoint;
    const chosen = decision.endpoint ? attempts.find((a) => a.address === decision.endpoint!.address) : undefined;
    const chosenAt = chosen ? attempts.indexOf(chosen) : -1;
    for (const [i, socket] of kept) {
      if (i === chosenAt && chosen && decision.endpoint && !signal.aborted) ctx.state.tcpHandoff = { socket, endpoint: decision.endpoint, connectMs: chosen.ms, keptAt: ctx.now() };
      else socket.destroy();
    }
    return {
      status: decision.status,
      summary: decision.summary + notTriedNote(capped.notTried),
      data: {
        hop: { kind: hop.kind, host: hop.host, port: hop.port },
        attempts,
        ...(capped.notTried.count > 0 ? { notTried: capped.notTried } : {}),
        ...(decision.endpoint ? { chosen: { ...decision.endpoint, reason: decision.reason } } : {}),
        ...(chosen ? { timings: { connect: chosen.ms } } : {}),
      },
      findings: decision.findings,
    };
  },
};
