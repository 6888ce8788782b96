/**
 * The request-body ladder in the MTU verdict, table-tested from facts shaped like the lab's runs
 * (fixtures/mtulab, port 8080 and 8443): delivery is what the kernel acknowledged, never an answer alone.
 */
import { describe, expect, it } from 'vitest';
import { bodyDelivery, bodyLadder } from '../../src/diagnose/mtu/contrast.js';
import { mtuVerdict, type MtuFacts, type ProbeFact } from '../../src/diagnose/mtu/rules.js';
import type { SsInfo } from '../../src/net/mtu/ss.js';

const ss = (o: Partial<SsInfo>): SsInfo => ({ state: 'ESTAB', localPort: 1, peer: '10.254.2.2', peerPort: 8080, sendQ: 0, mss: 1448, advmss: 1448, pmtu: 1500, ...o });
/** Request head size of the lab's POSTs: the body is the request minus this. */
const HEAD = 180;
/** A rung the server's kernel acknowledged in full, answered 200 (`start`: handshake bytes before it). */
const bodyOk = (req: number, start = 0, o: Partial<ProbeFact> = {}): ProbeFact => ({
  kind: 'body', outcome: 'answered', status: 200, bytesWritten: start + req, requestStartBytes: start, bodyBytes: req - HEAD, bytesRead: 160, closedByPeer: true,
  ss: ss({ state: 'CLOSE-WAIT', bytesAcked: start + req + 1 }), ...o,
});
/** A rung of which not one byte was acknowledged: its first full-size segment lost every time. */
const bodyLost = (req: number, start = 0): ProbeFact => ({
  kind: 'body', outcome: 'stalled', bytesWritten: start + req, requestStartBytes: start, bodyBytes: req - HEAD, bytesRead: 0,
  ss: ss({ bytesAcked: start + 1, unacked: Math.min(10, Math.ceil(req / 1448)), lost: 1, retransTotal: 4, backoff: 3 }),
});
/** A rung answered 401 before its body was read, part of the body still in flight. */
const bodyEarly = (req: number, ackedPart: number): ProbeFact => ({
  kind: 'body', outcome: 'answered', status: 401, bytesWritten: req, requestStartBytes: 0, bodyBytes: req - HEAD, bytesRead: 300,
  ss: ss({ bytesAcked: ackedPart + 1, unacked: 3 }),
});
const tiny = (outcome: ProbeFact['outcome'] = 'answered'): ProbeFact =>
  outcome === 'answered'
    ? { kind: 'tiny', outcome, bytesWritten: 7, helloBytes: 7, bytesRead: 120, firstByte: 0x48, closedByPeer: true }
    : { kind: 'tiny', outcome, bytesWritten: 7, helloBytes: 7, bytesRead: 0 };
const rungOk = (size: number): ProbeFact => ({ kind: 'hello', outcome: 'answered', bytesWritten: size, helloBytes: size, bytesRead: 1361, ss: ss({ bytesAcked: size + 1 }) });
const rungLost = (size: number): ProbeFact => ({ kind: 'hello', outcome: 'stalled', bytesWritten: size, helloBytes: size, bytesRead: 0, ss: ss({ bytesAcked: 1, unacked: 1, lost: 1, retransTotal: 4 }) });
const targetOk = (): ProbeFact => ({ kind: 'target-handshake', outcome: 'completed', bytesWritten: 468, helloBytes: 388, bytesRead: 4100, ss: ss({ bytesAcked: 469 }) });
const LADDER = [512, 1000, 1150, 1300, 1400, 2000, 8192, 65536, 65536];
const HELLOS = [500, 700, 1000, 1200, 1300, 1400, 2000, 3800, 3800];
const facts = (probes: ProbeFact[], extra: Partial<MtuFacts> = {}): MtuFacts => ({ probes, ssAvailable: true, baseMtu: 1500, thresholdMs: 2000, ...extra });
/** Plain http through a 1280 route MTU with ICMP dropped: requests up to 1150 bytes fit 1228. */
const plainBlackholed = () => [tiny(), ...LADDER.map((n) => (n <= 1150 ? bodyOk(n) : bodyLost(n)))];

