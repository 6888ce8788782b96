/** Output of `diagnose lint`: linter-style lines for people, a versioned JSON document for machines. */
import { Chalk } from 'chalk';
import type { LintResult } from './types.js';

/** `{ schemaVersion: 1, lint: { file, kind, findings: [...] } }` (schema/lint.schema.json). */
export function lintJson(r: LintResult): string {
  const counts = { errors: r.findings.filter((f) => f.severity === 'error').length, warnings: r.findings.filter((f) => f.severity === 'warning').length };
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      lint: {
        file: r.file,
        kind: r.kind,
        files: r.files,
        ...counts,
        findings: r.findings.map((f) => ({
          code: f.code, severity: f.severity, file: f.file, line: f.line, directive: f.directive, title: f.title,
          evidence: f.evidence, remediation: f.remediation, details: f.details,
        })),
      },
    },
    null,
    2,
  )}\n`;
}

/** `file:line  severity  CODE  title`, the evidence, then the fix with its snippet. */
export function lintHuman(r: LintResult, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const lines: string[] = [];
  for (const f of r.findings) {
    const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
    lines.push(`${c.bold(`${f.file}:${f.line}`)}  ${sev}  ${f.code}  ${f.title}`);
    for (const e of f.evidence) lines.push(`    ${e}`);
    for (const s of f.remediation) {
      lines.push(`    fix: ${s.text}`);
      if (s.command) for (const l of s.command.split('\n')) lines.push(c.cyan(`        ${l}`));
    }
    lines.push('');
  }
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const warnings = r.findings.length - errors;
  const what = `${r.kind} configuration ${r.file}${r.files.length > 1 ? ` (${r.files.length} files)` : ''}`;
  lines.push(r.findings.length === 0 ? `${what}: no problems found` : `${what}: ${r.findings.length} problem${r.findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
  return `${lines.join('\n')}\n`;
}
