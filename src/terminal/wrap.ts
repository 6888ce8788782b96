/**
 * Wrapping for the human report: prose at word boundaries with a hanging indent, shell commands
 * with ` \` continuations between words outside quotes (so a wrapped command still pastes as
 * one), everything else (config snippets, bars) left as it is. ANSI colour codes take no width.
 */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/** The indent of the lines after the first: leading spaces plus a list marker (`· `, `3. `, `- `). */
function hangingIndent(line: string): number {
  const plain = line.replace(ANSI, '');
  const m = /^(\s*)((?:[\u00b7*\u2022-]|\d+\.|\[[a-z]+\]) )?/.exec(plain)!;
  const lead = m[1]!.length + (m[2] ? m[2].length : 0);
  return lead === 0 ? 2 : lead;
}

/** Break one prose line at spaces so no piece is wider than `width` (a single long word stays whole). */
export function wrapProse(line: string, width: number, indent = hangingIndent(line)): string[] {
  if (visibleLength(line) <= width) return [line];
  const lead = /^\s*/.exec(line.replace(ANSI, ''))![0].length;
  const words = line.slice(lead).split(' ');
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  let cur = line.slice(0, lead);
  let curLen = lead;
  let empty = true;
  for (const w of words) {
    const wl = visibleLength(w);
    if (!empty && curLen + 1 + wl > width) {
      out.push(cur);
      cur = pad + w;
      curLen = indent + wl;
    } else {
      cur += (empty ? '' : ' ') + w;
      curLen += (empty ? 0 : 1) + wl;
    }
    empty = false;
  }
  out.push(cur);
  return out;
}

const SHELL_START = /^(curl|openssl|diagnose|dig|nc|tcpdump|getent|grep|cat|kubectl|aws|az|export|read|printf|ip|sysctl|iptables|conntrack|mtr|nstat|env|echo|resolvectl|timedatectl|cp|unset|journalctl|ss|nft|[A-Z_][A-Z0-9_]*=\S*)\b/;

/** Positions of the spaces where a shell line may break: outside quotes and before any comment. */
function shellBreaks(cmd: string): { breaks: number[]; comment?: number } {
  const breaks: number[] = [];
  let q: string | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i]!;
    if (q) {
      if (ch === q) q = undefined;
      else if (ch === '\\' && q === '"') i++;
      continue;
    }
    if (ch === "'" || ch === '"') q = ch;
    else if (ch === '\\') i++;
    else if (ch === ' ') {
      if (cmd[i + 1] === '#') return { breaks: [...breaks, i], comment: i + 1 };
      breaks.push(i);
    }
  }
  return { breaks };
}

/**
 * A shell command indented by `indent` spaces, wrapped with ` \` so it pastes as one command; a
 * trailing `# comment` that does not fit moves to lines of its own. Non-shell text is returned as is.
 */
export function wrapCommand(cmd: string, indent: number, width: number): string[] {
  const pad = ' '.repeat(indent);
  if (indent + cmd.length <= width || !SHELL_START.test(cmd) || cmd.includes('\n')) return [pad + cmd];
  const { breaks, comment } = shellBreaks(cmd);
  const body = comment !== undefined ? cmd.slice(0, comment - 1).trimEnd() : cmd;
  const out: string[] = [];
  let start = 0;
  let first = true;
  const room = () => width - indent - (first ? 0 : 4) - 2; // 4: continuation indent; 2: ` \`
  let lastFit = -1;
  for (const b of [...breaks.filter((x) => x < body.length), body.length]) {
    if (b - start > room() && lastFit > start) {
      out.push(`${pad}${first ? '' : '    '}${body.slice(start, lastFit)} \\`);
      first = false;
      start = lastFit + 1;
    }
    lastFit = b;
  }
  out.push(`${pad}${first ? '' : '    '}${body.slice(start)}`);
  if (comment !== undefined) {
    const text = cmd.slice(comment);
    const last = out[out.length - 1]!;
    if (last.length + 1 + text.length <= width) out[out.length - 1] = `${last} ${text}`;
    else out.push(...wrapProse(`${pad}${text}`, width, indent + 2).map((l, i) => (i === 0 ? l : `${pad}# ${l.trimStart()}`)));
  }
  return out;
}