describe('bodyDelivery: the kernel decides, not the answer', () => {
  it.each<[string, ProbeFact, string]>([
    ['every byte acknowledged, answered 200', bodyOk(1000), 'delivered'],
    ['every byte acknowledged, answered 401 (the server did not need to read it)', bodyOk(1000, 0, { status: 401 }), 'delivered'],
    ['not one request byte acknowledged, still retransmitting', bodyLost(1300), 'lost'],
    ['not one byte after a 470-byte TLS handshake', bodyLost(1300, 470), 'lost'],
    ['answered 401 early, part of the body acknowledged, the rest in flight', bodyEarly(8192, 4000), 'unknown'],
    ['some of the request acknowledged (progress: loss, not a size limit)', { ...bodyLost(8192), ss: ss({ bytesAcked: 2897, unacked: 4 }) }, 'unknown'],
    ['the TLS handshake never finished (no request sent)', { ...bodyLost(1300), requestStartBytes: undefined }, 'unknown'],
    ['no ss: a 2xx means the endpoint took the body', { ...bodyOk(1000), ss: undefined }, 'delivered'],
    ['no ss: a 413 proves nothing', { ...bodyOk(65536), status: 413, ss: undefined }, 'unknown'],
    ['no ss: silence after the request', { ...bodyLost(2000), ss: undefined }, 'lost'],
  ])('%s -> %s', (_n, p, want) => expect(bodyDelivery(p)).toBe(want));

  it('the ladder reports its boundary in request and body bytes', () => {
    const b = bodyLadder(plainBlackholed().filter((p) => p.kind === 'body'));
    expect(b).toMatchObject({ largestOk: 1150, smallestLost: 1300, largestOkBody: 970, smallestLostBody: 1120, monotone: true });
  });
});

