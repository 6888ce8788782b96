/**
 * The text `diagnose --explain CODE` prints for a catalogue entry. Apart from explain.ts so that
 * src/quick.ts can print one entry having loaded only its catalogue file (catalogue/where.ts).
 */
import type { CatalogueEntry } from '../diagnose/catalogue/types.js';

/** Bold and cyan as chalk writes them at level 1 (16 colours), or plain: no chalk to load for one entry. */
export function paint(color: boolean) {
  const wrap = (open: number, close: number) => (t: string) => (color && t !== '' ? `\u001B[${open}m${t}\u001B[${close}m` : t);
  return { bold: wrap(1, 22), cyan: wrap(36, 39) };
}

/** The text of one catalogue entry (src/quick.ts finds it without loading the whole catalogue). */
export function explainEntry(e: CatalogueEntry, color: boolean): string {
  const c = paint(color);
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

