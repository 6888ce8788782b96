/** The include patterns of nginx and HAProxy: `*`, `?` and `[...]` inside path segments (glob(3)). */
import { readdirSync } from 'node:fs';
import { join, isAbsolute, sep } from 'node:path';

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** A glob pattern as a regular expression over whole paths (`*` never crosses a `/`). */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expand a pattern on disk, sorted as glob(3) sorts; directories that cannot be read match nothing. */
export function expandOnDisk(pattern: string): string[] {
  const abs = isAbsolute(pattern);
  const parts = pattern.split(sep).filter((s) => s !== '');
  let bases = [abs ? sep : '.'];
  for (const part of parts) {
    const next: string[] = [];
    for (const b of bases) {
      if (!hasGlob(part)) {
        next.push(join(b, part));
        continue;
      }
      const re = globToRegExp(part);
      let names: string[] = [];
      try {
        names = readdirSync(b);
      } catch {
        names = [];
      }
      for (const n of names.sort()) if (!n.startsWith('.') && re.test(n)) next.push(join(b, n));
    }
    bases = next;
    if (bases.length > 10_000) break;
  }
  return bases;
}
