/** The tls stage's own handshake work (timings.handshakeClient) is a bar of its own in the human waterfall. */
import { describe, expect, it } from 'vitest';
import { renderHuman } from '../../src/render/human.js';
import { phasesOf, TLS_CLIENT, waterfall } from '../../src/render/waterfall.js';
import { buildReport } from '../helpers/reports.js';

describe('waterfall: tls (client)', () => {
  it('splits the tls stage into the handshake and the client\'s own work, the total unchanged', () => {
    const r = buildReport({ stages: { tls: { durationMs: 40, data: { timings: { connect: 1, handshake: 12, handshakeClient: 25 } } } } });
    const phases = phasesOf(r);
    const i = phases.findIndex((p) => p.name === 'tls handshake');
    expect(phases.slice(i, i + 2)).toEqual([{ name: 'tls handshake', ms: 15 }, { name: TLS_CLIENT, ms: 25 }]);
    const total = r.stages.filter((s) => !['env', 'mtu'].includes(s.id) && s.status !== 'skip').reduce((a, s) => a + s.durationMs, 0);
    // (buildReport's http stage has no timings: its bar is the stage's duration.)
    expect(phases.reduce((a, p) => a + p.ms, 0)).toBe(total);
    const lines = waterfall(r, 80);
    expect(lines.find((l) => l.startsWith('tls (client)'))).toMatch(/^tls \(client\) +25 ms │ *█+ *│$/);
    for (const l of renderHuman(r, { color: false, width: 80 }).split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
  });

  it('without handshakeClient (a failed handshake, an older report) or with a value past the stage: one tls bar as before', () => {
    for (const timings of [{ connect: 1, handshake: 12 }, { connect: 1, handshake: 12, handshakeClient: 99 }]) {
      const r = buildReport({ stages: { tls: { durationMs: 40, data: { timings } } } });
      const names = phasesOf(r).map((p) => p.name);
      expect(names).toContain('tls handshake');
      expect(names).not.toContain(TLS_CLIENT);
      expect(phasesOf(r).find((p) => p.name === 'tls handshake')!.ms).toBe(40);
    }
  });
});
