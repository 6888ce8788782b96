/**
 * The sample summary of a sampled run (report.samples) in every format: the human strip (one mark
 * per sample, like the stream-arrival strip) and percentile table, a Markdown section, JUnit
 * testcases (one per distinct outcome, with counts), OpenMetrics families (failure ratio, phase
 * quantiles as a summary) and a GitHub notice. Pure: the report in, text out.
 */
import type { Report } from '../report.js';
import { PHASES, type SamplesSection, type TimelineEntry } from '../sample/summary.js';
import { rateEvidence } from '../sample/summary.js';
import { percentText } from '../sample/stats.js';
import { element, xmlText } from './xml.js';

/** The kind of a failing sample, by its code: what its mark in the strip says. */
export function failureMark(code: string | undefined): string {
  if (!code) return 'x';
  if (/RESET|CLOSED|HANDSHAKE_RESET|REFUSED|DROPPED/.test(code)) return 'R';
  if (/TIMEOUT|STALL/.test(code)) return 'T';
  if (/RATE_LIMIT|QUOTA/.test(code)) return 'L';
  if (/GATEWAY|SERVER_ERROR|OVERLOADED|UPSTREAM/.test(code)) return '5';
  if (/AUTH|FORBIDDEN/.test(code)) return 'A';
  if (/^DNS_/.test(code)) return 'D';
  if (/^TLS_/.test(code)) return 'S';
  return 'x';
}

export const SAMPLE_STRIP_LEGEND = '▁ passed · R reset/closed · T timeout · L rate limit · 5 gateway/5xx · A auth · D dns · S tls · x other · r passed after a retry';

/**
 * A legend as lines no wider than `width` (indent included): items joined by ` · `, broken only
 * between items, so no item (`R reset/closed`) is split from its mark.
 */
export function legendLines(legend: string, width: number, indent = 2): string[] {
  return packItems(legend.split(' · '), width, indent, indent);
}

/**
 * Items joined by ` · ` on lines no wider than `width`: the first line indented by `indent`, the
 * others by `next`; a line that continues ends with ` ·`. An item wider than a line stays whole.
 */
export function packItems(items: string[], width: number, indent = 2, next = indent): string[] {
  const out: string[] = [];
  let cur = '';
  const pad = () => ' '.repeat(out.length === 0 ? indent : next);
  items.forEach((item, i) => {
    const joined = cur ? `${cur} · ${item}` : item;
    // Room for the ` ·` that a line gets when more items follow it.
    const tail = i < items.length - 1 ? 2 : 0;
    if (cur && pad().length + [...joined].length + tail > width) {
      out.push(`${pad()}${cur} ·`);
      cur = item;
    } else cur = joined;
  });
  if (cur) out.push(`${pad()}${cur}`);
  return out;
}

function markOf(t: TimelineEntry): string {
  if (t.ok) return '▁';
  // A retried sample whose retry passed still failed for the application: its first attempt did.
  return t.retried && t.code && /RESET|CLOSED/.test(t.code) ? 'r' : failureMark(t.code);
}

/** One mark per sample in start order; with more samples than columns, each column shows its worst sample. */
export function sampleStrip(s: SamplesSection, width: number): string {
  const tl = s.timeline;
  if (tl.length <= width) return tl.map(markOf).join('');
  const cols: string[] = [];
  const per = tl.length / width;
  for (let c = 0; c < width; c++) {
    const slice = tl.slice(Math.floor(c * per), Math.floor((c + 1) * per));
    const bad = slice.find((t) => !t.ok);
    cols.push(bad ? markOf(bad) : '▁');
  }
  return cols.join('');
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(0) : `${(v / 1000).toFixed(2)}s`);

