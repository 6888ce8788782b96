/**
 * Held-out shapes for the MTU verdict, taken from runs in the variant lab (fixtures/mtulab/variants.ts):
 * nginx answering the stray alert with a plain-text 400 and a close, ssl_reject_handshake alerts,
 * a flight that is one segment just over the path, a 576-byte path, an SNI filter, a download
 * stall after a good handshake, a slow upstream, and peers that must never look size dependent.
 */
import { describe, expect, it } from 'vitest';
import { mtuVerdict, type MtuFacts, type ProbeFact } from '../../src/diagnose/mtu/rules.js';
import type { SsInfo } from '../../src/net/mtu/ss.js';

const ss = (o: Partial<SsInfo>): SsInfo => ({ state: 'ESTAB', localPort: 1, peer: '10.254.2.2', peerPort: 443, sendQ: 0, mss: 1448, advmss: 1448, pmtu: 1500, ...o });
const H = 0x48; // 'H' of "HTTP/1.1 400"
/** nginx: a stray alert gets a plain-text 400 page, then a FIN. */
const tinyNginx = (): ProbeFact => ({ kind: 'tiny', outcome: 'answered', bytesWritten: 7, helloBytes: 7, bytesRead: 309, firstByte: H, closedByPeer: true });
/** ssl_reject_handshake: a handshake without a known name gets a 7-byte alert. */
const alerted = (kind: ProbeFact['kind'], size: number): ProbeFact => ({ kind, outcome: 'answered', bytesWritten: size, helloBytes: size, bytesRead: 7, firstByte: 0x15 });
const stalledTarget = (o: Partial<SsInfo>, hello = 388): ProbeFact => ({ kind: 'target-handshake', outcome: 'stalled', bytesWritten: hello, helloBytes: hello, bytesRead: 0, ss: ss(o) });
const okTarget = (hello = 388): ProbeFact => ({ kind: 'target-handshake', outcome: 'completed', bytesWritten: hello + 80, helloBytes: hello, bytesRead: 4059, ss: ss({ bytesAcked: hello + 81 }) });
const lostRung = (size: number): ProbeFact => ({ kind: 'hello', outcome: 'stalled', bytesWritten: size, helloBytes: size, bytesRead: 0, ss: ss({ bytesAcked: 1, unacked: Math.ceil(size / 1448), lost: 1, retransTotal: 4 }) });
const LADDER = [500, 700, 1000, 1200, 1300, 1400, 2000, 3800, 3800];
const facts = (probes: ProbeFact[], ssAvailable = true): MtuFacts => ({ probes, ssAvailable, baseMtu: 1500, thresholdMs: 2000 });

