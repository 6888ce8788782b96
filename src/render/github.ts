/**
 * GitHub Actions workflow commands: one annotation per diagnosis (`::error::` for errors,
 * `::warning::` for warnings, `::notice::` for information), then the stage lines in a collapsed
 * group and a one-line verdict. Under --compare-direct, one `::notice::` says which path works,
 * and the direct run's stages get a group of their own. The Markdown report for the job summary is appended by cli.ts
 * (that is file I/O, not rendering).
 *
 * Server text is escaped as the runner expects, so a line break inside it can never start a
 * workflow command of its own (`::add-mask::`, `::stop-commands::` ...).
 */
import { githubSampleNotice } from './samples.js';
import type { Diagnosis, Report, StageResult } from '../report.js';
import { compareSentence, sideText } from './compare.js';
import { formatMs } from './human.js';
import { githubKeepalive } from './keepalive.js';
import { githubGateway } from './gateway.js';

// Control characters (terminal escapes, NUL) would garble the log; CR and LF are encoded instead.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** The message part of a workflow command: `%`, CR and LF encoded. */
export function escapeData(s: string): string {
  return s.replace(CONTROL, '').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`title=`): also `:` and `,`, which end a property. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A plain log line: one line, and never one the runner would read as a command. */
function plain(s: string): string {
  const one = s.replace(CONTROL, '').replace(/\r?\n|\r/g, ' ');
  return /^\s*::/.test(one) ? ` ${one.replace(/^\s*::/, ': :')}` : one;
}

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

function annotation(d: Diagnosis, isRoot: boolean, name?: string): string {
  // Several targets: each annotation says which target it is about.
  const title = `${name !== undefined ? `${name}: ` : ''}${d.code} (${d.stage}${isRoot ? ', root cause' : ''})`;
  const lines = [d.title];
  for (const e of d.evidence) lines.push(`- ${e}`);
  d.remediation.forEach((r, i) => {
    lines.push(`${i + 1}. ${r.who && r.who !== 'you' ? `[${r.who}] ` : ''}${r.text}`);
    if (r.command) lines.push(...r.command.split('\n').map((c) => `     ${c}`));
  });
  lines.push(`where: ${d.origin}; who fixes it: ${d.owner}; retry helps: ${d.retry}; more: diagnose --explain ${d.code}`);
  return `::${LEVEL[d.severity]} title=${escapeProperty(title)}::${escapeData(lines.join('\n'))}`;
}

function stageGroup(title: string, stages: StageResult[]): string[] {
  if (stages.length === 0) return [];
  const out = [`::group::${escapeData(title)}`];
  for (const s of stages) {
    const time = s.status === 'skip' ? '' : ` ${formatMs(s.durationMs)}`;
    out.push(plain(`${s.id.padEnd(7)}${s.status.padEnd(5)}${time}  ${s.summary}`));
  }
  out.push('::endgroup::');
  return out;
}

/** --compare-direct: one notice with the attribution and both sides. */
function compareNotice(c: NonNullable<Report['compare']>): string {
  const lines = [compareSentence(c), `through ${c.proxy}: ${sideText(c.proxied)}`, `direct: ${sideText(c.direct)}`];
  return `::notice title=${escapeProperty(`compare-direct: ${c.outcome}`)}::${escapeData(lines.join('\n'))}`;
}

export function renderGithub(report: Report): string {
  const out = report.diagnoses.map((d) => annotation(d, d.code === report.rootCause, report.target.name));
  for (const e of report.internalErrors ?? []) {
    out.push(`::error title=${escapeProperty(`upstream-doctor internal error (${e.stage})`)}::${escapeData(`${e.message}\nThis is a bug of upstream-doctor; please report it with the JSON report attached.`)}`);
  }
  if (report.compare) out.push(compareNotice(report.compare));
  out.push(...githubSampleNotice(report, escapeProperty, escapeData));
  // --keepalive and --gateway: one annotation per section (notice, or warning when it found a problem).
  out.push(...githubKeepalive(report, escapeProperty, escapeData));
  out.push(...githubGateway(report, escapeProperty, escapeData));
  out.push(...stageGroup(`upstream-doctor stages for ${report.target.url}`, report.stages));
  if (report.compare) out.push(...stageGroup(`upstream-doctor stages for ${report.target.url} without the proxy`, report.compare.direct.stages));
  const root = report.rootCause ? ` · root cause ${report.rootCause}` : '';
  const interrupted = report.interrupted ? ' · interrupted' : '';
  out.push(plain(`upstream-doctor ${report.verdict.toUpperCase()} for ${report.target.url} in ${formatMs(report.durationMs)} · exit ${report.exitCode}${root}${interrupted}`));
  return `${out.join('\n')}\n`;
}