/** The human block: the strip, its legend, the rate line and the percentile table. */
export function humanSamples(report: Report, width: number): string[] {
  const s = report.samples;
  if (!s) return [];
  const out = [`  ${rateEvidence(s)}`];
  const strip = sampleStrip(s, Math.max(10, width - 4));
  out.push(`  ${strip}`, ...legendLines(SAMPLE_STRIP_LEGEND, width));
  if (s.timelineDropped > 0) out.push(`  (${s.timelineDropped} passing samples beyond the first ${s.timeline.length} are not in the strip)`);
  const codes = Object.entries(s.byCode).sort((a, b) => b[1] - a[1]);
  if (codes.length > 0) out.push(`  failing: ${codes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  if (s.reuse) out.push(`  --reuse: pool like ${s.reuse.like} (idle expiry ${s.reuse.keepaliveExpirySeconds} s, ${s.reuse.maxKeepaliveConnections} kept): ${s.reuse.connectionsOpened} connections opened, ${s.reuse.reusedRequests} requests on a reused one`);
  out.push('', `  ${'phase'.padEnd(10)}${'p50'.padStart(9)}${'p90'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}  (ms)`);
  for (const p of PHASES) {
    const q = s.phases[p];
    if (q) out.push(`  ${p.padEnd(10)}${ms(q.p50).padStart(9)}${ms(q.p90).padStart(9)}${ms(q.p99).padStart(9)}${ms(q.max).padStart(9)}`);
  }
  return out;
}

/** The Markdown section. */
export function mdSamples(report: Report): string[] {
  const s = report.samples;
  if (!s) return [];
  const out = ['', '### Samples', '', `${rateEvidence(s)}; 95 % interval by Wilson's score method.`, ''];
  out.push('`' + sampleStrip(s, 100) + '`', '', `<sub>${SAMPLE_STRIP_LEGEND}</sub>`, '');
  const codes = Object.entries(s.byCode).sort((a, b) => b[1] - a[1]);
  if (codes.length > 0) {
    out.push('| failing code | samples |', '|---|---|', ...codes.map(([c, n]) => `| \`${c}\` | ${n} |`), '');
    out.push(`First failure ${s.firstFailureAt}, last ${s.lastFailureAt}.`, '');
  }
  out.push('| phase | p50 ms | p90 ms | p99 ms | max ms |', '|---|---|---|---|---|');
  for (const p of PHASES) {
    const q = s.phases[p];
    if (q) out.push(`| ${p} | ${q.p50} | ${q.p90} | ${q.p99} | ${q.max} |`);
  }
  if (s.reuse) out.push('', `Connections reused like ${s.reuse.like}'s default pool: ${s.reuse.connectionsOpened} opened, ${s.reuse.reusedRequests} requests on a reused one.`);
  return out;
}

export interface SampleCase {
  name: string;
  seconds: number;
  outcome: 'pass' | 'failure';
  xml: string;
}

/** JUnit: one testcase per distinct outcome (passed, and each failing code) with its count. */
export function junitSampleCases(report: Report, failRun: boolean): SampleCase[] {
  const s = report.samples;
  if (!s) return [];
  const passed = s.count - s.failed;
  const cases: SampleCase[] = [{ name: `passed: ${passed} of ${s.count} samples`, seconds: 0, outcome: 'pass', xml: element('system-out', {}, xmlText(rateEvidence(s))) }];
  for (const [code, n] of Object.entries(s.byCode).sort((a, b) => b[1] - a[1])) {
    const text = `${n} of ${s.count} samples failed with ${code} (${percentText(n / s.count)}); first failure ${s.firstFailureAt}, last ${s.lastFailureAt}`;
    cases.push({
      name: `${code}: ${n} of ${s.count} samples`,
      seconds: 0,
      // Within --max-failure-rate the failures are reported, not failed.
      outcome: failRun ? 'failure' : 'pass',
      xml: failRun ? element('failure', { type: code, message: text }, xmlText(rateEvidence(s))) : element('system-out', {}, xmlText(text)),
    });
  }
  return cases;
}

/** OpenMetrics lines (HELP, TYPE, samples) for the sample summary; `esc` escapes label values. */
export function sampleMetricLines(report: Report, esc: (v: string) => string): string[] {
  const s = report.samples;
  if (!s) return [];
  const t = `target="${esc(report.target.url)}"`;
  const n = (v: number) => String(Math.round(v * 1e6) / 1e6);
  const out: string[] = [];
  const gauge = (name: string, help: string, rows: Array<[string, number]>) => {
    if (rows.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...rows.map(([l, v]) => `${name}{${l}} ${n(v)}`));
  };
  gauge('upstream_doctor_samples', 'Samples taken in a sampled run (--repeat, --duration)', [[t, s.count]]);
  gauge('upstream_doctor_samples_failed', 'Samples that failed (a retried one counts as failed)', [[t, s.failed]]);
  gauge('upstream_doctor_samples_failure_ratio', 'Share of samples that failed', [[t, s.failureRate]]);
  gauge('upstream_doctor_samples_failure_ratio_ci95', 'Bounds of the 95 % Wilson interval of the failure ratio', [
    [`${t},bound="lower"`, s.failureRateCi95[0]],
    [`${t},bound="upper"`, s.failureRateCi95[1]],
  ]);
  gauge('upstream_doctor_samples_failed_by_code', 'Failed samples by diagnosis code', Object.entries(s.byCode).map(([c, v]) => [`${t},code="${esc(c)}"`, v]));
  const phases = PHASES.filter((p) => s.phases[p] !== undefined);
  if (phases.length > 0) {
    const name = 'upstream_doctor_sample_phase_seconds';
    out.push(`# HELP ${name} Duration of each phase across the samples`, `# TYPE ${name} summary`);
    for (const p of phases) {
      const q = s.phases[p]!;
      for (const [quantile, v] of [['0.5', q.p50], ['0.9', q.p90], ['0.99', q.p99]] as const) out.push(`${name}{${t},phase="${p}",quantile="${quantile}"} ${n(v / 1000)}`);
      out.push(`${name}_sum{${t},phase="${p}"} ${n(q.sum / 1000)}`, `${name}_count{${t},phase="${p}"} ${q.count}`);
    }
    gauge('upstream_doctor_sample_phase_max_seconds', 'Longest duration of each phase across the samples', phases.map((p) => [`${t},phase="${p}"`, s.phases[p]!.max / 1000]));
  }
  return out;
}

/** A GitHub notice line with the summary (a failing run also has the INTERMITTENT_FAILURES annotation). */
export function githubSampleNotice(report: Report, escProperty: (v: string) => string, escData: (v: string) => string): string[] {
  const s = report.samples;
  if (!s) return [];
  const lines = [rateEvidence(s), `strip: ${sampleStrip(s, 100)}`];
  const codes = Object.entries(s.byCode);
  if (codes.length > 0) lines.push(`failing: ${codes.map(([c, v]) => `${c} ${v}`).join(', ')}`);
  const q = s.phases.total;
  if (q) lines.push(`total ms p50 ${q.p50} · p90 ${q.p90} · p99 ${q.p99} · max ${q.max}`);
  return [`::notice title=${escProperty(`upstream-doctor samples: ${s.failed} of ${s.count} failed`)}::${escData(lines.join('\n'))}`];
}
