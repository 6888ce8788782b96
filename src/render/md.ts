/**
 * Ticket-ready Markdown: who ran what from where and when, the verdict, a stage table with
 * timings, under --compare-direct the same stages without the proxy beside them, the diagnoses
 * with evidence and steps, the ids support desks ask for (request ids, cf-ray), and the whole JSON
 * report folded away at the end. Server text is escaped so it renders
 * as itself. Secrets never get here: the report is already scrubbed, and cli.ts scrubs again.
 */
import type { Diagnosis, Report, StageResult, StageStatus } from '../report.js';
import { compareSentence, sideText } from './compare.js';
import { formatMs } from './human.js';
import { egressAddressOf, httpStatusOf, httpTimingsOf, httpVersionOf, requestIdsOf } from './facts.js';
import { renderJson } from './json.js';
import { mdSamples } from './samples.js';
import { mdKeepalive } from './keepalive.js';
import { mdGateway } from './gateway.js';
import { mdCode, mdFence, mdTable, mdText } from './mdtext.js';

const STATUS: Record<StageStatus, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '⏭️ skip' };
const VERDICT = { ok: '✅ OK', degraded: '⚠️ DEGRADED', failed: '❌ FAILED' } as const;
const SEVERITY = { error: '❌ error', warning: '⚠️ warning', info: 'ℹ️ info' } as const;

function header(report: Report): string[] {
  const t = report.target;
  const via = t.via === 'proxy' ? `via proxy ${mdCode(t.proxy ?? '(unknown)')}` : 'direct';
  const from: string[] = [];
  if (report.host) from.push(`host ${mdCode(report.host.hostname)}`);
  const egress = egressAddressOf(report);
  if (egress) from.push(`egress address ${mdCode(egress)}`);
  from.push(`upstream-doctor ${mdText(report.tool.version)}`);
  if (report.host) {
    from.push(`Node ${mdText(report.host.node)}`);
    if (report.host.undici) from.push(`undici ${mdText(report.host.undici)}`);
    from.push(mdText(report.host.platform));
  }
  let verdict = `**${VERDICT[report.verdict]}** · exit code ${report.exitCode}`;
  if (report.rootCause) verdict += ` · root cause ${mdCode(report.rootCause)}`;
  if (report.interrupted) verdict += ' · interrupted (partial report)';
  const rows = [
    ['Target', `${mdCode(t.url)} (typed as ${mdCode(t.input)}) · provider ${mdText(t.provider)} · ${via}`],
    ['When', `${mdText(report.startedAt)} · took ${formatMs(report.durationMs)}`],
    ['From', from.join(' · ')],
    ['Verdict', verdict],
  ];
  if (report.key) rows.push(['API key', `${mdCode(report.key.fingerprint)} from ${mdText(report.key.source)}`]);
  else if (report.key === null) rows.push(['API key', 'none found']);
  return [`## upstream-doctor: ${VERDICT[report.verdict]} for ${mdCode(t.host)}`, '', ...mdTable(['', ''], rows)];
}

function stageTable(report: Report): string[] {
  if (report.stages.length === 0) return [];
  const rows = report.stages.map((s) => [s.id, STATUS[s.status], s.status === 'skip' ? '' : formatMs(s.durationMs), mdText(s.summary)]);
  const out = ['', '### Stages', '', ...mdTable(['stage', 'status', 'time', 'summary'], rows)];
  const timings = httpTimingsOf(report);
  const phases = timings ? (['connect', 'tls', 'request', 'firstByte', 'download', 'total'] as const).filter((k) => timings[k] !== undefined) : [];
  const extra: string[] = [];
  const status = httpStatusOf(report);
  if (status !== undefined) extra.push(`HTTP status ${status}`);
  const version = httpVersionOf(report);
  if (version !== undefined) extra.push(`HTTP version ${version}`);
  if (phases.length > 0) extra.push(`phases: ${phases.map((k) => `${k} ${formatMs(timings![k]!)}`).join(', ')}`);
  if (extra.length > 0) out.push('', `HTTP exchange: ${extra.join(' · ')}`);
  return out;
}

/** A stage's cells: status, time, summary (empty cells when the run has no such stage). */
function stageCells(s: StageResult | undefined): string[] {
  if (!s) return ['', '', ''];
  return [STATUS[s.status], s.status === 'skip' ? '' : formatMs(s.durationMs), mdText(s.summary)];
}

