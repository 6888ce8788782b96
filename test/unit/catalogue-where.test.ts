/**
 * catalogue/where.ts, the shortcut `--explain CODE` uses to load one catalogue file: every code of
 * the catalogue is listed there, under the file that really holds it, and the text printed through
 * the shortcut is the text of the full lookup.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/diagnose/catalogue/index.js';
import { quickEntry, WHERE } from '../../src/diagnose/catalogue/where.js';
import { explain } from '../../src/explain/explain.js';
import { explainEntry } from '../../src/explain/entry.js';

describe('catalogue/where.ts', () => {
  it('lists every catalogue code, and no other', () => {
    const missing = CATALOGUE.map((e) => e.code).filter((c) => !Object.hasOwn(WHERE, c));
    expect(missing, 'add these codes to src/diagnose/catalogue/where.ts').toEqual([]);
    const unknown = Object.keys(WHERE).filter((c) => !CATALOGUE.some((e) => e.code === c));
    expect(unknown).toEqual([]);
  });

  it('finds each code in the file it names, with the same text as the whole catalogue', async () => {
    for (const e of CATALOGUE) {
      const q = await quickEntry(e.code);
      expect(q, e.code).toBe(e);
      for (const color of [false, true]) expect(explainEntry(q!, color)).toBe(explain(e.code, color));
    }
  });

  it('knows nothing of other names (the caller falls back to the whole catalogue)', async () => {
    expect(await quickEntry('NOT_A_CODE')).toBeUndefined();
    expect(await quickEntry('toString')).toBeUndefined();
    expect(await quickEntry('CONFIG_PROXY_READ_TIMEOUT')).toBeUndefined();
  });
});
