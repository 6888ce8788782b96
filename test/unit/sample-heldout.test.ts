/** Held-out edges of the sample summary: the --max-failure-rate threshold on counts, the burst/spread pattern, the keep-alive race rule. */
import { describe, expect, it } from 'vitest';
import { keepaliveRace, patternEvidence, SampleAccumulator, samplesFail, type SampleOutcome } from '../../src/sample/summary.js';

const sectionOf = (outcomes: Array<Partial<SampleOutcome>>, opts: { reuse?: boolean; maxFailureRate?: number } = {}) => {
  const acc = new SampleAccumulator(Date.UTC(2026, 0, 1));
  outcomes.forEach((o, i) => acc.add({ at: i * 1000, ok: true, ms: 10, retried: false, phases: { total: 10 }, ...o }));
  const reuse = opts.reuse ? { like: 'python-httpx', keepaliveExpirySeconds: 5, maxKeepaliveConnections: 20, maxConnections: 100, connectionsOpened: 1, reusedRequests: outcomes.length - 1 } : false;
  return acc.section({ intervalMs: 1000, concurrency: 1, maxFailureRate: opts.maxFailureRate ?? 0, reuse });
};

describe('--max-failure-rate is compared on the counts', () => {
  it('exactly at the threshold passes, one more fails, float dust aside', () => {
    expect(samplesFail({ failed: 7, count: 100, maxFailureRate: 0.07 })).toBe(false);
    expect(samplesFail({ failed: 8, count: 100, maxFailureRate: 0.07 })).toBe(true);
    expect(samplesFail({ failed: 29, count: 100, maxFailureRate: 0.29 })).toBe(false);
    // 1 of 3 is 33.333 %: more than 33.33 %, though the report rounds its rate to 0.3333.
    expect(samplesFail({ failed: 1, count: 3, maxFailureRate: 0.3333 })).toBe(true);
    expect(samplesFail({ failed: 0, count: 3, maxFailureRate: 0 })).toBe(false);
    expect(samplesFail({ failed: 3, count: 3, maxFailureRate: 1 })).toBe(false);
  });
});

describe('the pattern of the failures in start order', () => {
  it('an onset that stays, spread-out failures, bursts', () => {
    const onset = sectionOf([{}, {}, { ok: false, code: 'RATE_LIMITED' }, { ok: false, code: 'RATE_LIMITED' }]);
    expect(patternEvidence(onset)).toMatch(/the first 2 samples passed, then every sample from #3 to the last \(#4\) failed \(RATE_LIMITED\)/);
    const spread = sectionOf([{}, { ok: false, code: 'SERVER_ERROR' }, {}, { ok: false, code: 'SERVER_ERROR' }, {}]);
    expect(patternEvidence(spread)).toMatch(/spread out, never two in a row \(samples #2, #4\)/);
    const bursts = sectionOf([{ ok: false, code: 'OVERLOADED' }, { ok: false, code: 'OVERLOADED' }, {}, { ok: false, code: 'OVERLOADED' }, {}]);
    expect(patternEvidence(bursts)).toMatch(/2 bursts; the longest, 2 in a row, samples #1-#2/);
    expect(patternEvidence(sectionOf([{}, {}]))).toBeUndefined();
  });
});

describe('the keep-alive race rule', () => {
  it('only when every failure was a reset on a reused connection and none on a new one', () => {
    const race = sectionOf(
      [{}, { reusedIdleMs: 400 }, { ok: false, code: 'RESET_BEFORE_HEADERS', reusedIdleMs: 1500 }, { ok: false, code: 'RESET_BEFORE_HEADERS', reusedIdleMs: 1600 }],
      { reuse: true },
    );
    const r = keepaliveRace(race)!;
    expect(r.idleSeconds).toEqual([1.5, 1.6]);
    expect(r.evidence).toMatch(/somewhere between 0.4 and 1.5 s/);
    const freshToo = sectionOf([{ ok: false, code: 'RESET_BEFORE_HEADERS' }, { ok: false, code: 'RESET_BEFORE_HEADERS', reusedIdleMs: 1500 }, {}], { reuse: true });
    expect(keepaliveRace(freshToo)).toBeUndefined();
    const limit = sectionOf([{}, { ok: false, code: 'RATE_LIMITED', reusedIdleMs: 1500 }], { reuse: true });
    expect(keepaliveRace(limit)).toBeUndefined();
    const noReuse = sectionOf([{}, { ok: false, code: 'RESET_BEFORE_HEADERS' }]);
    expect(keepaliveRace(noReuse)).toBeUndefined();
  });
});
