/**
 * The decoded view of a text the redactor searches: servers echo a key percent-encoded, as HTML
 * entities, as `\u` escapes, cut across lines or into short chunks. The view decodes each such
 * unit to the character it stands for and drops separators (white space, escaped line breaks,
 * zero-width characters), and remembers for every decoded character where it came from, so a
 * match in the view masks exactly the original span (pure).
 */

/** The decoded text and, for each of its characters, the original span [start, end). */
export interface DecodedView {
  plain: string;
  starts: number[];
  ends: number[];
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", sol: '/', hyphen: '-', dash: '-', lowbar: '_', plus: '+', equals: '=', period: '.' };

/** One encoded unit at position i: the character it stands for and its length, or undefined. */
function unitAt(text: string, i: number): { ch: string; len: number } | undefined {
  const c = text[i];
  if (c === '%') {
    const m = /^%([0-9A-Fa-f]{2})/.exec(text.slice(i, i + 3));
    if (m) return { ch: String.fromCharCode(parseInt(m[1]!, 16)), len: 3 };
  } else if (c === '&') {
    const m = /^&(?:#[xX]([0-9A-Fa-f]{1,6})|#(\d{1,7})|([a-zA-Z]{2,8}));?/.exec(text.slice(i, i + 12));
    if (m) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 10) : undefined;
      if (code !== undefined && code <= 0x10ffff) return { ch: String.fromCodePoint(code), len: m[0].length };
      if (m[3] !== undefined && NAMED[m[3].toLowerCase()] !== undefined && m[0].endsWith(';')) return { ch: NAMED[m[3].toLowerCase()]!, len: m[0].length };
    }
  } else if (c === '\\') {
    const m = /^\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|(\/))/.exec(text.slice(i, i + 10));
    if (m) {
      const hex = m[1] ?? m[2] ?? m[3];
      if (hex !== undefined) return { ch: String.fromCodePoint(parseInt(hex, 16)), len: m[0].length };
      return { ch: '/', len: 2 };
    }
  }
  return undefined;
}

/** White space (as `\s` has it), the zero-width characters and the soft hyphen. */
const SEPARATOR = /[\s\u200b-\u200d\u2060\ufeff\u00ad]/;
/** What the view drops or decodes: a text without any of these is its own view. */
const VIEWED = /[%&\\\s\u200b-\u200d\u2060\ufeff\u00ad]/;

/** Whether the text's view is the text itself (nothing to decode, no separator): one scan. */
export function isOwnView(text: string): boolean {
  return !VIEWED.test(text);
}

/** Length of a separator at position i (0 when there is none); ASCII is decided without the regex. */
function separatorAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 128) {
    if (code === 32 || (code >= 9 && code <= 13)) return 1;
    if (code === 92) {
      // a backslash before n, r or t: an escaped line break or tab
      const next = text.charCodeAt(i + 1);
      return next === 110 || next === 114 || next === 116 ? 2 : 0;
    }
    return 0;
  }
  return SEPARATOR.test(text[i]!) ? 1 : 0;
}

export function decodedView(text: string): DecodedView {
  const plain: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < text.length) {
    const sep = separatorAt(text, i);
    if (sep > 0) {
      i += sep;
      continue;
    }
    const code = text.charCodeAt(i);
    // Only %, & and a backslash start an encoded unit.
    const u = code === 37 || code === 38 || code === 92 ? unitAt(text, i) : undefined;
    if (u === undefined) {
      plain.push(text[i]!);
      starts.push(i);
      ends.push(i + 1);
      i += 1;
      continue;
    }
    // A unit may decode to another unit (`%2525`, `&amp;#45;`): decode once more, not further.
    const { len, ch } = u;
    if (ch === '%' || ch === '&' || ch === '\\') {
      const again = unitAt(ch + text.slice(i + len, i + len + 11), 0);
      if (again) {
        plain.push(again.ch);
        starts.push(i);
        i += len + again.len - 1;
        ends.push(i);
        continue;
      }
    }
    for (const part of ch) {
      plain.push(part);
      starts.push(i);
      ends.push(i + len);
    }
    i += len;
  }
  return { plain: plain.join(''), starts, ends };
}

/**
 * The base64 forms of a secret, standard and URL alphabet, at the three byte alignments it can
 * have inside a longer encoded text (a Basic header encodes `user:key`): each form keeps only the
 * characters that depend on the secret's bytes alone. Forms shorter than 8 characters are left out.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const n = k + bytes.length;
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64').replace(/=+$/, '');
    const skip = k === 0 ? 0 : k === 1 ? 2 : 3;
    const core = enc.slice(skip, n % 3 === 0 ? enc.length : enc.length - 1);
    if (core.length < 8) continue;
    out.add(core);
    out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...out];
}
