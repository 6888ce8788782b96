/** `diagnose --explain CODE`: a catalogue entry, offline. */
import { Chalk } from 'chalk';
import { catalogueEntry } from './diagnose/catalogue/index.js';
import { configEntry } from './diagnose/catalogue/config.js';

export function explain(code: string, color: boolean): string | undefined {
  const e = catalogueEntry(code.trim().toUpperCase());
  if (!e) return explainConfig(code.trim().toUpperCase(), color);
  const c = new Chalk({ level: color ? 1 : 0 });
  const lines = [
    `${c.bold(e.code)} (${e.severity}, stage ${e.stage}, exit ${e.exitCode === 0 ? (e.severity === 'warning' ? '0 unless --strict' : '0') : e.exitCode})`,
    e.title,
    '',
    e.explanation,
    '',
    `Usually: where ${e.origin}; who fixes it: ${e.owner}; retry helps: ${e.retry}.`,
  ];
  if (e.steps.length > 0) {
    lines.push('', 'What to do:');
    e.steps.forEach((s, i) => {
      lines.push(`  ${i + 1}. [${s.who}] ${s.text}`);
      if (s.command) for (const l of s.command.split('\n')) lines.push(c.cyan(`       ${l}`));
    });
  }
  if (e.attach && e.attach.length > 0) lines.push('', `When you escalate, attach: ${e.attach.join('; ')}.`);
  return `${lines.join('\n')}\n`;
}

/** A CONFIG_* code of `diagnose lint`: its prose and the fix for each configuration kind. */
function explainConfig(code: string, color: boolean): string | undefined {
  const e = configEntry(code);
  if (!e) return undefined;
  const c = new Chalk({ level: color ? 1 : 0 });
  const lines = [`${c.bold(e.code)} (diagnose lint; ${e.severity} unless the finding says otherwise)`, e.title, '', e.explanation, '', `Seen live as: ${e.symptoms.join(', ')}.`, '', 'Fix:'];
  for (const [kind, fix] of Object.entries(e.fix)) {
    lines.push(`  ${kind}: ${fix.text}`);
    for (const l of fix.command.split('\n')) lines.push(c.cyan(`       ${l}`));
  }
  return `${lines.join('\n')}\n`;
}
