/**
 * JUnit XML for CI: one testsuite per run, one testcase per stage. A stage that failed (or holds
 * an error diagnosis) is a <failure>; a bug of the tool is an <error>, so a CI dashboard never
 * mistakes "the endpoint is unhealthy" for "the check crashed"; a skipped stage is <skipped>.
 * Warnings fail their stage only when the run failed because of them (--strict, exit 1).
 */
import { ExitCode } from '../exit.js';
import { STAGE_IDS, type Diagnosis, type Report, type StageId, type StageResult } from '../report.js';
import { element, xmlText } from './xml.js';

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

function stageCase(report: Report, stage: StageResult | { id: StageId; status: 'fail'; durationMs: 0; summary: string }, ds: Diagnosis[]): Case {
  const strictFail = report.exitCode === ExitCode.STRICT_WARNINGS;
  const bugs = (report.internalErrors ?? []).filter((e) => e.stage === stage.id).map((e) => e.message);
  const own = (stage as StageResult).data?.internalError;
  if (typeof own === 'string' && !bugs.includes(own)) bugs.push(own);
  const errors = ds.filter((d) => d.severity === 'error');
  const warnings = ds.filter((d) => d.severity === 'warning');
  const failing = errors.length > 0 ? errors : strictFail ? warnings : [];
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

export function renderJunit(report: Report): string {
  const byStage = new Map<string, Diagnosis[]>();
  for (const d of report.diagnoses) byStage.set(d.stage, [...(byStage.get(d.stage) ?? []), d]);

  const cases: Case[] = report.stages.map((s) => stageCase(report, s, byStage.get(s.id) ?? []));
  // A diagnosis for a stage the report does not list still has to show up somewhere.
  for (const id of STAGE_IDS) {
    if (report.stages.some((s) => s.id === id) || !byStage.has(id)) continue;
    cases.push(stageCase(report, { id, status: 'fail', durationMs: 0, summary: 'diagnosed without a stage result' }, byStage.get(id)!));
  }
  const toolBugs = (report.internalErrors ?? []).filter((e) => e.stage === 'tool');
  if (toolBugs.length > 0) {
    const msg = toolBugs.map((e) => e.message).join('\n');
    cases.push({ name: 'tool', seconds: 0, outcome: 'error', xml: element('error', { type: 'internal-error', message: toolBugs[0]!.message }, xmlText(msg)) });
  }

  const count = (o: Outcome) => cases.filter((c) => c.outcome === o).length;
  const totals = {
    tests: cases.length,
    failures: count('failure'),
    errors: count('error'),
    skipped: count('skipped'),
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  };
  const t = report.target;
  const props = [
    ['target', t.url],
    ['input', t.input],
    ['provider', t.provider],
    ['via', t.via === 'proxy' ? `proxy ${t.proxy ?? ''}`.trim() : 'direct'],
    ['verdict', report.verdict],
    ['exitCode', String(report.exitCode)],
    ['rootCause', report.rootCause],
    ['interrupted', String(report.interrupted)],
    ['toolVersion', report.tool.version],
    ['node', report.host?.node],
  ]
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => element('property', { name, value }));

  const classname = `upstream-doctor.${t.host}`;
  const testcases = cases.map((c) => `    ${element('testcase', { name: c.name, classname, time: seconds(c.seconds) }, c.xml)}`);
  const suite = element(
    'testsuite',
    { name: `upstream-doctor ${t.url}`, ...totals, hostname: report.host?.hostname },
    `\n    <properties>${props.join('')}</properties>\n${testcases.join('\n')}\n  `,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', { name: 'upstream-doctor', ...totals }, `\n  ${suite}\n`)}\n`;
}
