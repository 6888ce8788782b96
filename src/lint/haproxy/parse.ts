/**
 * A small tokenizer of HAProxy's configuration: one statement per line, words split on blanks,
 * single and double quotes and backslash escapes, `#` comments; a section keyword (global,
 * defaults, frontend, backend, listen ...) opens a section that runs to the next one.
 */
import { LintInputError, type SourceFile } from '../types.js';

export interface HaproxyLine {
  words: string[];
  file: string;
  line: number;
}

export interface HaproxySection {
  /** `defaults`, `frontend`, `backend`, `listen`, `global` ... */
  type: string;
  name: string;
  file: string;
  line: number;
  lines: HaproxyLine[];
}

const SECTIONS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'userlist', 'peers', 'cache', 'program', 'http-errors', 'ring', 'mailers', 'crt-store', 'traces']);

export function splitWords(text: string, file: string, line: number): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (ch === '#') break;
    else if (ch === ' ' || ch === '\t' || ch === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new LintInputError(`${file}:${line}: a quoted string that never ends`);
  if (inWord) words.push(cur);
  return words;
}

export function parseHaproxy(src: SourceFile): HaproxySection[] {
  const sections: HaproxySection[] = [];
  let current: HaproxySection | undefined;
  const lines = src.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const words = splitWords(lines[i]!, src.path, i + 1);
    if (words.length === 0) continue;
    if (SECTIONS.has(words[0]!)) {
      current = { type: words[0]!, name: words[1] ?? '', file: src.path, line: i + 1, lines: [] };
      sections.push(current);
    } else if (!current) throw new LintInputError(`${src.path}:${i + 1}: "${words[0]}" outside any section (HAProxy files start with global, defaults, frontend, backend or listen)`);
    else current.lines.push({ words, file: src.path, line: i + 1 });
  }
  return sections;
}
