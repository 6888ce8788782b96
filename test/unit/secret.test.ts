import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, Redactor } from '../../src/secret.js';

describe('fingerprint', () => {
  it.each([
    ['sk-proj-abcdefghijklmnop1234', 'sk-…1234'],
    ['sk-ant-api03-xxxxxxxxxxxxwxyz', 'sk-…wxyz'],
    ['AIzaSyA-very-long-gemini-key9876', '…9876'],
    ['0123456789abcdef', '…cdef'],
  ])('%s -> %s', (key, fp) => expect(fingerprint(key)).toBe(fp));
});

describe('Redactor', () => {
  const key = 'sk-proj-Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj';
  const r = new Redactor();
  r.add(key);

  it('scrubs the whole key', () => {
    expect(r.scrub(`Authorization: Bearer ${key}`)).not.toContain(key);
  });
  it('scrubs a masked echo that keeps a long part of the key', () => {
    const echo = `Incorrect API key provided: ${key.slice(0, 12)}************************${key.slice(-4)}.`;
    const out = r.scrub(echo);
    expect(out).not.toContain(key.slice(0, 12));
  });
  it('scrubs the key inside JSON values', () => {
    const v = r.scrubValue({ a: [`x${key}y`], b: { c: key.slice(5, 20) } });
    expect(JSON.stringify(v)).not.toContain(key.slice(5, 20));
  });
  it('leaves unrelated text alone', () => {
    expect(r.scrub('nothing secret here: sk-…Uj')).toBe('nothing secret here: sk-…Uj');
  });
  it('property: no 8-character fragment of the key survives, wherever it is embedded', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(key.length - 8), fc.integer({ min: 8, max: key.length }), fc.string(), (pre, start, len, post) => {
        const frag = key.slice(start, Math.min(key.length, start + len));
        fc.pre(frag.length >= 8);
        const out = r.scrub(pre + frag + post);
        for (let i = 0; i + 8 <= key.length; i++) expect(out).not.toContain(key.slice(i, i + 8));
      }),
    );
  });
});
