/**
 * TCP facts -> the address the later stages use, and findings. Pure: no sockets, no clock.
 */
import type { TcpAttempt, TcpOutcome } from '../net/tcp-probe.js';
import type { StageStatus } from '../report.js';
import type { Endpoint, Finding } from '../stages/types.js';
import { formatHost } from '../target.js';

/** The first hop the attempts went to: the target itself, or the forward proxy in front of it. */
export interface TcpHop {
  kind: 'target' | 'proxy';
  host: string;
  port: number;
  /** For a proxy: which variable or option chose it (HTTPS_PROXY, --proxy ...). */
  from?: string;
}

/** What the tcp stage concluded. */
export interface TcpDecision {
  /** The address later stages use; absent when none could be connected. */
  endpoint?: Endpoint;
  /** Why that address, in plain words ("[::1] refused, using 127.0.0.1 (IPv4)"). */
  reason: string;
  status: Exclude<StageStatus, 'skip'>;
  summary: string;
  findings: Finding[];
}

/** The diagnosis code for a connect failure of the target. */
export const CODE_BY_OUTCOME: Record<Exclude<TcpOutcome, 'ok' | 'reset'>, string> = {
  refused: 'TCP_REFUSED',
  timeout: 'TCP_TIMEOUT',
  unreachable: 'TCP_UNREACHABLE',
  // An errno nothing else explains: the connection could not be made, the nearest meaning.
  error: 'TCP_UNREACHABLE',
};

const WORDS: Record<TcpOutcome, string> = {
  ok: 'connected',
  reset: 'connected, then reset at once by the peer',
  refused: 'refused',
  timeout: 'no answer',
  unreachable: 'unreachable',
  error: 'failed',
};

const usable = (a: TcpAttempt) => a.outcome === 'ok' || a.outcome === 'reset';

export function addrText(a: Pick<TcpAttempt, 'address' | 'port'>): string {
  return `${formatHost(a.address)}:${a.port}`;
}

/** One line of evidence for an attempt, with its figures. */
export function attemptEvidence(a: TcpAttempt): string {
  const code = a.code ? ` (${a.code})` : '';
  const fam = `IPv${a.family}`;
  if (a.outcome === 'timeout') {
    const why = a.code === 'gave-up' ? ' (given up: another address had connected)' : code;
    return `connect to ${addrText(a)} [${fam}]: no answer within ${Math.round(a.ms)} ms${why}`;
  }
  return `connect to ${addrText(a)} [${fam}]: ${WORDS[a.outcome]}${code} after ${a.ms.toFixed(1)} ms`;
}

function hopNote(hop: TcpHop): string | undefined {
  if (hop.kind !== 'proxy') return undefined;
  return `these are the addresses of the forward proxy ${formatHost(hop.host)}:${hop.port}${hop.from ? ` (chosen by ${hop.from})` : ''}, not of the API`;
}

function choose(attempts: TcpAttempt[]): { chosen?: TcpAttempt; reason: string } {
  const chosen = attempts.find((a) => a.outcome === 'ok') ?? attempts.find((a) => a.outcome === 'reset');
  if (!chosen) return { reason: 'no address could be connected' };
  const idx = attempts.indexOf(chosen);
  if (attempts.length === 1) return { chosen, reason: 'the only address' };
  if (idx === 0) return { chosen, reason: 'the first address in resolved order connected' };
  const before = attempts.slice(0, idx).map((a) => `${addrText(a)} ${WORDS[a.outcome]}`);
  return { chosen, reason: `${before.join(', ')}; using ${addrText(chosen)} (IPv${chosen.family})` };
}

function failureFindings(attempts: TcpAttempt[], hop: TcpHop): Finding[] {
  // One finding per kind of failure, in the order the kinds first appear among the addresses.
  const byCode = new Map<string, TcpAttempt[]>();
  for (const a of attempts) {
    if (usable(a)) continue;
    const code = hop.kind === 'proxy' ? 'PROXY_UNREACHABLE' : CODE_BY_OUTCOME[a.outcome as keyof typeof CODE_BY_OUTCOME];
    byCode.set(code, [...(byCode.get(code) ?? []), a]);
  }
  const note = hopNote(hop);
  return [...byCode.entries()].map(([code, failed]) => {
    const first = failed[0]!;
    return {
      code,
      ...(hop.kind === 'proxy' ? { stage: 'proxy' as const } : {}),
      evidence: [...failed.map(attemptEvidence), ...(note ? [note] : [])],
      details: {
        addresses: failed.map((a) => ({ address: a.address, port: a.port, family: a.family, outcome: a.outcome, code: a.code, ms: a.ms })),
        hop: hop.kind,
        ...(hop.kind === 'proxy' ? { reason: first.outcome } : {}),
      },
      params: { host: hop.host, port: hop.port, address: first.address, hostPort: `${formatHost(hop.host)}:${hop.port}` },
    };
  });
}

function ipv6Finding(attempts: TcpAttempt[], hop: TcpHop): Finding | undefined {
  const v6Failed = attempts.filter((a) => a.family === 6 && !usable(a));
  const v4Ok = attempts.filter((a) => a.family === 4 && a.outcome === 'ok');
  if (v6Failed.length === 0 || v4Ok.length === 0) return undefined;
  const note = hopNote(hop);
  return {
    code: 'IPV6_BROKEN',
    evidence: [...v6Failed.map(attemptEvidence), attemptEvidence(v4Ok[0]!), ...(note ? [note] : [])],
    details: {
      failedIPv6: v6Failed.map((a) => ({ address: a.address, outcome: a.outcome, code: a.code })),
      workingIPv4: v4Ok.map((a) => a.address),
      hop: hop.kind,
    },
    params: { host: hop.host, port: hop.port, address: v6Failed[0]!.address, hostPort: `${formatHost(hop.host)}:${hop.port}` },
  };
}

/** Decide from the attempts (in resolved order) which address to use and what to report. */
export function decideTcp(attempts: TcpAttempt[], hop: TcpHop): TcpDecision {
  const { chosen, reason } = choose(attempts);
  const where = hop.kind === 'proxy' ? 'forward proxy ' : '';
  if (!chosen) {
    const kinds = [...new Set(attempts.map((a) => WORDS[a.outcome]))].join(', ');
    const n = attempts.length;
    return {
      reason,
      status: 'fail',
      summary: `could not connect to ${where ? `the ${where}` : ''}${formatHost(hop.host)}:${hop.port}: ${n === 1 ? addrText(attempts[0]!) : `all ${n} addresses`} ${kinds}`,
      findings: failureFindings(attempts, hop),
    };
  }
  const findings: Finding[] = [];
  const v6 = ipv6Finding(attempts, hop);
  if (v6) findings.push(v6);
  const failed = attempts.filter((a) => !usable(a)).length;
  const extra = failed > 0 ? ` (${failed} of ${attempts.length} addresses failed)` : attempts.length > 1 ? ` (all ${attempts.length} addresses connect)` : '';
  const endpoint: Endpoint = { address: chosen.address, family: chosen.family, port: chosen.port, source: chosen.source };
  return {
    endpoint,
    reason,
    status: findings.length > 0 ? 'warn' : 'pass',
    summary: `${where}${addrText(chosen)} ${WORDS[chosen.outcome]} in ${chosen.ms.toFixed(1)} ms${extra}`,
    findings,
  };
}
