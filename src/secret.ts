/**
 * The API key never leaves the process in any output. A Redactor knows the secrets of a run
 * (the key, proxy credentials) and scrubs them, whole or in part, from any text, in the encodings
 * servers echo them in (percent-encoding, HTML entities, `\u` escapes, base64, cut across lines).
 */
import { base64Forms, decodedView, isOwnView } from './redact/view.js';
import { FragmentIndex, MIN_FRAGMENT, type Range } from './redact/fragments.js';

/** `sk-…abcd`: the key's prefix up to its first dash (when short) and its last four characters. */
export function fingerprint(key: string): string {
  // A short key (a placeholder, a typo, `true`) would be shown whole, or nearly: show nothing of it.
  if (key.length < 12) return '…';
  const last4 = key.slice(-4);
  const dash = key.indexOf('-');
  const prefix = dash > 0 && dash <= 4 ? key.slice(0, dash + 1) : '';
  return `${prefix}…${last4}`;
}

const MASK = '[REDACTED]';

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
}

export class Redactor {
  private readonly secrets: Secret[] = [];
  /** The 8-character runs of the secrets scrubbed by fragment, made on first use after a change. */
  private index?: FragmentIndex;
  /** The secrets found whole only (short ones, and forms that are not scrubbed by fragment). */
  private wholes: string[] = [];
  /** No text shorter than this can hold anything to scrub. */
  private shortest = Infinity;

  private push(text: string, fragments: boolean): void {
    if (this.secrets.some((s) => s.text === text)) return;
    this.secrets.push({ text, fragments });
    this.index = undefined;
  }

  private prepare(): FragmentIndex {
    if (this.index) return this.index;
    const byFragment = this.secrets.filter((s) => s.fragments && s.text.length > MIN_FRAGMENT);
    this.wholes = this.secrets.filter((s) => !byFragment.includes(s)).map((s) => s.text);
    this.shortest = Math.min(...this.secrets.map((s) => (byFragment.includes(s) ? MIN_FRAGMENT : s.text.length)));
    return (this.index = new FragmentIndex(byFragment.map((s) => s.text)));
  }

  /** Where the secrets occur in text: whole, and for those scrubbed by fragment, every run of 8 of their characters. */
  private findRanges(text: string, index: FragmentIndex, out: Range[], map: (r: Range) => Range = (r) => r): void {
    for (const w of this.wholes) for (let p = text.indexOf(w); p >= 0; p = text.indexOf(w, p + 1)) out.push(map([p, p + w.length]));
    index.find(text, out, map);
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
    const index = this.prepare();
    // The view is never longer than the text: a text shorter than every secret holds none.
    if (text.length < this.shortest) return text;
    // The text as it is (a secret may itself hold '%' or '&')...
    const ranges: Range[] = [];
    this.findRanges(text, index, ranges);
    // ...and its decoded view: percent-encoding, entities, escapes and separators undone
    // (a text with none of those is its own view, searched already).
    if (!isOwnView(text)) {
      const view = decodedView(text);
      const toText = ([a, b]: Range): Range => [view.starts[a]!, view.ends[b - 1]!];
      this.findRanges(view.plain, index, ranges, toText);
    }
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
