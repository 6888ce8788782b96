/** The MTU verdict, table-tested from probe facts shaped like the lab's measurements (no I/O). */
import { describe, expect, it } from 'vitest';
import { mtuVerdict, stallThresholdMs, type MtuFacts, type ProbeFact } from '../../src/diagnose/mtu/rules.js';
import type { SsInfo } from '../../src/net/mtu/ss.js';

const ss = (o: Partial<SsInfo>): SsInfo => ({ state: 'ESTAB', localPort: 1, peer: '10.0.0.1', peerPort: 443, sendQ: 0, mss: 1448, advmss: 1448, pmtu: 1500, ...o });
const tiny = (outcome: ProbeFact['outcome'] = 'answered'): ProbeFact => ({ kind: 'tiny', outcome, bytesWritten: 7, helloBytes: 7, bytesRead: outcome === 'answered' ? 7 : 0, ...(outcome === 'answered' ? { firstByte: 0x15 } : {}) });
const small = (outcome: ProbeFact['outcome'] = 'completed', s?: Partial<SsInfo>): ProbeFact => ({
  kind: 'small-handshake', outcome, bytesWritten: 444, helloBytes: 364, bytesRead: outcome === 'completed' ? 1361 : 0, ss: ss({ bytesAcked: 445, ...s }),
});
/** A target handshake that stalled after its hello was acked, the tail arriving out of order. */
const targetStalled = (o: Partial<SsInfo> = { rcvOoopack: 1 }): ProbeFact => ({ kind: 'target-handshake', outcome: 'stalled', bytesWritten: 388, helloBytes: 388, bytesRead: 0, ss: ss({ bytesAcked: 389, ...o }) });
const targetOk = (o: Partial<SsInfo> = {}): ProbeFact => ({ kind: 'target-handshake', outcome: 'completed', bytesWritten: 468, helloBytes: 388, bytesRead: 3100, ss: ss({ bytesAcked: 469, ...o }) });
const rungOk = (size: number, o: Partial<SsInfo> = {}): ProbeFact => ({ kind: 'hello', outcome: 'answered', bytesWritten: size, helloBytes: size, bytesRead: 1361, ss: ss({ bytesAcked: size + 1, ...o }) });
const rungLost = (size: number): ProbeFact => ({ kind: 'hello', outcome: 'stalled', bytesWritten: size, helloBytes: size, bytesRead: 0, ss: ss({ bytesAcked: 1, unacked: 1, lost: 1, retransTotal: 4, backoff: 3 }) });
const rungDelivered = (size: number): ProbeFact => ({ kind: 'hello', outcome: 'stalled', bytesWritten: size, helloBytes: size, bytesRead: 0, ss: ss({ bytesAcked: size + 1, rcvOoopack: 1 }) });
const LADDER = [700, 1000, 1200, 1300, 1400, 2000, 3800, 3800];
const ladderAll = () => LADDER.map((n) => rungOk(n));
const ladderBlackholed = () => LADDER.map((n) => (n <= 1200 ? rungOk(n) : rungLost(n)));
const facts = (probes: ProbeFact[], extra: Partial<MtuFacts> = {}): MtuFacts => ({ probes, ssAvailable: true, baseMtu: 1500, ...extra });

