/**
 * Where the runs of 8 characters of the secrets occur in a text, for every secret at once: each
 * 8-character window of the text is hashed as the window slides (one multiply and add per
 * character, no substring made), a 64 Ki table rules out almost every window, and only a window
 * whose hash a secret has is compared character by character and extended as far as it matches.
 * The report of a healthy run holds some 8 KB of text; scrubbing it this way costs a fraction of
 * a millisecond where a substring and a map lookup per window per secret cost several (pure).
 */

/** The shortest run of a secret's characters that is scrubbed when found alone. */
export const MIN_FRAGMENT = 8;

export type Range = [number, number];

const BASE = 0x9e3779b1 | 0;
/** BASE to the power MIN_FRAGMENT - 1, modulo 2^32: the weight of the character leaving the window. */
const TOP = (() => {
  let p = 1;
  for (let k = 1; k < MIN_FRAGMENT; k++) p = Math.imul(p, BASE);
  return p;
})();
const FILTER_BITS = 16;

function hashAt(s: string, i: number): number {
  let h = 0;
  for (let k = 0; k < MIN_FRAGMENT; k++) h = (Math.imul(h, BASE) + s.charCodeAt(i + k)) | 0;
  return h;
}

/** One place in one secret where an 8-character run starts. */
interface Seat {
  secret: string;
  at: number;
}

/** The 8-character runs of a set of secrets, indexed by hash. */
export class FragmentIndex {
  private readonly seats = new Map<number, Seat[]>();
  private readonly filter = new Uint8Array(1 << FILTER_BITS);

  constructor(secrets: readonly string[]) {
    for (const s of secrets) {
      for (let j = 0; j + MIN_FRAGMENT <= s.length; j++) {
        const h = hashAt(s, j);
        this.filter[h >>> (32 - FILTER_BITS)] = 1;
        const list = this.seats.get(h);
        if (list) list.push({ secret: s, at: j });
        else this.seats.set(h, [{ secret: s, at: j }]);
      }
    }
  }

  /**
   * Push [start, end) for every place where at least 8 characters of a secret occur in `text`,
   * each extended as far as the secret goes on matching (`map` turns it into the caller's offsets).
   */
  find(text: string, out: Range[], map: (r: Range) => Range = (r) => r): void {
    const n = text.length;
    if (n < MIN_FRAGMENT || this.seats.size === 0) return;
    let h = hashAt(text, 0);
    for (let p = 0; ; p++) {
      if (this.filter[h >>> (32 - FILTER_BITS)] === 1) {
        const seats = this.seats.get(h);
        if (seats) for (const seat of seats) this.extend(text, p, seat, out, map);
      }
      if (p + MIN_FRAGMENT >= n) return;
      h = (Math.imul((h - Math.imul(text.charCodeAt(p), TOP)) | 0, BASE) + text.charCodeAt(p + MIN_FRAGMENT)) | 0;
    }
  }

  private extend(text: string, p: number, { secret, at }: Seat, out: Range[], map: (r: Range) => Range): void {
    for (let k = 0; k < MIN_FRAGMENT; k++) if (text.charCodeAt(p + k) !== secret.charCodeAt(at + k)) return; // a hash collision
    let len = MIN_FRAGMENT;
    while (p + len < text.length && at + len < secret.length && text.charCodeAt(p + len) === secret.charCodeAt(at + len)) len++;
    out.push(map([p, p + len]));
  }
}
