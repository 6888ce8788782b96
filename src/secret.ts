/**
 * The API key never leaves the process in any output. A Redactor knows the secrets of a run
 * (the key, proxy credentials) and scrubs them, whole or in part, from any text, in the encodings
 * servers echo them in (percent-encoding, HTML entities, `\u` escapes, base64, cut across lines).
 */
import { base64Forms, decodedView } from './redact/view.js';

/** `sk-…abcd`: the key's prefix up to its first dash (when short) and its last four characters. */
export function fingerprint(key: string): string {
  // A short key (a placeholder, a typo, `true`) would be shown whole, or nearly: show nothing of it.
  if (key.length < 12) return '…';
  const last4 = key.slice(-4);
  const dash = key.indexOf('-');
  const prefix = dash > 0 && dash <= 4 ? key.slice(0, dash + 1) : '';
  return `${prefix}…${last4}`;
}

/** The shortest run of a secret's characters that is scrubbed when found alone. */
const MIN_FRAGMENT = 8;
const MASK = '[REDACTED]';

type Range = [number, number];

/** Every run of 8 characters of s -> where it starts in s (built once per secret, not per text). */
function gramsOf(s: string): Map<string, number[]> {
  const grams = new Map<string, number[]>();
  for (let j = 0; j + MIN_FRAGMENT <= s.length; j++) {
    const g = s.slice(j, j + MIN_FRAGMENT);
    const list = grams.get(g);
    if (list) list.push(j);
    else grams.set(g, [j]);
  }
  return grams;
}

/** Where the secret occurs in text, whole, and (when fragments) every run of at least 8 of its characters. */
function findRanges(text: string, secret: Secret, out: Range[], map: (r: Range) => Range = (r) => r): void {
  const s = secret.text;
  if (!secret.fragments || s.length <= MIN_FRAGMENT) {
    for (let p = text.indexOf(s); p >= 0; p = text.indexOf(s, p + 1)) out.push(map([p, p + s.length]));
    return;
  }
  const grams = (secret.grams ??= gramsOf(s));
  for (let p = 0; p + MIN_FRAGMENT <= text.length; p++) {
    const js = grams.get(text.slice(p, p + MIN_FRAGMENT));
    if (!js) continue;
    for (const j of js) {
      let len = MIN_FRAGMENT;
      while (p + len < text.length && j + len < s.length && text[p + len] === s[j + len]) len++;
      out.push(map([p, p + len]));
    }
  }
}

function mask(text: string, ranges: Range[]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let cur: Range | undefined;
  for (const r of ranges) {
    if (cur && r[0] <= cur[1]) cur[1] = Math.max(cur[1], r[1]);
    else {
      if (cur) {
        out += text.slice(at, cur[0]) + MASK;
        at = cur[1];
      }
      cur = [r[0], r[1]];
    }
  }
  if (cur) out += text.slice(at, cur[0]) + MASK + text.slice(cur[1]);
  else out += text.slice(at);
  return out;
}

interface Secret {
  text: string;
  /** Scrub runs of 8 characters of it too (keys, passwords), not only the whole. */
  fragments: boolean;
  /** Its runs of 8 characters (findRanges), made on first use. */
  grams?: Map<string, number[]>;
}

export class Redactor {
  private readonly secrets: Secret[] = [];

  private push(text: string, fragments: boolean): void {
    if (!this.secrets.some((s) => s.text === text)) this.secrets.push({ text, fragments });
  }

  /** Register a secret (ignored when shorter than 4 characters: too short to scrub safely alone). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    this.push(secret, true);
    // Basic auth headers, data URLs and JWT-like echoes carry it base64-encoded.
    for (const form of base64Forms(secret)) this.push(form, true);
  }

  /**
   * Register a proxy's user and password. The password is scrubbed at any length: alone when it
   * is long enough to be told from ordinary text, and always in the forms it travels in
   * (`user:password`, its base64 in Proxy-Authorization, `:password@` in a URL).
   */
  addCredential(user: string, password: string): void {
    if (password === '') return;
    this.add(password);
    const pair = `${user}:${password}`;
    this.push(pair, pair.length > MIN_FRAGMENT);
    this.push(Buffer.from(pair).toString('base64'), false);
    this.push(Buffer.from(pair).toString('base64').replace(/=+$/, ''), false);
    for (const form of base64Forms(pair)) this.push(form, true);
    this.push(`:${password}@`, false);
  }

  get size(): number {
    return this.secrets.length;
  }

  /** Replace every secret, and every fragment of at least 8 of its characters, in any encoding, by a mask. */
  scrub(text: string): string {
    if (this.secrets.length === 0 || text.length === 0) return text;
    // The text as it is (a secret may itself hold '%' or '&')...
    const ranges: Range[] = [];
    for (const s of this.secrets) findRanges(text, s, ranges);
    // ...and its decoded view: percent-encoding, entities, escapes and separators undone.
    const view = decodedView(text);
    const toText = ([a, b]: Range): Range => [view.starts[a]!, view.ends[b - 1]!];
    for (const s of this.secrets) findRanges(view.plain, s, ranges, toText);
    return mask(text, ranges);
  }

  /**
   * Scrub every string inside a JSON-like value (a deep copy). Values are scrubbed, never the
   * JSON text: a key that reads `true` or `12345678`, or an escape next to part of it, cannot
   * turn the report into invalid JSON.
   */
  scrubValue<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return this.walk(value) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.scrub(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[this.scrub(k)] = this.walk(x);
      return out;
    }
    return v;
  }
}
