/**
 * The mtu stage: runs by itself when an earlier stage stalled after a good TCP connect
 * (`ctx.state.stall`), or on demand with `--mtu`. Observe (src/net/mtu/run.ts), decide
 * (src/diagnose/mtu/rules.ts, pure), then report: MTU_BLACKHOLE_SUSPECTED explains the stall it
 * accounts for, so it becomes the root cause; what is not an MTU problem is said so.
 *
 * data: { trigger, endpoint, connectMs, thresholdMs, verdict, probes[], bodyLadder, ss, route, interfaces, stall? }
 */
import { isIP } from '../net/is-ip.js';
import { bodyPlan, stalledRequest } from '../net/mtu/plan.js';
import { bodyLadder } from '../diagnose/mtu/contrast.js';
import { blackholeEvidence, mtuBracket, notMtuEvidence, type EvidenceContext } from '../diagnose/mtu/evidence.js';
import { mtuVerdict, type MtuFacts, type MtuVerdict } from '../diagnose/mtu/rules.js';
import { observeMtu, type Observation } from '../net/mtu/run.js';
import { mtuNotMeasured, notMeasuredSummary } from '../platform/not-measured.js';
import { mtuBodyLimitFindings } from '../diagnose/gateway/mtu-body.js';
import type { Endpoint, Finding, RunContext, Stage, StageOutcome } from './types.js';
import { mtuShouldRun, probeEndpoint } from './mtu-when.js';

export { probeEndpoint };


function facts(obs: Observation): MtuFacts {
  const bySsPort = new Map(obs.ss.sockets.map((s) => [s.localPort, s]));
  const route = obs.route?.dev ? obs.interfaces.find((i) => i.name === obs.route!.dev) : undefined;
  const pmtus = obs.ss.sockets.map((s) => s.pmtu ?? 0);
  return {
    probes: obs.probes.map((p) => ({
      kind: p.spec.kind,
      outcome: p.outcome,
      bytesWritten: p.trace.bytesWritten,
      helloBytes: p.trace.firstWriteBytes,
      bytesRead: p.trace.bytesRead,
      firstByte: p.trace.firstByte,
      closedByPeer: p.trace.finMs !== undefined || p.trace.errorCode !== undefined,
      ...(p.spec.kind === 'http-target' ? { handshakeDone: p.trace.handshakeMs !== undefined } : {}),
      ...(p.spec.kind === 'body' ? { requestStartBytes: p.trace.requestStartBytes, bodyBytes: p.trace.bodyBytes, status: p.trace.status } : {}),
      ss: p.trace.localPort !== undefined ? bySsPort.get(p.trace.localPort) : undefined,
    })),
    ssAvailable: obs.ss.available,
    baseMtu: route?.mtu ?? (pmtus.length ? Math.max(...pmtus) : undefined),
    learnedMtu: obs.route?.learned ? obs.route.mtu : undefined,
    thresholdMs: obs.thresholdMs,
  };
}

/** The body ladder in brief, for the report: rung sizes and what each proved (no request bytes). */
function bodyLadderData(f: MtuFacts) {
  const rungs = f.probes.filter((p) => p.kind === 'body');
  if (rungs.length === 0) return null;
  const b = bodyLadder(rungs);
  return {
    largestDeliveredBodyBytes: b.largestOkBody ?? null,
    smallestLostBodyBytes: b.smallestLostBody ?? null,
    largestDeliveredRequestBytes: b.largestOk ?? null,
    smallestLostRequestBytes: b.smallestLost ?? null,
    delivered: b.delivered.length,
    lost: b.lost.length,
    rungs: rungs.length,
  };
}

/** The tls stage's handshake time when it completed, for a note on slow self-healing. */
function slowHandshakeMs(ctx: RunContext): number | undefined {
  const tls = ctx.results.tls;
  const ms = (tls?.data.timings as { handshake?: number } | undefined)?.handshake;
  return tls?.data.outcome === 'ok' && typeof ms === 'number' ? ms : undefined;
}

function findings(ctx: RunContext, f: MtuFacts, v: MtuVerdict, ec: EvidenceContext, ep: Endpoint): Finding[] {
  const stall = ctx.state.stall;
  if (v.kind === 'blackhole') {
    // The client's ladders (hellos, POST requests) measure its packets; a server reply may span several.
    const b = v.direction === 'server-to-client' ? {} as { low?: number; high?: number } : mtuBracket(v.largestWorkingBytes, v.smallestFailingBytes, ep.family);
    // A lost request larger than one segment only says its first, full-size segment was lost.
    if (b.high !== undefined && f.baseMtu !== undefined) b.high = Math.min(b.high, f.baseMtu);
    const mtu = b.low ?? 1280;
    const tunnel = ec.tunnels[0]?.split(' ')[0];
    return [
      {
        code: 'MTU_BLACKHOLE_SUSPECTED',
        evidence: blackholeEvidence(f, v, ec),
        details: {
          direction: v.direction,
          confidence: v.confidence,
          largestWorkingBytes: v.largestWorkingBytes ?? null,
          smallestFailingBytes: v.smallestFailingBytes ?? null,
          pathMtuRange: b.low !== undefined ? [b.low, b.high ?? null] : null,
          largestWorkingBodyBytes: v.largestWorkingBodyBytes ?? null,
          bodyLadder: bodyLadderData(f),
          thresholdMs: ec.thresholdMs,
          signals: v.signals,
        },
        ...(stall ? { explains: [stall.code] } : {}),
        params: { iface: tunnel ?? 'wg0', mtu, address: ep.address },
      },
    ];
  }
  if (v.kind === 'filtered') {
    return [
      {
        code: 'SNI_FILTER_SUSPECTED',
        evidence: notMtuEvidence(f, v, ec),
        details: { helloBytes: v.helloBytes ?? null, largestOkBytes: v.largestOkBytes ?? null, servername: ec.servername ?? null },
        ...(stall ? { explains: [stall.code] } : {}),
        params: { address: ep.address, port: ep.port, host: ctx.config.target.host },
      },
    ];
  }
  if (v.kind === 'lossy') {
    return [{ code: 'MTU_CHECK_INCONCLUSIVE', evidence: notMtuEvidence(f, v, ec), details: { signals: v.signals }, params: { address: ep.address } }];
  }
  if (v.kind === 'unresponsive' || (stall && v.kind !== 'no-connect')) {
    return [{ code: 'MTU_RULED_OUT', evidence: notMtuEvidence(f, v, ec), details: { verdict: v.kind }, params: { address: ep.address, port: ep.port, host: ctx.config.target.host } }];
  }
  return [];
}

