/** The statistics of sampled runs against references, by property (fast-check) and by table. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedSeries, mostFrequent, percentileSorted, percentText, wilson } from '../../src/sample/stats.js';
import { rateEvidence, SampleAccumulator } from '../../src/sample/summary.js';
import { parseRate, parseSampling } from '../../src/sample/options.js';

/** mulberry32: a small seeded generator, so these statistical checks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile straight from its definition: the smallest v with at least p % of values <= v. */
function referencePercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  for (const v of sorted) if (sorted.filter((x) => x <= v).length >= (p / 100) * sorted.length) return v;
  return sorted[sorted.length - 1]!;
}

describe('Wilson score interval', () => {
  it('matches published values (Newcombe 1998 / textbook figures)', () => {
    const [lo, hi] = wilson(7, 30);
    expect(lo).toBeCloseTo(0.1179, 3);
    expect(hi).toBeCloseTo(0.4093, 3);
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(0, 10)[1]).toBeCloseTo(0.2775, 3);
    expect(wilson(10, 10)[1]).toBe(1);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });

  it('always holds the observed rate, stays inside [0, 1], and is symmetric in failures and passes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))), ([n, k]) => {
        const [lo, hi] = wilson(k, n);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        expect(lo).toBeLessThanOrEqual(k / n + 1e-12);
        expect(hi).toBeGreaterThanOrEqual(k / n - 1e-12);
        const [lo2, hi2] = wilson(n - k, n);
        expect(lo2).toBeCloseTo(1 - hi, 9);
        expect(hi2).toBeCloseTo(1 - lo, 9);
      }),
    );
  });

  it('narrows as the sample grows at the same rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 10 }), (n, kk) => {
        const k = Math.min(kk, n);
        const a = wilson(k, n);
        const b = wilson(4 * k, 4 * n);
        expect(b[1] - b[0]).toBeLessThan(a[1] - a[0]);
      }),
    );
  });

  it('covers the true rate about 95 % of the time (binomial draws with a seeded generator)', () => {
    const rnd = seeded(42);
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const p = 0.3;
      let k = 0;
      for (let i = 0; i < 30; i++) if (rnd() < p) k++;
      const [lo, hi] = wilson(k, 30);
      if (lo <= p && p <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.99);
  });
});

describe('percentiles', () => {
  it('nearest rank equals the reference definition', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.constantFrom(1, 25, 50, 90, 99, 100), (values, p) => {
        const sorted = Float64Array.from(values).sort();
        expect(percentileSorted(sorted, p)).toBe(referencePercentile(values, p));
      }),
    );
  });

  it('BoundedSeries is exact up to its capacity, ordered p50 <= p90 <= p99 <= max, and max is exact beyond it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 10, max: 500 }), (values, cap) => {
        const s = new BoundedSeries(cap);
        for (const v of values) s.add(v);
        const q = s.quantiles()!;
        expect(q.p50).toBeLessThanOrEqual(q.p90);
        expect(q.p90).toBeLessThanOrEqual(q.p99);
        expect(q.p99).toBeLessThanOrEqual(q.max);
        expect(q.max).toBe(Math.max(...values));
        expect(q.count).toBe(values.length);
        expect(q.sum).toBe(values.reduce((a, b) => a + b, 0));
        expect(s.exact).toBe(values.length <= cap);
        if (s.exact) {
          expect(q.p50).toBe(referencePercentile(values, 50));
          expect(q.p99).toBe(referencePercentile(values, 99));
        }
      }),
    );
  });

  it('past its capacity the reservoir stays a fair sample (median of 0..99999 near 50000)', () => {
    const rnd = seeded(7);
    const s = new BoundedSeries(2000, rnd);
    for (let i = 0; i < 100_000; i++) s.add(i);
    const q = s.quantiles()!;
    expect(Math.abs(q.p50 - 50_000)).toBeLessThan(5_000);
    expect(q.max).toBe(99_999);
  });
});

describe('rates and counts', () => {
  it('the accumulator counts exactly what it was fed, and its rate lies in its interval', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ok: fc.boolean(), code: fc.constantFrom('RESET_BEFORE_HEADERS', 'RATE_LIMITED', 'BAD_GATEWAY'), ms: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 200 }), (samples) => {
        const acc = new SampleAccumulator(0);
        samples.forEach((s, i) => acc.add({ at: i * 10, ok: s.ok, code: s.ok ? undefined : s.code, ms: s.ms, retried: false, phases: { total: s.ms } }));
        const sec = acc.section({ intervalMs: 10, concurrency: 1, maxFailureRate: 0, reuse: false });
        const failed = samples.filter((s) => !s.ok);
        expect(sec.count).toBe(samples.length);
        expect(sec.failed).toBe(failed.length);
        expect(Object.values(sec.byCode).reduce((a, b) => a + b, 0)).toBe(failed.length);
        expect(sec.failureRateCi95[0]).toBeLessThanOrEqual(sec.failureRate + 1e-4);
        expect(sec.failureRateCi95[1]).toBeGreaterThanOrEqual(sec.failureRate - 1e-4);
        expect(sec.timeline).toHaveLength(samples.length);
        if (failed.length > 0) expect(sec.byCode[mostFrequent(sec.byCode)!]).toBe(Math.max(...Object.values(sec.byCode)));
        else expect(sec.firstFailureAt).toBeNull();
      }),
    );
  });

  it('the evidence line reads as the contract shows', () => {
    const [lo, hi] = wilson(7, 30);
    expect(rateEvidence({ count: 30, failed: 7, failureRate: 7 / 30, failureRateCi95: [lo, hi], spanMs: 30_000 })).toBe('7 of 30 samples failed (23 %, 95 % CI 12-41 %) over 30 s');
    expect(percentText(0.02)).toBe('2 %');
    expect(percentText(0.005)).toBe('0.5 %');
  });
});

describe('sampling options', () => {
  it('parses and bounds', () => {
    expect(parseSampling({})).toBeUndefined();
    expect(parseSampling({ repeat: '30' })).toEqual({ repeat: 30, durationMs: undefined, intervalMs: 1000, concurrency: 1, reuse: false, maxFailureRate: 0 });
    expect(parseSampling({ duration: '10m', interval: '10ms', concurrency: '16', reuse: true, maxFailureRate: '5%' })).toMatchObject({ durationMs: 600_000, intervalMs: 10, concurrency: 16, reuse: true, maxFailureRate: 0.05 });
    expect(parseRate('0.25')).toBe(0.25);
    for (const bad of [{ repeat: '0' }, { repeat: '1e9' }, { repeat: '2.5' }, { repeat: '30', concurrency: '17' }, { repeat: '3', interval: '-1s' }, { duration: 'x' }, { interval: '1s' }]) {
      expect(() => parseSampling(bad)).toThrow(/^--/);
    }
  });
});
