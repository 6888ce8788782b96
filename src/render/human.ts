/** The human report: one line per stage, the diagnoses with evidence and steps, a timing waterfall. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Diagnosis, Report, StageResult, StageStatus } from '../report.js';
import type { RenderOptions } from './index.js';
import { compareSentence } from './compare.js';
import { waterfall } from './waterfall.js';
import { arrivalStrip, STRIP_LEGEND } from './strip.js';
import { humanSamples } from './samples.js';
import { humanKeepalive } from './keepalive.js';
import { humanGateway } from './gateway.js';
import { requestIdsOf } from './facts.js';
import { visibleLength, wrapCommand, wrapProse } from '../terminal/wrap.js';
import { toAscii } from '../terminal/ascii.js';

const SYMBOL: Record<StageStatus, string> = { pass: '✔', warn: '!', fail: '✘', skip: '-' };

function statusColor(c: ChalkInstance, s: StageStatus): (t: string) => string {
  return s === 'pass' ? c.green : s === 'warn' ? c.yellow : s === 'fail' ? c.red : c.gray;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function stageLine(c: ChalkInstance, s: StageResult): string {
  const color = statusColor(c, s.status);
  const dur = s.status === 'skip' ? '' : formatMs(s.durationMs);
  return `  ${color(SYMBOL[s.status])} ${c.bold(s.id.padEnd(7))}${dur.padStart(9)}  ${s.status === 'skip' ? c.gray(s.summary) : s.summary}`;
}

function diagnosisBlock(c: ChalkInstance, d: Diagnosis, isRoot: boolean): string[] {
  const sev = d.severity === 'error' ? c.red.bold('error') : d.severity === 'warning' ? c.yellow.bold('warning') : c.cyan('info');
  const lines = [`${sev} ${c.bold(d.code)}${isRoot ? c.gray(' (root cause)') : ''}: ${d.title}`];
  lines.push(c.gray(`  where: ${d.origin} · who fixes it: ${d.owner} · retry helps: ${d.retry}`));
  for (const e of d.evidence) lines.push(`  · ${e}`);
  d.remediation.forEach((r, i) => {
    lines.push(`  ${i + 1}. ${r.who && r.who !== 'you' ? c.gray(`[${r.who}] `) : ''}${r.text}`);
    if (r.command) for (const cl of r.command.split('\n')) lines.push(c.cyan(`${COMMAND}${cl}`));
  });
  return lines;
}

export function renderHuman(report: Report, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const t = report.target;
  out.push(`${c.bold('upstream-doctor')} ${t.url} ${c.gray(`(provider ${t.provider}, ${t.via === 'proxy' ? `via proxy ${t.proxy ?? ''}` : 'direct'})`)}`);
  out.push('');
  // A long summary continues under itself: 2 + mark + space + 7 (id) + 9 (time) + 2.
  for (const s of report.stages) out.push(...wrapProse(stageLine(c, s), opts.width ?? 80, 22));
  // --compare-direct: both paths side by side and what that means (the direct run's stages are in
  // the other formats).
  if (report.compare) {
    const k = report.compare;
    const side = (p: { verdict: string; rootCause?: string }) => `${p.verdict}${p.rootCause ? ` (${p.rootCause})` : ''}`;
    out.push('', c.bold('compare-direct'), `  through ${k.proxy}: ${side(k.proxied)}`, `  direct: ${side(k.direct)}`, `  ${compareSentence(k)}`);
  }
  // The key the steps refer to (`sk-…abcd`, never more) and the ids a provider's support asks for.
  const ids = requestIdsOf(report);
  if (report.key || ids.length > 0) out.push('');
  if (report.key) out.push(`${c.bold('key')} ${report.key.fingerprint} from ${report.key.source}`);
  if (ids.length > 0) {
    out.push(`${c.bold('request ids')} ${c.gray('(what provider or gateway support asks for)')}`);
    for (const id of ids) out.push(`  ${id.name}: ${id.value}${id.stage !== 'http' ? c.gray(` (${id.stage})`) : ''}`);
  }
  const wf = waterfall(report, opts.width ?? 72);
  if (wf.length > 0) {
    out.push('');
    out.push(c.bold('timings'));
    out.push(...wf.map((l) => `  ${l}`));
  }
  const strip = arrivalStrip(report, opts.width ?? 72);
  if (strip) out.push('', c.bold('stream arrivals'), `  ${strip}`, c.gray(`  ${STRIP_LEGEND}`));
  if (report.samples) out.push('', c.bold(`samples${report.interrupted ? ' (interrupted: the samples taken so far)' : ''}`), ...humanSamples(report, opts.width ?? 72));
  // --keepalive and --gateway: a short block each; continuation lines sit under the text.
  if (report.keepalive) out.push('', c.bold('keep-alive'), ...humanKeepalive(report, opts.width ?? 80).flatMap((l) => wrapProse(l, opts.width ?? 80, 4)));
  if (report.gateway) out.push('', c.bold('gateway'), ...humanGateway(report).flatMap((l) => wrapProse(l, opts.width ?? 80, 14)));
  if (report.capture) out.push('', c.bold('capture'), report.capture.file ? `  ${report.capture.packets} packets in ${report.capture.file} (${report.capture.kept === 'failing-samples' ? 'failing samples only; ' : ''}filter: ${report.capture.filter})${report.capture.warning ? `\n  ${c.yellow('incomplete')}: ${report.capture.warning}` : ''}` : `  ${c.yellow('no capture')}: ${report.capture.warning ?? ''}`);
  if (report.capture?.credentialsInClear?.length) out.push(`  ${c.yellow('holds in clear')}: ${report.capture.credentialsInClear.join('; ')} (file mode 0600; treat it like the key)`);
  if (report.diagnoses.length > 0) out.push('');
  for (const d of report.diagnoses) {
    out.push(...diagnosisBlock(c, d, d.code === report.rootCause));
    out.push('');
  }
  for (const e of report.internalErrors ?? []) {
    out.push(c.red.bold(`internal error in ${e.stage}: ${e.message}`));
    out.push('  This is a bug of upstream-doctor: please report it with the JSON report (--json) attached.');
  }
  if (out[out.length - 1] !== '') out.push('');
  out.push(verdictLine(report, c));
  const width = opts.width ?? 80;
  const wrapped = out.flatMap((l) => (isCommandLine(l) ? wrapCommand(l.replace(ANSI_RE, '').slice(COMMAND.length), COMMAND.length, width).map((x) => c.cyan(x)) : wrapProse(l, width)));
  const text = `${wrapped.join('\n')}\n`;
  return opts.unicode === false ? toAscii(text) : text;
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;]*m/g;
/** Commands are indented by this much under their step. */
const COMMAND = '       ';
function isCommandLine(l: string): boolean {
  const plain = l.replace(ANSI_RE, '');
  return plain.startsWith(COMMAND) && !plain.startsWith(`${COMMAND} `) && visibleLength(plain) > 0;
}

/** The last line: verdict, time, exit code, root cause. (Also all that --quiet prints.) */
export function verdictLine(report: Report, c: ChalkInstance): string {
  const verdict = report.verdict === 'ok' ? c.green.bold('OK') : report.verdict === 'degraded' ? c.yellow.bold('DEGRADED') : c.red.bold('FAILED');
  const root = report.rootCause ? ` · root cause ${report.rootCause}` : '';
  const intr = report.interrupted ? ' · interrupted' : '';
  return `${verdict} in ${formatMs(report.durationMs)} · exit ${report.exitCode}${root}${intr}`;
}
