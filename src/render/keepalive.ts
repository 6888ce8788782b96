/**
 * The `--keepalive` section (report.keepalive) in every format but JSON: a short human block (the
 * outcome, the idle timeout found, how the far side closed, the trials), a Markdown section, one
 * JUnit testcase, and OpenMetrics families. Pure: the report in, text out.
 */
import type { Report } from '../report.js';
import type { KeepaliveSection, KeepaliveTrial } from '../net/keepalive/section.js';
import { element, xmlText } from './xml.js';
import type { Family } from './openmetrics.js';
import { packItems } from './samples.js';

type Labels = Record<string, string>;

/** The section when the probe ran (not skipped). */
export function keepaliveOf(report: Report): KeepaliveSection | undefined {
  const k = report.keepalive;
  return k && 'outcome' in k ? k : undefined;
}

const secs = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 2 : 1)} s`;

const CLOSED_BY: Record<NonNullable<KeepaliveSection['closedBy']>, string> = {
  fin: 'a FIN while idle',
  rst: 'an RST while idle',
  'rst-on-reuse': 'an RST met by the reuse',
  'fin-on-reuse': 'a FIN met by the reuse',
};

/** One sentence: what the probe found. */
export function keepaliveOutcomeText(k: KeepaliveSection): string {
  switch (k.outcome) {
    case 'closed':
      return k.idleTimeoutSeconds !== undefined
        ? `the far side closes idle connections after ${k.closedBy === 'fin' || k.closedBy === 'rst' ? '' : 'at most '}${secs(k.idleTimeoutSeconds)}${k.closedBy ? ` (${CLOSED_BY[k.closedBy]})` : ''}`
        : 'the far side closes idle connections';
    case 'dropped':
      return `a reuse after ${k.droppedAfterSeconds !== undefined ? secs(k.droppedAfterSeconds) : 'some'} idle got no answer while a fresh connection did: the flow was dropped silently`;
    case 'survived':
      return `a connection idle for ${secs(k.survivedSeconds ?? k.idleMaxSeconds)} was still answered (the longest idle time tried: ${secs(k.idleMaxSeconds)})`;
    case 'no-keepalive':
      return `the server closes the connection after every answer${k.reason ? ` (${k.reason})` : ''}`;
    default:
      return `inconclusive${k.reason ? `: ${k.reason}` : ''}`;
  }
}

const RESULT: Record<KeepaliveTrial['result'], string> = {
  answered: 'answered',
  'no-answer': 'no answer',
  reset: 'reset',
  closed: 'closed',
  'closed-while-idle': 'closed while idle',
  failed: 'failed',
};

/** One trial, short: `1.60 s answered (200)`, `2.00 s closed while idle (fin)`. */
export function trialText(t: KeepaliveTrial): string {
  const extra = t.result === 'closed-while-idle' && t.closedBy ? ` (${t.closedBy.toUpperCase()})` : t.status !== undefined ? ` (${t.status})` : '';
  return `${t.role === 'control' ? 'fresh control: ' : ''}${secs(t.idleSeconds)} ${RESULT[t.result]}${extra}`;
}

/** The human block under the title `keep-alive`. */
export function humanKeepalive(report: Report, width = 80): string[] {
  const k = report.keepalive;
  if (!k) return [];
  if (!('outcome' in k)) return [`  not run: ${k.skipped}`];
  const out = [`  ${k.outcome}: ${keepaliveOutcomeText(k)}`];
  const facts: string[] = [];
  if (k.idleTimeoutSeconds !== undefined) facts.push(`idle timeout found ${secs(k.idleTimeoutSeconds)}`);
  if (k.survivedSeconds !== undefined) facts.push(`longest idle answered ${secs(k.survivedSeconds)}`);
  if (k.advertisedTimeoutSeconds !== undefined) facts.push(`advertised Keep-Alive: timeout=${k.advertisedTimeoutSeconds}`);
  if (k.unsolicitedBytes !== undefined) facts.push(`${k.unsolicitedBytes} bytes sent unasked while idle`);
  // Lists break between their items, never inside one (`1.50 s answered (200)` stays whole).
  if (facts.length > 0) out.push(...packItems(facts, width, 2, 4));
  if (k.trials.length > 0) out.push(...packItems([`${k.trials.length} trial${k.trials.length === 1 ? '' : 's'}: ${trialText(k.trials[0]!)}`, ...k.trials.slice(1).map(trialText)], width, 2, 4));
  return out;
}

/** The Markdown section. */
export function mdKeepalive(report: Report, esc: (s: string) => string): string[] {
  const k = report.keepalive;
  if (!k) return [];
  const out = ['', '### Keep-alive', ''];
  if (!('outcome' in k)) return [...out, `Not run: ${esc(k.skipped)}`];
  out.push(`**${k.outcome}**: ${esc(keepaliveOutcomeText(k))}.`, '');
  const rows: Array<[string, string]> = [];
  if (k.idleTimeoutSeconds !== undefined) rows.push(['idle timeout found', secs(k.idleTimeoutSeconds)]);
  if (k.closedBy) rows.push(['closed by', CLOSED_BY[k.closedBy]]);
  if (k.survivedSeconds !== undefined) rows.push(['longest idle answered', secs(k.survivedSeconds)]);
  if (k.droppedAfterSeconds !== undefined) rows.push(['no answer after', secs(k.droppedAfterSeconds)]);
  if (k.advertisedTimeoutSeconds !== undefined) rows.push(['advertised Keep-Alive timeout', secs(k.advertisedTimeoutSeconds)]);
  rows.push(['longest idle tried', secs(k.idleMaxSeconds)]);
  out.push('| | |', '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b} |`));
  if (k.trials.length > 0) {
    out.push('', '| trial | idle | result | status | ms |', '|---|---|---|---|---|');
    for (const t of k.trials) out.push(`| ${t.role} | ${secs(t.idleSeconds)} | ${RESULT[t.result]}${t.closedBy ? ` (${t.closedBy.toUpperCase()})` : ''} | ${t.status ?? ''} | ${t.ms !== undefined ? Math.round(t.ms) : ''} |`);
  }
  return out;
}

