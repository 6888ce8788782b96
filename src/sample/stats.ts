/**
 * The statistics of a sampled run, pure: the Wilson score interval of a failure rate, nearest-rank
 * percentiles, and a bounded series that keeps memory flat however many samples a --duration run takes.
 */

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval of `failed` out of `n` (95 %): unlike the normal approximation it stays
 * inside [0, 1] and is not zero-width at 0 or n failures, which is where small samples usually sit.
 */
export function wilson(failed: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = failed / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At 0 and n the bound is exact in theory; clamp the floating-point dust.
  const lo = failed === 0 ? 0 : Math.max(0, centre - half);
  const hi = failed === n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

/** Nearest-rank percentile (p in 0..100) of values sorted ascending: the smallest value with at least p % at or below it. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1];
}

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** How many values, and their sum (for a Prometheus summary's _count and _sum). */
  count: number;
  sum: number;
}

/**
 * One phase's values. Up to `capacity` values are kept exactly (so percentiles are exact for any
 * --repeat, at most 10000); past that a uniform reservoir sample (Vitter's algorithm R) of that
 * size stands in for them, and the maximum is tracked exactly. Memory: capacity × 8 bytes.
 */
export class BoundedSeries {
  private readonly values: Float64Array;
  private kept = 0;
  /** How many values were offered. */
  count = 0;
  private maxSeen = -Infinity;
  private total = 0;

  constructor(
    readonly capacity = 10_000,
    private readonly random: () => number = Math.random,
  ) {
    this.values = new Float64Array(capacity);
  }

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.count++;
    this.total += v;
    if (v > this.maxSeen) this.maxSeen = v;
    if (this.kept < this.capacity) {
      this.values[this.kept++] = v;
      return;
    }
    const j = Math.floor(this.random() * this.count);
    if (j < this.capacity) this.values[j] = v;
  }

  /** Whether the percentiles are exact (every value kept). */
  get exact(): boolean {
    return this.count <= this.capacity;
  }

  quantiles(): Quantiles | undefined {
    if (this.kept === 0) return undefined;
    const sorted = this.values.slice(0, this.kept).sort();
    const q = (p: number) => round2(percentileSorted(sorted, p)!);
    return { p50: q(50), p90: q(90), p99: q(99), max: round2(this.maxSeen), count: this.count, sum: round2(this.total) };
  }
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The most frequent key of a count map; ties go to the key met first (insertion order). */
export function mostFrequent(counts: Record<string, number>): string | undefined {
  let best: string | undefined;
  for (const [k, n] of Object.entries(counts)) if (best === undefined || n > counts[best]!) best = k;
  return best;
}

/** `23 %` style: whole percent, one decimal below 10 % (a 2 % reset rate must not read 0 %). */
export function percentText(share: number): string {
  const pct = share * 100;
  if (pct > 0 && pct < 10) return `${(Math.round(pct * 10) / 10).toString()} %`;
  return `${Math.round(pct)} %`;
}
