/**
 * Issue 12, items 3 and 6: the key echoed in other encodings is scrubbed, a proxy password of
 * any length is scrubbed in the forms it travels in, and scrubbing a value never breaks JSON.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/secret.js';
import { encodings } from '../../fixtures/key-encodings.js';

const key = 'sk-proj-Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj';

function fragments(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= s.length; i++) out.push(s.slice(i, i + 8));
  return out;
}

describe('echoes in other encodings', () => {
  const r = new Redactor();
  r.add(key);
  it.each(Object.entries(encodings(key)))('%s', (_name, echoed) => {
    const out = r.scrub(`{"error":"bad key ${echoed} given"}`);
    expect(out).toContain('[REDACTED]');
    // Neither the echoed form nor any 8-character run of it survives.
    for (const f of fragments(echoed)) expect(out).not.toContain(f);
    expect(out.startsWith('{"error":"bad key ')).toBe(true);
    expect(out.endsWith(' given"}')).toBe(true);
  });
  it('leaves ordinary encoded text alone', () => {
    const text = 'a%20b &amp; c \\u0041 dGhlIHF1aWNrIGJyb3du';
    expect(r.scrub(text)).toBe(text);
  });
});

describe('proxy passwords of any length', () => {
  it.each(['p', 'pw', 'abc'])('password %s', (pw) => {
    const r = new Redactor();
    r.addCredential('alice', pw);
    const basic = Buffer.from(`alice:${pw}`).toString('base64');
    const out = r.scrub(`407: Proxy-Authorization: Basic ${basic} for http://alice:${pw}@proxy:3128 (alice:${pw})`);
    expect(out).not.toContain(basic);
    expect(out).not.toContain(`alice:${pw}`);
    expect(out).not.toContain(`:${pw}@`);
  });
});

describe('scrubValue never breaks JSON', () => {
  it.each(['true', 'false', '12345678', 'null', '1e10'])('a key that reads %s', (k) => {
    const r = new Redactor();
    r.add(k);
    const v = r.scrubValue({ ok: true, no: false, n: 12345678, e: 1e10, z: null, s: `echo ${k}` });
    expect(() => JSON.parse(JSON.stringify(v))).not.toThrow();
    expect(v.s).toBe('echo [REDACTED]');
    expect(v.ok).toBe(true);
  });
  it('an escape before part of the key', () => {
    const r = new Redactor();
    r.add(key);
    const body = `{"msg":"\\${key.slice(0, 10)}\\"${key.slice(10)}\\u"}`;
    const v = r.scrubValue({ body, arr: [`\\${key}`, `"${key}\\`] });
    const text = JSON.stringify(v);
    expect(() => JSON.parse(text)).not.toThrow();
    for (const f of fragments(key)) expect(text).not.toContain(f);
  });
});
