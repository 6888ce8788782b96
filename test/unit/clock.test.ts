import { describe, expect, it } from 'vitest';
import { clockMs } from '../../src/clock.js';

describe('clockMs: the run clock', () => {
  it('is monotonic, and an interval read with it lies inside the same interval read with performance.now (the same clock)', () => {
    const p0 = performance.now();
    const c0 = clockMs();
    let last = c0;
    // Spin until performance.now has moved on 3 ms; every reading of clockMs on the way only grows.
    while (performance.now() - p0 < 3) {
      const c = clockMs();
      expect(c).toBeGreaterThanOrEqual(last);
      last = c;
    }
    const c1 = clockMs();
    const p1 = performance.now();
    expect(c1 - c0).toBeGreaterThan(0);
    // Read inside [p0, p1]: the same clock cannot measure more (a microsecond of rounding allowed).
    expect(c1 - c0).toBeLessThanOrEqual(p1 - p0 + 0.001);
  });
});
