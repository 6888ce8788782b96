/**
 * A small tokenizer and parser of nginx's configuration language (directives ending in `;`,
 * blocks in `{ }`, `#` comments, single and double quotes with backslash escapes), with `include`
 * expanded in place. It reads a file with its includes from disk, or the output of `nginx -T`
 * (every file of the configuration after a `# configuration file PATH:` line).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { expandOnDisk, globToRegExp, hasGlob } from '../glob.js';
import { MAX_INCLUDE_DEPTH, type ReadBudget } from '../source.js';
import { LintInputError, type SourceFile } from '../types.js';

export interface NginxDirective {
  name: string;
  args: string[];
  file: string;
  line: number;
  /** The directives of its block, for block directives (`http`, `server`, `location` ...). */
  block?: NginxDirective[];
}

interface Token {
  text: string;
  line: number;
  quoted: boolean;
}

/** Split nginx source text into words, `;`, `{` and `}`. */
export function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') i++;
    else if (ch === '#') {
      while (i < n && text[i] !== '\n') i++;
    } else if (ch === ';' || ch === '{' || ch === '}') {
      out.push({ text: ch, line, quoted: false });
      i++;
    } else if (ch === '"' || ch === "'") {
      const start = line;
      let s = '';
      i++;
      while (i < n && text[i] !== ch) {
        if (text[i] === '\\' && i + 1 < n) {
          const next = text[i + 1]!;
          s += next === ch || next === '\\' ? next : `\\${next}`;
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        s += text[i];
        i++;
      }
      if (i >= n) throw new LintInputError(`${file}:${start}: a quoted string that never ends`);
      i++;
      out.push({ text: s, line: start, quoted: true });
    } else {
      const start = i;
      while (i < n && !/[\s;{}"']/.test(text[i]!)) {
        // `${var}` inside a word: its braces are not blocks.
        if (text[i] === '$' && text[i + 1] === '{') {
          const end = text.indexOf('}', i);
          i = end < 0 ? n : end + 1;
          continue;
        }
        if (text[i] === '\\' && i + 1 < n) i++;
        i++;
      }
      out.push({ text: text.slice(start, i), line, quoted: false });
    }
  }
  return out;
}

/** Where included files come from: the disk, or the files of an `nginx -T` dump. */
export interface IncludeSource {
  /** Files matching an include argument, read; [] when a pattern matches nothing. */
  expand(pattern: string, from: string): SourceFile[];
}

export function diskIncludes(mainFile: string, budget: ReadBudget): IncludeSource {
  // nginx resolves relative includes against its configuration prefix: the main file's folder.
  const prefix = dirname(resolve(mainFile));
  return {
    expand(pattern, from) {
      const abs = isAbsolute(pattern) ? pattern : join(prefix, pattern);
      const paths = hasGlob(abs) ? expandOnDisk(abs) : [abs];
      return paths.map((p) => {
        try {
          return { path: p, text: budget.read(p) };
        } catch (e) {
          if (!hasGlob(abs) && e instanceof LintInputError && /no such file/.test(e.message))
            throw new LintInputError(`${from}: include ${pattern}: no such file (${p})`);
          throw e;
        }
      });
    },
  };
}

const DUMP_MARK = /^# configuration file (.+):\s*$/;

/** Is this the output of `nginx -T`? */
export function isNginxDump(text: string): boolean {
  return text.split('\n', 40).some((l) => DUMP_MARK.test(l));
}

/** The files of an `nginx -T` dump, in order (the first is the main configuration). */
export function splitDump(text: string): SourceFile[] {
  const files: SourceFile[] = [];
  let current: { path: string; lines: string[] } | undefined;
  for (const l of text.split('\n')) {
    const m = DUMP_MARK.exec(l);
    if (m) {
      if (current) files.push({ path: current.path, text: current.lines.join('\n') });
      current = { path: m[1]!, lines: [] };
    } else if (current) current.lines.push(l);
  }
  if (current) files.push({ path: current.path, text: current.lines.join('\n') });
  return files;
}

export function dumpIncludes(files: SourceFile[]): IncludeSource {
  const prefix = dirname(files[0]?.path ?? '/etc/nginx/nginx.conf');
  return {
    expand(pattern, from) {
      const abs = isAbsolute(pattern) ? pattern : join(prefix, pattern);
      if (hasGlob(abs)) {
        const re = globToRegExp(abs);
        return files.filter((f) => re.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
      }
      const f = files.find((x) => x.path === abs);
      if (!f) throw new LintInputError(`${from}: include ${pattern}: ${abs} is not in this nginx -T output (cut short?)`);
      return [f];
    },
  };
}

/** Parse one file, expanding its includes; `stack` holds the files being included (loop check). */
export function parseNginx(src: SourceFile, includes: IncludeSource, stack: string[] = []): NginxDirective[] {
  if (stack.includes(src.path)) throw new LintInputError(`include loop: ${[...stack, src.path].join(' -> ')}`);
  if (stack.length >= MAX_INCLUDE_DEPTH) throw new LintInputError(`${src.path}: includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
  const chain = [...stack, src.path];
  const tokens = tokenize(src.text, src.path);
  let pos = 0;

  const parseBlock = (depth: number, opener?: Token): NginxDirective[] => {
    const out: NginxDirective[] = [];
    for (;;) {
      const t = tokens[pos];
      if (!t) {
        if (opener) throw new LintInputError(`${src.path}:${opener.line}: this block is never closed with "}"`);
        return out;
      }
      if (t.text === '}' && !t.quoted) {
        if (!opener) throw new LintInputError(`${src.path}:${t.line}: unexpected "}"`);
        pos++;
        return out;
      }
      if ((t.text === ';' || t.text === '{') && !t.quoted) throw new LintInputError(`${src.path}:${t.line}: unexpected "${t.text}"`);
      const name = t;
      pos++;
      const args: string[] = [];
      for (;;) {
        const a = tokens[pos];
        if (!a) throw new LintInputError(`${src.path}:${name.line}: directive "${name.text}" has no ending ";"`);
        pos++;
        if (!a.quoted && a.text === ';') {
          if (name.text === 'include' && depth >= 0) {
            for (const f of includes.expand(args[0] ?? '', `${src.path}:${name.line}`)) out.push(...parseNginx(f, includes, chain));
          } else out.push({ name: name.text, args, file: src.path, line: name.line });
          break;
        }
        if (!a.quoted && a.text === '{') {
          if (depth > 64) throw new LintInputError(`${src.path}:${a.line}: blocks nested too deep`);
          // Lua and similar blocks hold code, not directives: skip them balanced.
          if (/_by_lua_block$/.test(name.text)) {
            let level = 1;
            while (pos < tokens.length && level > 0) {
              const x = tokens[pos++]!;
              if (!x.quoted && x.text === '{') level++;
              if (!x.quoted && x.text === '}') level--;
            }
            out.push({ name: name.text, args, file: src.path, line: name.line, block: [] });
          } else out.push({ name: name.text, args, file: src.path, line: name.line, block: parseBlock(depth + 1, a) });
          break;
        }
        if (!a.quoted && a.text === '}') throw new LintInputError(`${src.path}:${a.line}: directive "${name.text}" has no ending ";"`);
        args.push(a.text);
      }
    }
  };
  return parseBlock(0);
}
