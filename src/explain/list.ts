/** `--explain` with no code: every code by stage; an unknown code: the nearest ones (edit distance). */
import { CATALOGUE } from '../diagnose/catalogue/index.js';
import { STAGE_IDS } from '../report.js';

export function listCodes(): string {
  const out: string[] = ['Diagnosis codes by stage (diagnose --explain CODE for one):'];
  for (const stage of STAGE_IDS) {
    const entries = CATALOGUE.filter((e) => e.stage === stage);
    if (entries.length === 0) continue;
    out.push('', `${stage}:`);
    const w = Math.max(...entries.map((e) => e.code.length));
    for (const e of entries) out.push(`  ${e.code.padEnd(w)}  ${e.severity === 'error' ? '' : `(${e.severity}) `}${e.title.replace(/\{[a-zA-Z]+\}/g, '…')}`);
  }
  return `${out.join('\n')}\n`;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to three codes nearest to `text` (a close spelling, or a code holding it as a word). */
export function nearestCodes(text: string): string[] {
  const q = text.trim().toUpperCase().replace(/[\s-]+/g, '_');
  const scored = CATALOGUE.map((e) => {
    let d = editDistance(q, e.code);
    if (q.length >= 3 && e.code.includes(q)) d = Math.min(d, 1 + (e.code.length - q.length) / 10);
    return { code: e.code, d };
  });
  const limit = Math.max(3, Math.floor(q.length / 3));
  return scored.filter((s) => s.d <= limit).sort((a, b) => a.d - b.d || a.code.localeCompare(b.code)).slice(0, 3).map((s) => s.code);
}
