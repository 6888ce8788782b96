/** `diagnose --explain CODE`: a catalogue entry, offline. */
import { catalogueEntry } from '../diagnose/catalogue/index.js';
import { explainEntry, paint } from './entry.js';
import { configEntry } from '../diagnose/catalogue/config.js';

export function explain(code: string, color: boolean): string | undefined {
  const e = catalogueEntry(code.trim().toUpperCase());
  if (!e) return explainConfig(code.trim().toUpperCase(), color);
  return explainEntry(e, color);
}

/** A CONFIG_* code of `diagnose lint`: its prose and the fix for each configuration kind. */
function explainConfig(code: string, color: boolean): string | undefined {
  const e = configEntry(code);
  if (!e) return undefined;
  const c = paint(color);
  const lines = [`${c.bold(e.code)} (diagnose lint; ${e.severity} unless the finding says otherwise)`, e.title, '', e.explanation, '', `Seen live as: ${e.symptoms.join(', ')}.`, '', 'Fix:'];
  for (const [kind, fix] of Object.entries(e.fix)) {
    lines.push(`  ${kind}: ${fix.text}`);
    for (const l of fix.command.split('\n')) lines.push(c.cyan(`       ${l}`));
  }
  return `${lines.join('\n')}\n`;
}