describe('mtuVerdict with the body ladder', () => {
  it('plain http, client-to-server: the body ladder alone gives the verdict, with its boundary', () => {
    const v = mtuVerdict(facts(plainBlackholed()));
    expect(v).toMatchObject({
      kind: 'blackhole', direction: 'client-to-server', confidence: 'high',
      largestWorkingBytes: 1150, smallestFailingBytes: 1300, largestWorkingBodyBytes: 970, smallestFailingBodyBytes: 1120,
      signals: ['body-ladder-size-dependent', 'bodies-unacked'],
    });
  });

  it('https: both ladders agree; the padded hellos (one packet each) give the bracket', () => {
    const start = 388;
    const probes = [tiny(), targetOk(), targetOk(), ...HELLOS.map((n) => (n <= 1200 ? rungOk(n) : rungLost(n))), ...LADDER.map((n) => (n <= 1000 ? bodyOk(n + 102, start) : bodyLost(n + 102, start)))];
    const v = mtuVerdict(facts(probes));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'client-to-server', confidence: 'high', largestWorkingBytes: 1200, smallestFailingBytes: 1300, largestWorkingBodyBytes: 1102 - HEAD });
    if (v.kind === 'blackhole') expect(v.signals).toEqual(expect.arrayContaining(['ladder-size-dependent', 'hellos-unacked', 'body-ladder-size-dependent', 'bodies-unacked']));
  });

  it('without ss the small rungs count only by their 2xx: still client-to-server, never high confidence', () => {
    const blind = plainBlackholed().map((p) => ({ ...p, ss: undefined }));
    const v = mtuVerdict(facts(blind, { ssAvailable: false }));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'client-to-server' });
    if (v.kind === 'blackhole') expect(v.confidence).not.toBe('high');
  });

  it('an API that answers 401 before reading: the answers are not counted, so no size boundary is claimed', () => {
    const probes = [tiny(), ...LADDER.map((n) => (n <= 1150 ? bodyOk(n, 0, { status: 401 }) : bodyEarly(n, 1448)))];
    expect(bodyLadder(probes.filter((p) => p.kind === 'body'))).toMatchObject({ largestOk: 1150, lost: [] });
    expect(mtuVerdict(facts(probes)).kind).toBe('no-problem');
  });

  it('healthy plain http: every rung delivered -> no problem', () => {
    expect(mtuVerdict(facts([tiny(), ...LADDER.map((n) => bodyOk(n))])).kind).toBe('no-problem');
  });

  it('one retransmission on a bulk (64 KiB) rung of a healthy path is not loss; on a small rung it is', () => {
    const bulkRetrans = (n: number) => bodyOk(n, 0, { ss: ss({ state: 'CLOSE-WAIT', bytesAcked: n + 1, ...(n > 8192 ? { retransTotal: 1, bytesRetrans: 1448 } : {}) }) });
    expect(mtuVerdict(facts([tiny(), ...LADDER.map(bulkRetrans)])).kind).toBe('no-problem');
    const smallRetrans = (n: number) => bodyOk(n, 0, { ss: ss({ state: 'CLOSE-WAIT', bytesAcked: n + 1, ...(n === 1000 ? { retransTotal: 1, bytesRetrans: 1000 } : {}) }) });
    expect(mtuVerdict(facts([tiny(), ...LADDER.map(smallRetrans)])).kind).toBe('lossy');
  });

  it('control: large rungs delivered after ICMP lowered the pmtu -> PMTU discovery works', () => {
    const probes = [tiny(), ...LADDER.map((n) => (n <= 1150 ? bodyOk(n) : bodyOk(n, 0, { ss: ss({ state: 'CLOSE-WAIT', bytesAcked: n + 1, pmtu: 1280, mss: 1228, retransTotal: 1 }) })))];
    expect(mtuVerdict(facts(probes))).toMatchObject({ kind: 'pmtud-works', pathMtu: 1280 });
  });

  const lossy: Array<[string, ProbeFact[]]> = [
    ['a small request lost while larger ones got through', [tiny(), ...LADDER.map((n) => (n === 1000 ? bodyLost(n) : bodyOk(n)))]],
    ['requests lost that are smaller than hellos that were answered', [tiny(), targetOk(), ...HELLOS.map(rungOk), ...LADDER.map((n) => (n <= 1150 ? bodyOk(n, 388) : bodyLost(n, 388)))]],
    ['a delivered request with retransmissions and an unchanged pmtu', [tiny(), bodyOk(512, 0, { ss: ss({ state: 'CLOSE-WAIT', bytesAcked: 513, retransTotal: 2 }) }), ...LADDER.slice(1).map((n) => (n <= 1150 ? bodyOk(n) : bodyLost(n)))]],
  ];
  it.each(lossy)('lossy, never a blackhole: %s', (_n, probes) => {
    const v = mtuVerdict(facts(probes));
    expect(v.kind).toBe('lossy');
  });

  it('big requests that made some progress are loss, not a size limit: no blackhole', () => {
    const partial = (n: number): ProbeFact => ({ ...bodyLost(n), ss: ss({ bytesAcked: 1 + 1448 * 3, unacked: 6, lost: 2, retransTotal: 3 }) });
    const v = mtuVerdict(facts([tiny(), ...LADDER.map((n) => (n <= 2000 ? bodyOk(n) : partial(n)))]));
    expect(v.kind).not.toBe('blackhole');
  });

  it('one lost request is not a ladder', () => {
    const v = mtuVerdict(facts([tiny(), ...LADDER.slice(0, 8).map((n) => (n === 65536 ? bodyLost(n) : bodyOk(n)))]));
    expect(v.kind).not.toBe('blackhole');
  });

  it('plain-http tarpit: bodies acknowledged by the kernel, nothing ever answers -> unresponsive', () => {
    const silent = (n: number): ProbeFact => ({ ...bodyOk(n), outcome: 'stalled', status: undefined, bytesRead: 0, closedByPeer: undefined, ss: ss({ bytesAcked: n + 1 }) });
    expect(mtuVerdict(facts([tiny('stalled'), ...LADDER.map(silent)])).kind).toBe('unresponsive');
  });

  it('server-to-client stall: body rungs whose handshake never finished do not change the verdict', () => {
    const target = (): ProbeFact => ({ kind: 'target-handshake', outcome: 'stalled', bytesWritten: 388, helloBytes: 388, bytesRead: 0, ss: ss({ bytesAcked: 389, rcvOoopack: 1 }) });
    const stuck = (n: number): ProbeFact => ({ kind: 'body', outcome: 'stalled', bytesWritten: 388, bytesRead: 0, ss: ss({ bytesAcked: 389, rcvOoopack: 1 }) });
    const v = mtuVerdict(facts([{ ...tiny(), firstByte: 0x15, closedByPeer: false }, target(), target(), ...HELLOS.map(rungOk), ...LADDER.map(stuck)]));
    expect(v).toMatchObject({ kind: 'blackhole', direction: 'server-to-client', confidence: 'high' });
  });
});