export interface KeepaliveCase {
  name: string;
  seconds: number;
  outcome: 'pass' | 'failure' | 'skipped';
  xml: string;
}

/**
 * JUnit: one testcase `keepalive`. It fails when a finding of the probe is an error, or a warning
 * and the run failed on warnings (--strict); the trials go to system-out.
 */
export function junitKeepaliveCase(report: Report, strictFail: boolean): KeepaliveCase | undefined {
  const k = report.keepalive;
  if (!k) return undefined;
  if (!('outcome' in k)) return { name: 'keepalive', seconds: 0, outcome: 'skipped', xml: element('skipped', { message: k.skipped }) };
  const codes = new Set(['STALE_KEEPALIVE', 'IDLE_CONNECTION_DROPPED']);
  const ds = report.diagnoses.filter((d) => codes.has(d.code));
  const failing = ds.filter((d) => d.severity === 'error' || (strictFail && d.severity === 'warning'));
  const text = [`${k.outcome}: ${keepaliveOutcomeText(k)}`, ...k.trials.map((t) => `${t.role}: ${trialText(t)}`)].join('\n');
  const first = failing[0];
  const xml = (first ? element('failure', { type: first.code, message: `${first.code}: ${first.title}` }, xmlText(first.evidence.join('\n'))) : '') + element('system-out', {}, xmlText(text));
  return { name: `keepalive: ${k.outcome}`, seconds: k.durationMs, outcome: first ? 'failure' : 'pass', xml };
}

/** OpenMetrics families of the keep-alive probe (none when it did not run). */
export function keepaliveFamilies(report: Report, target: Labels): Family[] {
  const k = keepaliveOf(report);
  if (!k) return [];
  const one = (name: string, help: string, value: number | undefined): Family => ({ name, help, samples: value === undefined ? [] : [{ labels: { ...target }, value }] });
  return [
    { name: 'upstream_doctor_keepalive_outcome', help: 'What the keep-alive probe found (closed, dropped, survived, no-keepalive, inconclusive) as a label', samples: [{ labels: { ...target, outcome: k.outcome, ...(k.closedBy ? { closed_by: k.closedBy } : {}) }, value: 1 }] },
    one('upstream_doctor_keepalive_idle_timeout_seconds', 'After how many idle seconds the far side closed a keep-alive connection', k.idleTimeoutSeconds),
    one('upstream_doctor_keepalive_survived_seconds', 'The longest idle time after which a reused connection was answered, in seconds', k.survivedSeconds),
    one('upstream_doctor_keepalive_dropped_after_seconds', 'The shortest idle time after which a reused connection got no answer, in seconds', k.droppedAfterSeconds),
    one('upstream_doctor_keepalive_advertised_timeout_seconds', 'The Keep-Alive timeout the server advertised, in seconds', k.advertisedTimeoutSeconds),
    one('upstream_doctor_keepalive_trials', 'Idle-then-reuse trials the keep-alive probe made', k.trials.length),
  ];
}

/**
 * The GitHub Actions annotation: a `::warning::` when the probe's findings are warnings or errors,
 * else a `::notice::`, with the outcome, the facts and the trials (the findings have their own).
 */
export function githubKeepalive(report: Report, escProperty: (v: string) => string, escData: (v: string) => string): string[] {
  const k = report.keepalive;
  if (!k) return [];
  const who = report.target.name !== undefined ? `${report.target.name}: ` : '';
  if (!('outcome' in k)) return [`::notice title=${escProperty(`${who}keep-alive: not run`)}::${escData(k.skipped)}`];
  const codes = new Set(['STALE_KEEPALIVE', 'IDLE_CONNECTION_DROPPED']);
  const ds = report.diagnoses.filter((d) => codes.has(d.code));
  const level = ds.some((d) => d.severity !== 'info') ? 'warning' : 'notice';
  const lines = [`${k.outcome}: ${keepaliveOutcomeText(k)}`];
  if (k.idleTimeoutSeconds !== undefined) lines.push(`idle timeout found: ${secs(k.idleTimeoutSeconds)}`);
  if (k.survivedSeconds !== undefined) lines.push(`longest idle answered: ${secs(k.survivedSeconds)}`);
  if (k.droppedAfterSeconds !== undefined) lines.push(`no answer after: ${secs(k.droppedAfterSeconds)}`);
  if (k.advertisedTimeoutSeconds !== undefined) lines.push(`advertised Keep-Alive: timeout=${k.advertisedTimeoutSeconds}`);
  lines.push(`longest idle tried: ${secs(k.idleMaxSeconds)}`);
  if (k.trials.length > 0) lines.push(`trials: ${k.trials.map(trialText).join(' · ')}`);
  if (ds.length > 0) lines.push(`findings: ${ds.map((d) => d.code).join(', ')}`);
  return [`::${level} title=${escProperty(`${who}keep-alive: ${k.outcome}`)}::${escData(lines.join('\n'))}`];
}