/** --compare-direct: both stage tables in one, side by side, the attribution, the direct run's diagnoses. */
function compareSection(report: Report): string[] {
  const c = report.compare;
  if (!c) return [];
  const ids = [...new Set([...report.stages.map((s) => s.id), ...c.direct.stages.map((s) => s.id)])];
  const rows = ids.map((id) => [id, ...stageCells(report.stages.find((s) => s.id === id)), ...stageCells(c.direct.stages.find((s) => s.id === id))]);
  const out = ['', '### Through the proxy vs direct', '', `**${mdText(compareSentence(c))}**`, ''];
  out.push(`Through ${mdCode(c.proxy)}: ${mdText(sideText(c.proxied))} · direct: ${mdText(sideText(c.direct))} · outcome ${mdCode(c.outcome)}`, '');
  out.push(...mdTable(['stage', 'through the proxy', 'time', 'summary', 'direct', 'time', 'summary'], rows));
  if (c.direct.diagnoses.length > 0) {
    out.push('', 'Diagnoses of the direct run:', '');
    for (const d of c.direct.diagnoses) {
      out.push(`- ${SEVERITY[d.severity]} ${mdCode(d.code)}${d.code === c.direct.rootCause ? ' (root cause)' : ''} at ${mdText(d.stage)}: ${mdText(d.title)}${d.evidence[0] ? ` (${mdText(d.evidence[0])})` : ''}`);
    }
  }
  return out;
}

function diagnosisSection(d: Diagnosis, isRoot: boolean): string[] {
  const out = ['', `#### ${SEVERITY[d.severity]} ${mdCode(d.code)}${isRoot ? ' (root cause)' : ''}: ${mdText(d.title)}`, ''];
  out.push(`Stage ${mdText(d.stage)} · where: ${mdText(d.origin)} · who fixes it: ${mdText(d.owner)} · retry helps: ${mdText(d.retry)}`);
  if (d.explains && d.explains.length > 0) out.push('', `Explains: ${d.explains.map(mdCode).join(', ')}`);
  if (d.evidence.length > 0) out.push('', '**Evidence**', '', ...d.evidence.map((e) => `- ${mdText(e)}`));
  const details = Object.entries(d.details).filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object');
  if (details.length > 0) out.push('', `Details: ${details.map(([k, v]) => `${mdText(k)} ${mdCode(String(v))}`).join(', ')}`);
  if (d.remediation.length > 0) {
    out.push('', '**What to do**', '');
    d.remediation.forEach((r, i) => {
      const who = r.who && r.who !== 'you' ? `*(${mdText(r.who)})* ` : '';
      out.push(`${i + 1}. ${who}${mdText(r.text)}`);
      if (r.command) out.push('', ...mdFence(r.command, 'sh').split('\n').map((l) => `   ${l}`), '');
    });
  }
  return out;
}

function diagnoses(report: Report): string[] {
  const out: string[] = [];
  if (report.diagnoses.length > 0) {
    out.push('', '### Diagnoses');
    for (const d of report.diagnoses) out.push(...diagnosisSection(d, d.code === report.rootCause));
  }
  const bugs = report.internalErrors ?? [];
  if (bugs.length > 0) {
    out.push('', '### Errors of the tool itself', '');
    for (const e of bugs) out.push(`- ${mdText(e.stage)}: ${mdText(e.message)}`);
    out.push('', 'These are bugs of upstream-doctor, not findings about the endpoint: please report them with this report attached.');
  }
  return out;
}

function requestIds(report: Report): string[] {
  const ids = requestIdsOf(report);
  if (ids.length === 0) return [];
  const rows = ids.map((r) => [mdCode(r.name), mdCode(r.value), r.stage]);
  return ['', '### Request ids', '', 'Quote these when you contact the provider or the operator of the edge.', '', ...mdTable(['header', 'value', 'stage'], rows)];
}

export function renderMarkdown(report: Report): string {
  const out = [...header(report), ...stageTable(report), ...compareSection(report), ...mdSamples(report), ...mdKeepalive(report, mdText), ...mdGateway(report, mdText, mdCode), ...diagnoses(report), ...requestIds(report)];
  // A blank line after <summary> lets the fenced block inside render as code on GitHub and GitLab.
  out.push('', '<details><summary>JSON report</summary>', '', mdFence(renderJson(report), 'json'), '', '</details>', '');
  return out.join('\n');
}
