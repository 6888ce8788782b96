/**
 * The redactor's fast search (rolling hashes of 8-character windows, the view skipped when a text
 * has nothing to decode) must scrub exactly what the plain search scrubs: a substring and a map
 * lookup per window per secret, over the text and over its decoded view. The plain search is kept
 * here as the oracle, and both are run on texts made of key fragments, encodings, separators and
 * noise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/secret.js';
import { base64Forms, decodedView, isOwnView } from '../../src/redact/view.js';
import { FragmentIndex, type Range } from '../../src/redact/fragments.js';
import { encodings } from '../../fixtures/key-encodings.js';

const MIN = 8;

/** The plain search: every window sliced and looked up, per secret. */
function plainFind(text: string, secret: string, fragments: boolean, out: Range[], map: (r: Range) => Range = (r) => r): void {
  if (!fragments || secret.length <= MIN) {
    for (let p = text.indexOf(secret); p >= 0; p = text.indexOf(secret, p + 1)) out.push(map([p, p + secret.length]));
    return;
  }
  const grams = new Map<string, number[]>();
  for (let j = 0; j + MIN <= secret.length; j++) grams.set(secret.slice(j, j + MIN), [...(grams.get(secret.slice(j, j + MIN)) ?? []), j]);
  for (let p = 0; p + MIN <= text.length; p++) {
    for (const j of grams.get(text.slice(p, p + MIN)) ?? []) {
      let len = MIN;
      while (p + len < text.length && j + len < secret.length && text[p + len] === secret[j + len]) len++;
      out.push(map([p, p + len]));
    }
  }
}

/** The union of ranges as a sorted list of disjoint spans (what the mask covers). */
function union(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function plainRanges(text: string, secrets: Array<{ text: string; fragments: boolean }>): Range[] {
  const ranges: Range[] = [];
  for (const s of secrets) plainFind(text, s.text, s.fragments, ranges);
  const view = decodedView(text);
  for (const s of secrets) plainFind(view.plain, s.text, s.fragments, ranges, ([a, b]) => [view.starts[a]!, view.ends[b - 1]!]);
  return union(ranges);
}

/** The text with the plain search's ranges masked, as Redactor.scrub masks. */
function plainScrub(text: string, secrets: Array<{ text: string; fragments: boolean }>): string {
  let out = '';
  let at = 0;
  for (const [a, b] of plainRanges(text, secrets)) {
    out += `${text.slice(at, a)}[REDACTED]`;
    at = b;
  }
  return out + text.slice(at);
}

const key = 'sk-proj-Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj';
const keySecrets = [{ text: key, fragments: true }, ...base64Forms(key).map((f) => ({ text: f, fragments: true }))];

/** Texts that mix pieces of the key (plain and encoded), separators, entities and noise. */
const piece = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(' ', '\n', '\\n', '\u200b', '\u00ad', '\u00a0', '%', '&', '\\', '&amp;', '%25', '\\u0041', '&#45;'),
  fc.tuple(fc.nat(key.length - 1), fc.integer({ min: 1, max: key.length })).map(([s, n]) => key.slice(s, s + n)),
  fc.constantFrom(...Object.values(encodings(key))),
  fc.tuple(fc.constantFrom(...base64Forms(key)), fc.nat(40)).map(([f, s]) => f.slice(s % f.length)),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const texts = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));

describe('the fast search scrubs what the plain search scrubs', () => {
  it('property: the key and its base64 forms, in any mix of fragments and encodings', () => {
    const r = new Redactor();
    r.add(key);
    fc.assert(
      fc.property(texts, (text) => {
        expect(r.scrub(text)).toBe(plainScrub(text, keySecrets));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: proxy credentials (short forms found whole) beside the key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), texts, (pw, text) => {
        const r = new Redactor();
        r.add(key);
        r.addCredential('alice', pw);
        const secrets = (r as unknown as { secrets: Array<{ text: string; fragments: boolean }> }).secrets;
        const withPw = `${text}alice:${pw}@${text.slice(0, 5)}${pw}`;
        expect(r.scrub(withPw)).toBe(plainScrub(withPw, secrets));
      }),
      { numRuns: 1000 },
    );
  });

  it('a secret added after a scrub is found by the next one', () => {
    const r = new Redactor();
    r.add(key);
    expect(r.scrub('token 0123456789abcdef here')).toBe('token 0123456789abcdef here');
    r.add('0123456789abcdef');
    expect(r.scrub('token 0123456789abcdef here')).toBe('token [REDACTED] here');
  });

  it('windows whose hashes collide are compared character by character', () => {
    const index = new FragmentIndex([key]);
    const out: Range[] = [];
    // Every window of a long noise text goes through the filter; none is a fragment of the key.
    const noise = Array.from({ length: 20000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
    index.find(noise, out);
    const plain: Range[] = [];
    plainFind(noise, key, true, plain);
    expect(out).toEqual(plain);
    expect(out).toEqual([]);
    const text = `..${key.slice(3, 20)}..`;
    index.find(text, out);
    plainFind(text, key, true, plain);
    expect(out).toEqual(plain);
    expect(union(out)).toEqual([[2, 19]]);
  });

  it('a text is its own view exactly when decoding and dropping separators leave it unchanged', () => {
    fc.assert(
      fc.property(texts, (text) => {
        if (isOwnView(text)) expect(decodedView(text).plain).toBe(text);
      }),
      { numRuns: 2000 },
    );
    for (const t of ['a b', 'a\u200bb', 'a%41', 'a&amp;', 'a\\u0041', 'x\u00a0y', 'x\u3000y']) expect(isOwnView(t)).toBe(false);
    expect(isOwnView('sk-proj-abc_DEF.123/x')).toBe(true);
  });
});
