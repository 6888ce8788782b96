/**
 * Evidence lines for the mtu stage's findings: what was observed, with figures (pure). The
 * meaning and the remediation live in catalogue/mtu.ts.
 */
import { bodyDelivery, bodyLadder, requestBytes } from './contrast.js';
import type { MtuFacts, MtuVerdict, ProbeFact } from './rules.js';

/** Bytes of IPv4 + TCP headers (with the timestamps option Linux uses) around a segment. */
export const HEADER_BYTES_V4 = 52;
export const HEADER_BYTES_V6 = 72;

export interface EvidenceContext {
  thresholdMs: number;
  /** The SNI of the target handshake (undefined for an IP literal). */
  servername?: string;
  family: 4 | 6;
  /** Tunnel-like or small-MTU interfaces, `wg0 mtu 1420`. */
  tunnels: string[];
  /** The tls stage's handshake time, when it completed (a slow one may be TCP healing itself). */
  tlsHandshakeMs?: number;
  /** The stall that triggered the stage, if any. */
  stall?: { stage: string; code: string; afterMs: number };
}

const ok = (p: ProbeFact) => p.outcome !== 'stalled' && p.outcome !== 'connect-failed';
const list = (ns: number[]) => [...new Set(ns)].sort((a, b) => a - b).join(', ');
const sum = (ps: ProbeFact[], f: (p: ProbeFact) => number | undefined) => ps.reduce((n, p) => n + (f(p) ?? 0), 0);

/** The path MTU bracket a ClientHello ladder implies: [largest ok + headers, smallest lost + headers − 1]. */
export function mtuBracket(largestOk: number | undefined, smallestLost: number | undefined, family: 4 | 6) {
  const h = family === 6 ? HEADER_BYTES_V6 : HEADER_BYTES_V4;
  return { low: largestOk !== undefined ? largestOk + h : undefined, high: smallestLost !== undefined ? smallestLost + h - 1 : undefined };
}

/** The repeated HTTP request: handshake done, answer missing, its tail out of order. */
function responseLines(f: MtuFacts, c: EvidenceContext): string[] {
  const reqs = f.probes.filter((p) => p.kind === 'http-target' && p.handshakeDone);
  const holed = reqs.filter((p) => (p.ss?.rcvOoopack ?? 0) > 0);
  const out = [
    `the HTTP request that stalled was sent again on ${reqs.length} new connections: each TLS handshake completed (the server's small first flight arrived), then no complete answer came back within ${c.thresholdMs} ms`,
  ];
  if (holed.length > 0) {
    const s = holed[0]!.ss!;
    out.push(
      `kernel view (ss) of those connections: ${holed.length} of ${reqs.length} received part of the answer out of order (rcv_ooopack:${s.rcvOoopack}, data_segs_in:${s.dataSegsIn ?? '?'}) ` +
        `and the hole before it was never filled: the server's full-size packets were lost every time, its smaller last packet arrived`,
    );
  }
  return out;
}

function s2cLines(f: MtuFacts, c: EvidenceContext): string[] {
  if (f.probes.some((p) => p.kind === 'http-target' && p.handshakeDone) && !f.probes.some((p) => p.kind === 'target-handshake' && p.outcome !== 'completed')) {
    return responseLines(f, c);
  }
  const targets = f.probes.filter((p) => p.kind === 'target-handshake' && p.outcome !== 'connect-failed');
  const stalled = targets.filter((p) => !ok(p) || p.outcome === 'answered');
  const sni = c.servername ? `with SNI ${c.servername}` : 'to the target';
  const out = [
    `the TLS handshake ${sni} got no complete server flight within ${c.thresholdMs} ms (${stalled.length} of ${targets.length} attempts; ` +
      `${sum(stalled, (p) => p.bytesRead)} bytes received after a ${stalled[0]?.helloBytes ?? '?'}-byte ClientHello)`,
  ];
  const tiny = f.probes.find((p) => p.kind === 'tiny' && ok(p));
  if (tiny) out.push(`small packets flow back: a 7-byte TLS alert sent on its own connection was answered (${tiny.outcome}, ${tiny.bytesRead} bytes${tiny.closedByPeer ? ', then the server closed' : ''})`);
  const alerts = f.probes.filter((p) => (p.kind === 'hello' || p.kind === 'small-handshake') && p.outcome === 'answered' && p.firstByte === 0x15);
  if (alerts.length > 0) out.push(`${alerts.length} other handshakes without this host name were answered with a TLS alert (small packets)`);
  const small = f.probes.find((p) => p.kind === 'small-handshake' && p.outcome === 'completed');
  if (small) out.push(`a handshake without SNI (a smaller server flight) completed: ${small.bytesRead} bytes received`);
  const ooo = stalled.filter((p) => (p.ss?.rcvOoopack ?? 0) > 0);
  if (ooo.length > 0) {
    out.push(
      `kernel view (ss) of the stalled connections: ${ooo.length} of ${stalled.length} received an out-of-order packet (rcv_ooopack) ` +
        `but no in-order data (bytes_received ${sum(ooo, (p) => p.ss?.bytesReceived)}): the server's full-size packets were lost and only its small last packet arrived`,
    );
  }
  const acked = stalled.filter((p) => p.ss && (p.ss.unacked ?? 0) === 0 && (p.ss.bytesAcked ?? 0) > p.bytesWritten);
  if (acked.length > 0) out.push(`the server acknowledged the whole ClientHello on ${acked.length} of ${stalled.length} stalled connections: the request got there, the answer did not come back`);
  if (ooo.length === 0) {
    out.push(
      'not one packet of the server\'s answer arrived, not even out of order: this fits a flight whose every packet is too big for the path ' +
        '(e.g. one certificate segment just over the limit), but also a server that hangs for this name only, hence the lower confidence',
    );
  }
  return out;
}