const SUMMARY: Record<MtuVerdict['kind'], string> = {
  blackhole: 'MTU blackhole suspected',
  unresponsive: 'not an MTU problem: the server answers nothing, whatever the size',
  lossy: 'inconclusive: the path loses packets whatever their size',
  'pmtud-works': 'no MTU problem: path MTU discovery works',
  'no-connect': 'the probes could not connect',
  filtered: 'not an MTU problem: the handshake naming this host is dropped whatever its size (an SNI filter)',
  'no-problem': 'no MTU problem: large and small flights both get through',
};

export const mtuStage: Stage = {
  id: 'mtu',
  shouldRun: mtuShouldRun,
  async run(ctx, signal, deadline): Promise<StageOutcome> {
    const ep = probeEndpoint(ctx)!;
    const host = ctx.config.target.host;
    const servername = isIP(host) ? undefined : host;
    const http = stalledRequest(ctx, servername);
    const body = bodyPlan(ctx, servername);
    const plain = ctx.config.target.scheme === 'http';
    const obs = await observeMtu({ address: ep.address, port: ep.port, servername, signal, now: ctx.now, deadline, http, body, plain });
    const trigger = ctx.state.stall ? 'stall' : 'flag';
    const base = { trigger, stall: ctx.state.stall ?? null, endpoint: `${ep.address}:${ep.port}`, connectMs: obs.connectMs ?? null, thresholdMs: obs.thresholdMs };
    if (obs.aborted) return { status: 'warn', summary: 'stopped before the probes settled: no verdict', data: { ...base, aborted: true }, findings: [] };
    const f = facts(obs);
    const v = obs.connectError ? ({ kind: 'no-connect' } as const) : mtuVerdict(f);
    const ec: EvidenceContext = {
      thresholdMs: obs.thresholdMs,
      servername,
      family: ep.family,
      tunnels: obs.interfaces.filter((i) => i.tunnel || i.mtu < 1500).map((i) => `${i.name} mtu ${i.mtu}`),
      tlsHandshakeMs: slowHandshakeMs(ctx),
      stall: ctx.state.stall,
    };
    const data: Record<string, unknown> = {
      ...base,
      verdict: v,
      connectError: obs.connectError ?? null,
      probes: obs.probes.map((p, i) => ({ kind: p.spec.kind, sni: p.spec.servername ?? p.spec.body?.plan.servername ?? null, outcome: p.outcome, ...p.trace, settledMs: Math.round(p.settledMs), ss: f.probes[i]?.ss ?? null })),
      bodyLadder: bodyLadderData(f),
      ss: { available: obs.ss.available, ...(obs.ss.reason ? { reason: obs.ss.reason } : {}) },
      route: obs.route ?? null,
      interfaces: obs.interfaces,
    };
    const notMeasured = mtuNotMeasured(obs.ss.available ? undefined : obs.ss.reason, obs.routeReason);
    if (notMeasured.length > 0) data.notMeasured = notMeasured;
    const verdictSummary =
      v.kind === 'unresponsive' && v.signals.includes('response-stalled')
        ? 'not an MTU problem: the request arrived and the server stays silent, with no sign of lost packets'
        : v.kind === 'blackhole' ? `${SUMMARY.blackhole} (${v.direction}, confidence ${v.confidence}${v.largestWorkingBytes ? `, largest working ${v.largestWorkingBytes} B` : ''})` : SUMMARY[v.kind];
    const summary = [verdictSummary, notMeasuredSummary(notMeasured)].filter((s) => s !== '').join('; ');
    const status = v.kind === 'blackhole' ? 'fail' : v.kind === 'lossy' || v.kind === 'no-connect' ? 'warn' : 'pass';
    // 413s on the body ladder measure the gateway's body limit (src/diagnose/gateway/mtu-body.ts).
    const limit = mtuBodyLimitFindings(f.probes.filter((p) => p.kind === 'body'));
    return { status, summary, data, findings: [...findings(ctx, f, v, ec, ep), ...limit] };
  },
};
