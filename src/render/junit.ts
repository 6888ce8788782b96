/**
 * JUnit XML for CI: one testsuite per run (a second one, `direct`, under --compare-direct), one
 * testcase per stage. A stage that failed (or holds
 * an error diagnosis) is a <failure>; a bug of the tool is an <error>, so a CI dashboard never
 * mistakes "the endpoint is unhealthy" for "the check crashed"; a skipped stage is <skipped>.
 * Warnings fail their stage only when the run failed because of them (--strict, exit 1).
 */
import { ExitCode } from '../exit.js';
import { STAGE_IDS, type Diagnosis, type Report, type StageId, type StageResult } from '../report.js';
import { element, xmlText } from './xml.js';
import { junitSampleCases } from './samples.js';
import { junitKeepaliveCase } from './keepalive.js';
import { junitGatewayCases } from './gateway.js';
import { samplesFail } from '../sample/summary.js';

type Outcome = 'pass' | 'failure' | 'error' | 'skipped';

interface Case {
  name: string;
  seconds: number;
  outcome: Outcome;
  xml: string;
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** A diagnosis as plain text: what CI shows when the failure is opened. */
export function diagnosisText(d: Diagnosis): string {
  const lines = [`${d.code} (${d.severity}): ${d.title}`, `where: ${d.origin}; who fixes it: ${d.owner}; retry helps: ${d.retry}`];
  for (const e of d.evidence) lines.push(`- ${e}`);
  d.remediation.forEach((r, i) => {
    lines.push(`${i + 1}. ${r.who && r.who !== 'you' ? `[${r.who}] ` : ''}${r.text}`);
    if (r.command) for (const c of r.command.split('\n')) lines.push(`     ${c}`);
  });
  return lines.join('\n');
}

/** What a testcase needs to know about the run it belongs to. */
interface RunFacts {
  /** Warnings fail their stage (the run exited 1 under --strict). */
  strictFail: boolean;
  /** Bugs of the tool by stage id. */
  bugs: Array<{ stage: string; message: string }>;
}

type StageLike = StageResult | { id: StageId; status: 'fail'; durationMs: 0; summary: string };

function stageCase(run: RunFacts, stage: StageLike, ds: Diagnosis[]): Case {
  const bugs = run.bugs.filter((e) => e.stage === stage.id).map((e) => e.message);
  const own = (stage as StageResult).data?.internalError;
  if (typeof own === 'string' && !bugs.includes(own)) bugs.push(own);
  const errors = ds.filter((d) => d.severity === 'error');
  const warnings = ds.filter((d) => d.severity === 'warning');
  const failing = errors.length > 0 ? errors : run.strictFail ? warnings : [];
  const rest = ds.filter((d) => !failing.includes(d));
  const out = [`${stage.status}: ${stage.summary}`, ...rest.map(diagnosisText)].join('\n\n');

  let outcome: Outcome = 'pass';
  let inner = '';
  if (bugs.length > 0) {
    outcome = 'error';
    inner = element('error', { type: 'internal-error', message: bugs[0] }, xmlText(`${bugs.join('\n')}\nThis is a bug of upstream-doctor, not a finding about the endpoint.`));
  } else if (stage.status === 'skip') {
    outcome = 'skipped';
    inner = element('skipped', { message: stage.summary });
  } else if (stage.status === 'fail' || failing.length > 0) {
    outcome = 'failure';
    const first = failing[0];
    inner = element(
      'failure',
      { type: first?.code ?? 'STAGE_FAILED', message: first ? `${first.code}: ${first.title}` : stage.summary },
      xmlText(failing.length > 0 ? failing.map(diagnosisText).join('\n\n') : stage.summary),
    );
  }
  inner += element('system-out', {}, xmlText(out));
  return { name: stage.id, seconds: stage.durationMs, outcome, xml: inner };
}

/** One testcase per stage, plus one for each diagnosed stage the run does not list and one for bugs of the tool. */
function casesOf(run: RunFacts, stages: StageResult[], diagnoses: Diagnosis[]): Case[] {
  const byStage = new Map<string, Diagnosis[]>();
  for (const d of diagnoses) byStage.set(d.stage, [...(byStage.get(d.stage) ?? []), d]);
  const cases: Case[] = stages.map((s) => stageCase(run, s, byStage.get(s.id) ?? []));
  // A diagnosis for a stage the report does not list still has to show up somewhere.
  for (const id of STAGE_IDS) {
    if (stages.some((s) => s.id === id) || !byStage.has(id)) continue;
    cases.push(stageCase(run, { id, status: 'fail', durationMs: 0, summary: 'diagnosed without a stage result' }, byStage.get(id)!));
  }
  const toolBugs = run.bugs.filter((e) => e.stage === 'tool');
  if (toolBugs.length > 0) {
    const msg = toolBugs.map((e) => e.message).join('\n');
    cases.push({ name: 'tool', seconds: 0, outcome: 'error', xml: element('error', { type: 'internal-error', message: toolBugs[0]!.message }, xmlText(msg)) });
  }
  return cases;
}

export interface Totals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: string;
  timestamp: string;
}