function helloLines(f: MtuFacts, c: EvidenceContext): string[] {
  const rungs = f.probes.filter((p) => p.kind === 'hello' && p.outcome !== 'connect-failed');
  const okSizes = rungs.filter(ok).map((p) => p.helloBytes ?? 0);
  const natural = f.probes.filter((p) => p.kind !== 'hello' && p.outcome === 'completed' && p.helloBytes !== undefined).map((p) => p.helloBytes!);
  const lost = rungs.filter((p) => p.outcome === 'stalled');
  const passed = okSizes.length > 0 ? `ClientHellos padded to ${list(okSizes)} bytes were answered` : `only unpadded ClientHellos (${list(natural)} bytes) completed their handshakes`;
  const out = [`${passed}; ${list(lost.map((p) => p.helloBytes ?? 0))} bytes got no answer within ${c.thresholdMs} ms`];
  const withSs = lost.filter((p) => p.ss);
  if (withSs.length > 0) {
    const s = withSs[0]!.ss!;
    out.push(
      `kernel view (ss) of the unanswered hellos: ${withSs.filter((p) => (p.ss!.unacked ?? 0) > 0).length} of ${withSs.length} never acknowledged ` +
        `(e.g. unacked:${s.unacked ?? 0} lost:${s.lost ?? 0} sacked:${s.sacked ?? 0} retrans:${s.retransTotal ?? 0} backoff:${s.backoff ?? 0}), ` +
        `still sending with pmtu:${s.pmtu ?? '?'} mss:${s.mss ?? '?'}: no ICMP "fragmentation needed" reached this host`,
    );
  }
  return out;
}

/** The request-body ladder: which POSTs the server's kernel acknowledged and which it never saw. */
function bodyLines(f: MtuFacts, c: EvidenceContext): string[] {
  const b = bodyLadder(f.probes.filter((p) => p.kind === 'body'));
  const sizes = (ps: ProbeFact[]) => list(ps.map((p) => requestBytes(p) ?? 0));
  const bodies = (ps: ProbeFact[]) => list(ps.map((p) => p.bodyBytes ?? 0));
  const out = [
    `POST requests of ${sizes(b.delivered)} bytes on the wire (bodies of ${bodies(b.delivered)} bytes) were delivered: the server acknowledged every byte; ` +
      `requests of ${sizes(b.lost)} bytes (bodies of ${bodies(b.lost)} bytes) were not acknowledged at all within ${c.thresholdMs} ms`,
    `the largest request body that got through was ${b.largestOkBody ?? '?'} bytes; the smallest that vanished, ${b.smallestLostBody ?? '?'} bytes`,
  ];
  const seen = b.lost.find((p) => p.ss);
  const s = seen?.ss;
  if (s) {
    out.push(
      `kernel view (ss) of a lost request: bytes_acked:${s.bytesAcked ?? '?'} (nothing after the ${seen!.requestStartBytes ?? 0} bytes sent before the request), ` +
        `unacked:${s.unacked ?? 0} lost:${s.lost ?? 0} retrans:${s.retransTotal ?? 0} backoff:${s.backoff ?? 0}, still sending with pmtu:${s.pmtu ?? '?'} mss:${s.mss ?? '?'}`,
    );
  }
  const early = f.probes.filter((p) => p.kind === 'body' && p.status !== undefined && bodyDelivery(p) !== 'delivered');
  if (early.length > 0) out.push(`${early.length} requests were answered (HTTP ${list(early.map((p) => p.status!))}) without proof that their bodies arrived: an answer alone was not counted as delivery`);
  return out;
}