describe('held-out: nginx as the server', () => {
  it('TLS 1.3 with ssl_reject_handshake: the 400 page and the alerts are the contrast, the tail proves the loss', () => {
    const v = mtuVerdict(facts([tinyNginx(), alerted('small-handshake', 364), stalledTarget({ bytesAcked: 389, rcvOoopack: 1 }), stalledTarget({ bytesAcked: 389, rcvOoopack: 1 }), ...LADDER.map((n) => alerted('hello', n))]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client', confidence: 'high' });
  });

  it('TLS 1.2 with the big chain as the only certificate: every handshake stalls with its tail out of order -> s2c, not "unresponsive"', () => {
    const holed = (kind: ProbeFact['kind'], size: number): ProbeFact => ({ kind, outcome: 'stalled', bytesWritten: size, helloBytes: size, bytesRead: 0, ss: ss({ bytesAcked: size + 1, rcvOoopack: 1, dataSegsIn: 1 }) });
    const v = mtuVerdict(facts([tinyNginx(), holed('small-handshake', 364), holed('target-handshake', 388), holed('target-handshake', 388), ...LADDER.map((n) => holed('hello', n))]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client', confidence: 'high' });
  });

  it('a flight that is one segment just over the path: nothing arrives at all -> s2c, but only medium confidence (no tail)', () => {
    const v = mtuVerdict(facts([tinyNginx(), alerted('small-handshake', 364), stalledTarget({ bytesAcked: 391 }, 390), stalledTarget({ bytesAcked: 391 }, 390), ...LADDER.map((n) => alerted('hello', n))]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client', confidence: 'medium' });
    if (v.kind === 'blackhole') expect(v.signals).toContain('no-tail');
  });
});

describe('held-out: very small path MTU (576)', () => {
  const probes = [
    { kind: 'tiny', outcome: 'answered', bytesWritten: 7, helloBytes: 7, bytesRead: 7, firstByte: 0x15 } as ProbeFact,
    { kind: 'small-handshake', outcome: 'completed', bytesWritten: 444, helloBytes: 364, bytesRead: 1361, ss: ss({ bytesAcked: 445 }) } as ProbeFact,
    okTarget(),
    okTarget(),
    // 500 + 52 fits 576; every larger rung is lost and never acknowledged.
    ...LADDER.map((n) => (n === 500 ? ({ kind: 'hello', outcome: 'answered', bytesWritten: 500, helloBytes: 500, bytesRead: 1361, firstByte: 0x16, ss: ss({ bytesAcked: 501 }) } as ProbeFact) : lostRung(n))),
  ];
  it('client-to-server, bracketed by the 500-byte rung', () => {
    expect(mtuVerdict(facts(probes))).toMatchObject({ kind: 'blackhole', direction: 'client-to-server', largestWorkingBytes: 500, smallestFailingBytes: 700 });
  });
  it('every padded rung lost: the unpadded hellos of completed handshakes are the floor (with the kernel confirming the loss)', () => {
    const noFloor = probes.filter((p) => !(p.kind === 'hello' && p.helloBytes === 500));
    expect(mtuVerdict(facts(noFloor))).toMatchObject({ kind: 'blackhole', direction: 'client-to-server', largestWorkingBytes: 388, smallestFailingBytes: 700 });
    // Without ss nothing says the padded hellos were lost rather than ignored: no c2s verdict.
    const blind = noFloor.map((p) => ({ ...p, ss: undefined }));
    expect(mtuVerdict(facts(blind, false)).kind).not.toBe('blackhole');
  });
});

describe('held-out: not an MTU problem', () => {
  it('an SNI filter: the small hello naming the host is never acked while larger hellos are answered', () => {
    const v = mtuVerdict(facts([tinyNginx(), alerted('small-handshake', 364), stalledTarget({ bytesAcked: 1, unacked: 1, retransTotal: 4 }), stalledTarget({ bytesAcked: 1, unacked: 1, retransTotal: 4 }), ...LADDER.map((n) => alerted('hello', n))]));
    expect(v).toMatchObject({ kind: 'filtered', helloBytes: 388, largestOkBytes: 3800 });
  });

  it('a peer that answers everybody with the same text and closes: the target got it too, no contrast', () => {
    const banner = (kind: ProbeFact['kind'], size: number): ProbeFact => ({ kind, outcome: 'answered', bytesWritten: size, helloBytes: size, bytesRead: 120, firstByte: H, closedByPeer: true, ss: ss({ bytesAcked: size + 1 }) });
    const v = mtuVerdict(facts([banner('tiny', 7), banner('small-handshake', 364), banner('target-handshake', 388), banner('target-handshake', 388), ...LADDER.map((n) => banner('hello', n))]));
    expect(v.kind).not.toBe('blackhole');
  });

  const request = (o: Partial<ProbeFact>, s: Partial<SsInfo>): ProbeFact => ({ kind: 'http-target', outcome: 'stalled', bytesWritten: 700, helloBytes: 387, bytesRead: 1617, handshakeDone: true, ss: ss({ bytesAcked: 701, ...s }), ...o });
  const base = [tinyNginx(), alerted('small-handshake', 364), okTarget(387), okTarget(387), ...LADDER.map((n) => alerted('hello', n))];

  it('download stall after a good handshake: the repeated request stalls with its tail out of order -> s2c, high', () => {
    const v = mtuVerdict(facts([...base, request({}, { rcvOoopack: 1, dataSegsIn: 4 }), request({}, { rcvOoopack: 1, dataSegsIn: 4 })]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client', confidence: 'high' });
    if (v.kind === 'blackhole') expect(v.signals).toContain('response-stalled');
  });

  it('a slow upstream: the request arrived, nothing came back, nothing was lost -> unresponsive, never a blackhole', () => {
    const v = mtuVerdict(facts([...base, request({}, {}), request({}, {})]));
    expect(v).toMatchObject({ kind: 'unresponsive' });
    if (v.kind === 'unresponsive') expect(v.signals).toContain('response-stalled');
  });

  it('the repeated request answered once and stalled once: inconsistent, never a blackhole', () => {
    const v = mtuVerdict(facts([...base, request({ outcome: 'completed', closedByPeer: true }, {}), request({}, { rcvOoopack: 1 })]));
    expect(v.kind).toBe('lossy');
  });
});
