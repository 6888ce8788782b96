/**
 * The API key never leaves the process in any output. A Redactor knows the secrets of a run
 * (the key, proxy credentials) and scrubs them, whole or in part, from any text.
 */

/** `sk-…abcd`: the key's prefix up to its first dash (when short) and its last four characters. */
export function fingerprint(key: string): string {
  const last4 = key.slice(-4);
  const dash = key.indexOf('-');
  const prefix = dash > 0 && dash <= 4 ? key.slice(0, dash + 1) : '';
  return `${prefix}…${last4}`;
}

/** The shortest run of a secret's characters that is scrubbed when found alone. */
const MIN_FRAGMENT = 8;
const MASK = '[REDACTED]';

export class Redactor {
  private readonly secrets: string[] = [];

  /** Register a secret (ignored when shorter than 4 characters: too short to scrub safely). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    if (!this.secrets.includes(secret)) this.secrets.push(secret);
    // Percent-encoded and base64 forms appear in URLs and Basic auth headers.
    const enc = encodeURIComponent(secret);
    if (enc !== secret && !this.secrets.includes(enc)) this.secrets.push(enc);
  }

  get size(): number {
    return this.secrets.length;
  }

  /** Replace every secret, and every fragment of at least 8 of its characters, by a mask. */
  scrub(text: string): string {
    if (this.secrets.length === 0 || text.length === 0) return text;
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join(MASK);
      if (s.length <= MIN_FRAGMENT) continue;
      // Fragments: servers echo keys partly masked ("sk-proj-****abcd") or cut.
      for (let i = 0; i + MIN_FRAGMENT <= s.length; i++) {
        const frag = s.slice(i, i + MIN_FRAGMENT);
        if (out.includes(frag)) {
          // Extend greedily to the longest fragment starting here that still matches.
          let len = MIN_FRAGMENT;
          while (i + len < s.length && out.includes(s.slice(i, i + len + 1))) len++;
          out = out.split(s.slice(i, i + len)).join(MASK);
        }
      }
    }
    return out;
  }

  /** Scrub every string inside a JSON-like value (a deep copy). */
  scrubValue<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return JSON.parse(this.scrub(JSON.stringify(value))) as T;
  }
}
