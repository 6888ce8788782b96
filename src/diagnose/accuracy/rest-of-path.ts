/**
 * After the run (pure): when the root cause is that applications cannot resolve the name while
 * --resolver could (DNS_SYSTEM_UNRESOLVED), the later stages ran on the resolver's address. Say
 * in that diagnosis, and in the dns stage's summary, what they showed: the rest of the path works
 * once DNS does, or which stage fails next.
 */
import type { Diagnosis, StageResult } from '../../report.js';

export function noteRestOfPath(diagnoses: Diagnosis[], stages: StageResult[]): void {
  const d = diagnoses.find((x) => x.code === 'DNS_SYSTEM_UNRESOLVED');
  if (!d) return;
  const later = stages.filter((s) => s.id !== 'env' && s.id !== 'dns' && s.status !== 'skip');
  const failing = later.filter((s) => s.status === 'fail');
  const others = diagnoses.filter((x) => x !== d && x.severity === 'error' && x.stage !== 'dns');
  let line: string;
  if (later.length === 0) line = 'no later stage could run, so whether the rest of the path works is not known';
  else if (failing.length === 0 && others.length === 0) line = `on the resolver's address the rest of the path works (${later.map((s) => `${s.id} ${s.status}`).join(', ')}): it works once DNS does`;
  else line = `on the resolver's address the path fails further on too (${[...new Set([...failing.map((s) => s.id), ...others.map((o) => o.code)])].join(', ')}): fix DNS first, then that`;
  d.evidence.push(line);
  d.details = { ...d.details, restOfPath: failing.length === 0 && others.length === 0 && later.length > 0 ? 'works' : later.length === 0 ? 'unknown' : 'fails' };
  const dns = stages.find((s) => s.id === 'dns');
  if (dns) dns.summary += `; ${line}`;
}