function totalsOf(cases: Case[], ms: number, timestamp: string): Totals {
  const count = (o: Outcome) => cases.filter((c) => c.outcome === o).length;
  return { tests: cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped'), time: seconds(ms), timestamp };
}

function suiteXml(name: string, totals: Totals, hostname: string | undefined, props: Array<[string, string | undefined]>, classname: string, cases: Case[]): string {
  const p = props.filter((x): x is [string, string] => x[1] !== undefined).map(([n, value]) => element('property', { name: n, value }));
  const testcases = cases.map((c) => `    ${element('testcase', { name: c.name, classname, time: seconds(c.seconds) }, c.xml)}`);
  return element('testsuite', { name, ...totals, hostname }, `\n    <properties>${p.join('')}</properties>\n${testcases.join('\n')}\n  `);
}

/**
 * --compare-direct: the direct run as a second testsuite `direct`, so CI shows both paths. Its
 * failures are the direct path's own (that is what the comparison is for); the first suite stays
 * the run the exit code speaks for. Its testcases carry their own classname, so a CI that keys
 * tests by classname and name never merges them with the proxied ones.
 */
function directSuite(report: Report, c: NonNullable<Report['compare']>): { xml: string; totals: Totals } {
  // The direct run has no exit code of its own: only its errors fail a stage.
  const cases = casesOf({ strictFail: false, bugs: [] }, c.direct.stages, c.direct.diagnoses);
  const ms = c.direct.stages.reduce((a, s) => a + Math.max(0, s.durationMs), 0);
  const totals = totalsOf(cases, ms, report.startedAt);
  const props: Array<[string, string | undefined]> = [
    ['target', report.target.url],
    ['via', 'direct'],
    ['comparedWith', `proxy ${c.proxy}`],
    ['compareOutcome', c.outcome],
    ['verdict', c.direct.verdict],
    ['rootCause', c.direct.rootCause],
  ];
  return { xml: suiteXml(report.target.name !== undefined ? `direct ${report.target.name}` : 'direct', totals, report.host?.hostname, props, `upstream-doctor.direct.${report.target.name ?? report.target.host}`, cases), totals };
}

/** The testsuite(s) of one run (a second one under --compare-direct) and their summed counts. */
export function junitSuites(report: Report): { suites: string[]; totals: Totals } {
  const run: RunFacts = { strictFail: report.exitCode === ExitCode.STRICT_WARNINGS, bugs: report.internalErrors ?? [] };
  const cases = casesOf(run, report.stages, report.diagnoses);
  const totals = totalsOf(cases, report.durationMs, report.startedAt);
  const t = report.target;
  const props: Array<[string, string | undefined]> = [
    ['target', t.url],
    ['input', t.input],
    ['name', t.name],
    ['provider', t.provider],
    ['via', t.via === 'proxy' ? `proxy ${t.proxy ?? ''}`.trim() : 'direct'],
    ['verdict', report.verdict],
    ['exitCode', String(report.exitCode)],
    ['rootCause', report.rootCause],
    ['interrupted', String(report.interrupted)],
    ['compareOutcome', report.compare?.outcome],
    ['toolVersion', report.tool.version],
    ['node', report.host?.node],
  ];
  // Several targets (a named run): the name keeps each target's suite and testcases apart.
  const suiteName = t.name !== undefined ? `upstream-doctor ${t.name} ${t.url}` : `upstream-doctor ${t.url}`;
  const suites = [suiteXml(suiteName, totals, report.host?.hostname, props, `upstream-doctor.${t.name ?? t.host}`, cases)];
  // The outer counts add up every suite, as JUnit readers expect of <testsuites>.
  let all = totals;
  if (report.compare) {
    const direct = directSuite(report, report.compare);
    suites.push(direct.xml);
    all = addTotals(totals, direct.totals);
  }
  // A sampled run: a suite `samples` with one testcase per distinct outcome and its count.
  if (report.samples) {
    const sc = junitSampleCases(report, samplesFail(report.samples));
    const st = totalsOf(sc, report.samples.spanMs, report.startedAt);
    suites.push(suiteXml('samples', st, report.host?.hostname, [['target', t.url], ['samples', String(report.samples.count)], ['failed', String(report.samples.failed)]], `upstream-doctor.samples.${t.name ?? t.host}`, sc));
    all = addTotals(all, st);
  }
  // --keepalive and --gateway: a suite `checks` with one testcase for the keep-alive probe and one per gateway check.
  const checks: Case[] = [...(report.keepalive ? [junitKeepaliveCase(report, run.strictFail)!] : []), ...junitGatewayCases(report, run.strictFail)];
  if (checks.length > 0) {
    const ms = (report.keepalive && 'durationMs' in report.keepalive ? report.keepalive.durationMs : 0) + (report.gateway && 'durationMs' in report.gateway ? report.gateway.durationMs : 0);
    const ct = totalsOf(checks, ms, report.startedAt);
    suites.push(suiteXml('checks', ct, report.host?.hostname, [['target', t.url]], `upstream-doctor.checks.${t.name ?? t.host}`, checks));
    all = addTotals(all, ct);
  }
  return { suites, totals: all };
}

/** Counts of two suites together (the time and timestamp of the first). */
export function addTotals(a: Totals, b: Totals): Totals {
  return { ...a, tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped };
}

/** The <testsuites> document around suites. */
export function junitDocument(suites: string[], totals: Totals): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', { name: 'upstream-doctor', ...totals }, `\n  ${suites.join('\n  ')}\n`)}\n`;
}

export function renderJunit(report: Report): string {
  const { suites, totals } = junitSuites(report);
  return junitDocument(suites, totals);
}
