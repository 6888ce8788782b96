/**
 * `diagnose lint`: read a configuration (with its includes), run its kind's rules, and give each
 * finding its catalogue prose. Offline and bounded (see source.ts).
 */
import { configEntry } from '../diagnose/catalogue/config.js';
import { fillTemplate } from '../diagnose/catalogue/index.js';
import { detectKind } from './detect.js';
import { lintEnvoy } from './envoy/rules.js';
import { lintHaproxy } from './haproxy/rules.js';
import { parseHaproxy } from './haproxy/parse.js';
import { diskIncludes, dumpIncludes, isNginxDump, parseNginx, splitDump } from './nginx/parse.js';
import { lintNginx } from './nginx/rules.js';
import { ReadBudget } from './source.js';
import { LintInputError, type ConfigKind, type LintFinding, type LintResult, type RawFinding } from './types.js';

export interface LintInput {
  /** The path given on the command line (`-` for stdin). */
  file: string;
  /** The text when it came from stdin. */
  text?: string;
  kind?: ConfigKind;
}

const KIND_HINT = 'expected an nginx configuration (or `nginx -T` output), an Envoy bootstrap (YAML or JSON) or an HAProxy configuration; --kind nginx|envoy|haproxy forces one';

export function lintConfig(input: LintInput): LintResult {
  const budget = new ReadBudget();
  const label = input.file === '-' ? 'stdin' : input.file;
  const text = input.text !== undefined ? budget.accept(input.text, label) : budget.read(input.file);
  if (text.trim() === '') throw new LintInputError(`${label}: empty file, not a configuration (${KIND_HINT})`);
  const kind = input.kind ?? detectKind(text, input.file);
  if (!kind) throw new LintInputError(`${label}: not a configuration lint knows (${KIND_HINT})`);

  let raw: RawFinding[];
  const files: string[] = [];
  if (kind === 'nginx') {
    if (isNginxDump(text)) {
      const parts = splitDump(text);
      const tree = parseNginx(parts[0]!, dumpIncludes(parts));
      files.push(...parts.map((p) => p.path));
      raw = lintNginx(tree);
    } else {
      const seen = new Set<string>([label]);
      const inner = diskIncludes(input.file === '-' ? 'nginx.conf' : input.file, budget);
      const tree = parseNginx({ path: label, text }, {
        expand(p, from) {
          const got = inner.expand(p, from);
          for (const f of got) seen.add(f.path);
          return got;
        },
      });
      files.push(...seen);
      raw = lintNginx(tree);
    }
  } else if (kind === 'haproxy') {
    files.push(label);
    raw = lintHaproxy(parseHaproxy({ path: label, text }));
  } else {
    files.push(label);
    raw = lintEnvoy({ path: label, text });
  }
  const order = { error: 0, warning: 1, info: 2 } as const;
  const findings = raw.map((f) => complete(f, kind)).sort((a, b) => (a.file === b.file ? a.line - b.line || order[a.severity] - order[b.severity] : files.indexOf(a.file) - files.indexOf(b.file)));
  return { file: label, kind, files, findings };
}

function complete(f: RawFinding, kind: ConfigKind): LintFinding {
  const e = configEntry(f.code);
  if (!e) throw new Error(`lint rule emitted ${f.code}, which has no catalogue entry`);
  const fix = e.fix[kind] ?? e.fix.nginx!;
  return {
    ...f,
    severity: f.severity ?? e.severity,
    title: fillTemplate(e.title, f.details as Record<string, string | number>),
    remediation: [{ text: fix.text, command: fix.command, who: 'gateway' }],
  };
}

export { LintInputError };