function c2sLines(f: MtuFacts, v: Extract<MtuVerdict, { kind: 'blackhole' }>, c: EvidenceContext): string[] {
  const out: string[] = [];
  if (v.signals.includes('ladder-size-dependent')) out.push(...helloLines(f, c));
  if (v.signals.includes('body-ladder-size-dependent')) out.push(...bodyLines(f, c));
  const b = mtuBracket(v.largestWorkingBytes, v.smallestFailingBytes, c.family);
  const what = v.signals.includes('ladder-size-dependent') ? 'hello' : 'request';
  if (b.low !== undefined && b.high !== undefined && f.baseMtu !== undefined) b.high = Math.min(b.high, f.baseMtu);
  if (b.low !== undefined && b.high !== undefined) out.push(`the path MTU is between ${b.low} and ${b.high} bytes (${what} size + ${b.low - (v.largestWorkingBytes ?? 0)} bytes of IP and TCP headers)`);
  return out;
}

export function blackholeEvidence(f: MtuFacts, v: Extract<MtuVerdict, { kind: 'blackhole' }>, c: EvidenceContext): string[] {
  const out: string[] = [];
  if (v.direction !== 'client-to-server') out.push(...s2cLines(f, c));
  if (v.direction !== 'server-to-client') out.push(...c2sLines(f, v, c));
  if (c.tunnels.length > 0) out.push(`tunnel or small-MTU interfaces on this host: ${c.tunnels.join(', ')}`);
  if (v.direction !== 'client-to-server' && c.tlsHandshakeMs !== undefined && c.tlsHandshakeMs > c.thresholdMs / 2) {
    out.push(
      `the tls stage's own handshake did complete, but only after ${Math.round(c.tlsHandshakeMs)} ms: the sender got through late, ` +
        'as TCP MTU probing (tcp_mtu_probing) or a smaller retransmission does after several timeouts; every new connection pays that delay',
    );
  }
  if (!f.ssAvailable) out.push('ss (iproute2) was not available, so the kernel counters of the probe sockets could not be read');
  return out;
}

export function notMtuEvidence(f: MtuFacts, v: MtuVerdict, c: EvidenceContext): string[] {
  const connected = f.probes.filter((p) => p.outcome !== 'connect-failed');
  const stalled = connected.filter((p) => p.outcome === 'stalled');
  const line = `${connected.length - stalled.length} of ${connected.length} probe connections got an answer within ${c.thresholdMs} ms`;
  switch (v.kind) {
    case 'filtered':
      return [
        `${line}: the ClientHello naming ${c.servername ?? 'the target'} (${v.helloBytes ?? '?'} bytes) was never acknowledged by the server (the kernel kept retransmitting it), ` +
          `while padded ClientHellos without that name, up to ${v.largestOkBytes ?? '?'} bytes, were answered`,
        'larger packets pass and a smaller one naming this host vanishes: something on the path drops the handshake because of the name it carries, not because of its size',
      ];
    case 'unresponsive':
      if (v.signals.includes('response-stalled')) {
        return [
          `${line}; the HTTP request was sent again after a completed TLS handshake, the server acknowledged it and sent nothing back`,
          'no packet of an answer arrived out of order, so nothing was lost on the way: the server (or something behind it) is slow or hung, the path MTU is not the cause',
        ];
      }
      return [
        `${line}: not even a 7-byte TLS alert or a small ClientHello was answered, although the server's TCP stack acknowledged them`,
        'a server that accepts connections and never answers, whatever the size, is hung or a tarpit, not behind an MTU blackhole',
      ];
    case 'pmtud-works':
      return v.signals.includes('mss-clamped')
        ? [`${line}; the server already sends and asks for segments that fit a path MTU of about ${v.pathMtu ?? '?'} bytes (its MSS is below this host's), so large flights get through`]
        : [`${line}; large packets got through after path MTU discovery lowered the path MTU to ${v.pathMtu ?? '?'} bytes (ICMP "fragmentation needed" arrives)`];
    case 'lossy': {
      const retrans = connected.filter((p) => ok(p) && (p.ss?.retransTotal ?? 0) > 0).length;
      const out = [`${line}; the stalls did not follow packet size`];
      if (retrans > 0) out.push(`${retrans} connections that worked still needed retransmissions (ss retrans), a sign of random loss`);
      if (v.signals.includes('ladder-not-monotone')) out.push('a smaller padded ClientHello stalled while a larger one was answered');
      if (v.signals.includes('target-mixed')) out.push('the same handshake completed on one connection and stalled on another');
      if (v.signals.includes('body-ladder-not-monotone')) out.push('a POST request was lost while a larger one (or a larger ClientHello) got through');
      if (v.signals.includes('small-probe-stalled')) out.push('the 7-byte alert probe got no answer while larger probes did');
      return out;
    }
    default:
      return [line];
  }
}