describe('mtuVerdict', () => {
  it('server-to-client: target stalls with its hello acked, small replies flow, tail out of order', () => {
    const v = mtuVerdict(facts([tiny(), small(), targetStalled(), targetStalled(), ...ladderAll()]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client', confidence: 'high' });
    if (v.kind === 'blackhole') expect(v.signals).toEqual(expect.arrayContaining(['tail-out-of-order', 'hello-delivered']));
  });

  it('client-to-server: big padded hellos never acked while small ones are answered; bracket 1200/1300', () => {
    const v = mtuVerdict(facts([tiny(), small(), targetOk(), targetOk(), ...ladderBlackholed()]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'client-to-server', confidence: 'high', largestWorkingBytes: 1200, smallestFailingBytes: 1300 });
  });

  it('both directions', () => {
    const v = mtuVerdict(facts([tiny(), small(), targetStalled(), targetStalled(), ...ladderBlackholed()]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'both', largestWorkingBytes: 1200 });
  });

  it('server-to-client with a big default certificate: only the tiny probe answers; delivered rungs are not c2s', () => {
    const v = mtuVerdict(facts([tiny(), small('stalled', { rcvOoopack: 1 }), targetStalled(), targetStalled(), ...LADDER.map(rungDelivered)]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client' });
  });

  it('without ss the verdict stands but confidence is not high', () => {
    const probes = [tiny(), small(), targetStalled(), targetStalled(), ...ladderAll()].map((p) => ({ ...p, ss: undefined }));
    const v = mtuVerdict({ probes, ssAvailable: false });
    expect(v.kind).toBe('blackhole');
    if (v.kind === 'blackhole') expect(v.confidence).not.toBe('high');
  });

  it('a threshold cut short by the budget never gives more than low confidence', () => {
    const v = mtuVerdict(facts([tiny(), small(), targetStalled(), targetStalled(), ...ladderAll()], { thresholdMs: 400 }));
    expect(v).toMatchObject({ kind: 'blackhole', confidence: 'low' });
  });

  it('a peer that dribbles the same bytes to everybody gives no contrast: never a blackhole', () => {
    // A handshake record header then a byte at a time, to every connection whatever it sent.
    const drip = (kind: ProbeFact['kind'], size: number): ProbeFact => ({ kind, outcome: 'answered', bytesWritten: size, helloBytes: size, bytesRead: 12, firstByte: 0x16, ss: ss({ bytesAcked: size + 1 }) });
    const v = mtuVerdict(facts([drip('tiny', 7), drip('small-handshake', 364), drip('target-handshake', 388), drip('target-handshake', 388), ...LADDER.map((n) => drip('hello', n))]));
    expect(v.kind).not.toBe('blackhole');
  });

  it('tarpit: nothing answers whatever the size (hellos acked by the kernel) -> unresponsive', () => {
    const v = mtuVerdict(facts([tiny('stalled'), small('stalled'), targetStalled({}), targetStalled({}), ...LADDER.map(rungDelivered)]));
    expect(v.kind).toBe('unresponsive');
  });

  it('control: ICMP lowered the pmtu, retransmissions after it do not count as loss', () => {
    const rungs = LADDER.map((n) => rungOk(n, n > 1228 ? { pmtu: 1280, mss: 1228, retransTotal: 1 } : {}));
    expect(mtuVerdict(facts([tiny(), small(), targetOk(), targetOk(), ...rungs]))).toMatchObject({ kind: 'pmtud-works', pathMtu: 1280 });
  });

  it('control after the server learned the PMTU: a smaller peer MSS means the path works', () => {
    const all = [tiny(), small(), targetOk(), targetOk(), ...ladderAll()].map((p) => ({ ...p, ss: p.ss && { ...p.ss, mss: 1228 } }));
    expect(mtuVerdict(facts(all))).toMatchObject({ kind: 'pmtud-works', pathMtu: 1280, signals: ['mss-clamped'] });
  });

  it('a learned route MTU alone says PMTU discovery works', () => {
    expect(mtuVerdict(facts([tiny(), small(), targetOk(), ...ladderAll()], { learnedMtu: 1400 }))).toMatchObject({ kind: 'pmtud-works', pathMtu: 1400 });
  });

  it('healthy path: no problem', () => {
    expect(mtuVerdict(facts([tiny(), small(), targetOk(), targetOk(), ...ladderAll()])).kind).toBe('no-problem');
  });

  const lossy: Array<[string, ProbeFact[]]> = [
    ['retransmissions on a connection that worked (pmtu unchanged)', [tiny(), small('completed', { retransTotal: 2 }), targetStalled(), targetStalled(), ...ladderAll()]],
    ['one target handshake completes, the other stalls', [tiny(), small(), targetOk(), targetStalled(), ...ladderAll()]],
    ['a small rung stalls while a larger one answers', [tiny(), small(), targetOk(), targetOk(), ...LADDER.map((n) => (n === 1000 ? rungLost(n) : rungOk(n)))]],
    ['the same size both answered and lost', [tiny(), small(), targetOk(), targetOk(), ...LADDER.slice(0, 7).map((n) => rungOk(n)), rungLost(3800)]],
    ['the tiny probe stalls while others answer', [tiny('stalled'), small(), targetStalled(), targetStalled(), ...ladderAll()]],
  ];
  it.each(lossy)('lossy, never a blackhole: %s', (_name, probes) => {
    expect(mtuVerdict(facts(probes)).kind).toBe('lossy');
  });

  it('big hellos acked but unanswered while small ones answer: stalls that do not follow size are not MTU', () => {
    const rungs = LADDER.map((n) => (n <= 1200 ? rungOk(n) : rungDelivered(n)));
    expect(mtuVerdict(facts([tiny(), small(), targetOk(), targetOk(), ...rungs])).kind).toBe('lossy');
  });

  it('a single lost rung is not a ladder', () => {
    const rungs = LADDER.map((n) => (n === 3800 ? rungLost(n) : rungOk(n)));
    const v = mtuVerdict(facts([tiny(), small(), targetOk(), targetOk(), ...rungs.slice(0, 7)]));
    expect(v.kind).not.toBe('blackhole');
  });

  it('no probe connected', () => {
    expect(mtuVerdict(facts([{ kind: 'tiny', outcome: 'connect-failed', bytesWritten: 0, bytesRead: 0 }]))).toEqual({ kind: 'no-connect' });
  });
});

describe('stallThresholdMs', () => {
  it.each([
    [1, 2000],
    [50, 2000],
    [200, 4000],
    [1000, 10_000],
  ])('connect %d ms -> %d ms', (connect, want) => expect(stallThresholdMs(connect)).toBe(want));
});
