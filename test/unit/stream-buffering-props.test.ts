/** Properties of the buffering rule over generated timelines (pure, no I/O). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessBuffering } from '../../src/diagnose/stream/buffering.js';
import type { ArrivalEvent } from '../../src/net/stream/sse.js';

const ev = (at: number, chunk: number): ArrivalEvent => ({ at, chunk, kind: 'content', bytes: 30 });

describe('assessBuffering properties', () => {
  it('a stream whose events each came in their own read is never called buffered, whatever the timing', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 3, maxLength: 60 }), (times) => {
        const sorted = [...times].sort((a, b) => a - b);
        expect(assessBuffering(sorted.map((t, i) => ev(t, i))).buffered).toBe(false);
      }),
    );
  });

  it('nearly all events in one or two reads after a wait of 300 ms or more is always buffered', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 60 }),
        fc.double({ min: 300, max: 60_000, noNaN: true }),
        fc.integer({ min: 1, max: 2 }),
        (n, wait, reads) => {
          const arrivals = Array.from({ length: n }, (_, i) => ev(wait + (i % reads) * 50, i % reads));
          expect(assessBuffering(arrivals).buffered).toBe(true);
        },
      ),
    );
  });

  it('ignores order and extra early single events up to a fifth of the stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 40 }), fc.double({ min: 400, max: 10_000, noNaN: true }), (n, wait) => {
        const early = Math.floor(n / 5);
        const arrivals = [
          ...Array.from({ length: early }, (_, i) => ev(10 + i, 100 + i)),
          ...Array.from({ length: n - early }, () => ev(wait, 0)),
        ].reverse();
        expect(assessBuffering(arrivals).buffered).toBe(true);
      }),
    );
  });
});
