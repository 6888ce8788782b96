/**
 * An httpstat-like waterfall of the phases that ran: each phase a bar placed on one time axis.
 * Phases come from the stages' durations and, where the http stage measured them, its own
 * `data.timings` (connect, tls, request, firstByte, download, in ms); the tls stage's is split into
 * the handshake and, when measured (`timings.handshakeClient`), the client's own work in it.
 */
import type { Report } from '../report.js';

export interface Phase {
  name: string;
  ms: number;
}

const HTTP_PHASES: Array<[string, string]> = [
  ['request', 'request sent'],
  ['firstByte', 'server wait'],
  ['download', 'download'],
];

/** The bar of the client's own handshake work (fits the 14-column name field). */
export const TLS_CLIENT = 'tls (client)';

export function phasesOf(report: Report): Phase[] {
  const phases: Phase[] = [];
  for (const s of report.stages) {
    if (s.status === 'skip' || s.id === 'env' || s.id === 'mtu') continue;
    const timings = (s.data as { timings?: Record<string, unknown> }).timings;
    if (s.id === 'http' && timings && typeof timings === 'object') {
      for (const [key, label] of HTTP_PHASES) {
        const v = timings[key];
        if (typeof v === 'number' && v >= 0) phases.push({ name: label, ms: v });
      }
      continue;
    }
    // tls: the client's own work during the handshake (timings.handshakeClient: building the
    // ClientHello, key exchange, chain verification) is a bar of its own beside the rest.
    const client = s.id === 'tls' && timings && typeof timings === 'object' ? timings.handshakeClient : undefined;
    if (typeof client === 'number' && client >= 0 && client <= s.durationMs) {
      phases.push({ name: 'tls handshake', ms: s.durationMs - client }, { name: TLS_CLIENT, ms: client });
      continue;
    }
    phases.push({ name: s.id === 'tls' ? 'tls handshake' : s.id === 'tcp' ? 'tcp connect' : s.id, ms: s.durationMs });
  }
  return phases;
}

export function waterfall(report: Report, width: number): string[] {
  const phases = phasesOf(report);
  if (phases.length < 2) return [];
  const total = phases.reduce((a, p) => a + p.ms, 0);
  if (total <= 0) return [];
  const barWidth = Math.max(10, width - 32);
  let at = 0;
  return phases.map((p) => {
    const start = Math.floor((at / total) * barWidth);
    const len = Math.max(1, Math.round((p.ms / total) * barWidth));
    at += p.ms;
    const bar = ' '.repeat(start) + '█'.repeat(Math.min(len, barWidth - start || 1));
    const ms = p.ms < 10 ? p.ms.toFixed(1) : String(Math.round(p.ms));
    return `${p.name.padEnd(14)}${`${ms} ms`.padStart(10)} │${bar.padEnd(barWidth)}│`;
  });
}
