/** The arrival strip: buffering is visible at a glance. */
import { describe, expect, it } from 'vitest';
import { arrivalStrip, drawStrip, stripDataOf } from '../../src/render/strip.js';
import type { Report } from '../../src/report.js';

const paced = Array.from({ length: 10 }, (_, i) => ({ at: 250 * (i + 1), kind: i === 9 ? 'terminal' : 'content' }));
const burst = Array.from({ length: 10 }, (_, i) => ({ at: 2500 + i * 0.1, kind: i === 9 ? 'terminal' : 'content' }));

describe('drawStrip', () => {
  it('spreads a paced stream along the axis', () => {
    const s = drawStrip({ arrivals: paced, headersAt: 5, total: 2510 }, 40);
    expect(s).toHaveLength(40);
    expect(s[0]).toBe('H');
    expect(s.match(/▂/g)?.length).toBe(9);
    expect(s.trimEnd().endsWith('|')).toBe(true);
  });
  it('shows a buffered stream as one heavy mark at the end', () => {
    const s = drawStrip({ arrivals: burst, headersAt: 5, total: 2502 }, 40);
    expect(s.slice(1, 39)).toBe('·'.repeat(38));
    expect(s[39]).toBe('█');
  });
  it('marks a cut stream at the right edge', () => {
    const s = drawStrip({ arrivals: paced.slice(0, 3), headersAt: 5, total: 2000, end: 'cut' }, 20);
    expect(s[19]).toBe('✕');
  });
});

describe('arrivalStrip from a report', () => {
  const report = (stream: Record<string, unknown> | undefined) =>
    ({ stages: stream ? [{ id: 'stream', status: 'fail', durationMs: 1, summary: '', data: stream }] : [] }) as unknown as Report;
  it('draws the stream stage timeline with its total', () => {
    const line = arrivalStrip(report({ arrivals: burst, timings: { headers: 4, total: 2502 }, end: { kind: 'terminal' } }), 60);
    expect(line).toMatch(/^events 0 ▕·*H?·*█▏ 2\.50 s$/);
  });
  it('draws nothing without stream data, and survives junk', () => {
    expect(arrivalStrip(report(undefined), 60)).toBeUndefined();
    expect(stripDataOf(report({ arrivals: 'x', timings: {} }))).toBeUndefined();
    expect(stripDataOf(report({ arrivals: [null, { at: 'x' }, { at: 5 }], timings: { total: 10 } }))?.arrivals).toEqual([{ at: 5 }]);
  });
});
