/**
 * The `--gateway` section (report.gateway) in every format but JSON: one line per check with its
 * result (pass / warn / fail by the findings of that check, skip with the reason), a Markdown
 * section, one JUnit testcase per check, and OpenMetrics families (each check's result, the
 * largest body accepted, the burst's statuses). Pure: the report in, text out.
 */
import type { Diagnosis, Report } from '../report.js';
import type { GatewayReply, GatewaySection } from '../net/gateway/section.js';
import { element, xmlText } from './xml.js';
import type { Family } from './openmetrics.js';

type Labels = Record<string, string>;
export type GatewayCheckId = 'redirect' | 'headers' | 'cors' | 'body' | 'websocket' | 'burst';
export type CheckResult = 'pass' | 'warn' | 'fail' | 'skip';

export const GATEWAY_CHECKS: readonly GatewayCheckId[] = ['redirect', 'headers', 'cors', 'body', 'websocket', 'burst'];

/** Which codes each check's rules give (src/diagnose/gateway/rules.ts). */
export const CHECK_CODES: Record<GatewayCheckId, readonly string[]> = {
  redirect: ['REDIRECT_DROPS_METHOD'],
  headers: ['HSTS_MISSING', 'SECURITY_HEADERS_MISSING'],
  cors: ['CORS_PREFLIGHT_REJECTED', 'CORS_MISSING_ON_ERRORS'],
  body: ['BODY_LIMIT_LOW'],
  websocket: ['WEBSOCKET_UPGRADE_FAILED', 'WEBSOCKET_IDLE_CLOSED'],
  burst: ['RATE_LIMIT_WRONG_STATUS', 'RATE_LIMIT_NO_RETRY_AFTER'],
};

export interface GatewayCheckLine {
  check: GatewayCheckId;
  result: CheckResult;
  /** What the check saw, in a few words. */
  text: string;
  /** The findings of this check. */
  diagnoses: Diagnosis[];
}

export function gatewayOf(report: Report): GatewaySection | undefined {
  const g = report.gateway;
  return g && 'headers' in g ? g : undefined;
}

const mib = (b: number) => (b >= 1_048_576 ? `${+(b / 1_048_576).toFixed(2)} MiB` : `${+(b / 1024).toFixed(1)} KiB`);

function replyText(r: GatewayReply): string {
  return 'status' in r ? String(r.status) : `no answer (${r.failure}${r.code ? ` ${r.code}` : ''})`;
}

function checkText(g: GatewaySection, id: GatewayCheckId): string {
  switch (id) {
    case 'redirect': {
      const c = g.redirect;
      if ('skipped' in c) return c.skipped;
      return `POST ${c.url} -> ${replyText(c.reply)}${c.location ? ` to ${c.location}` : ''}`;
    }
    case 'headers': {
      const c = g.headers;
      if ('skipped' in c) return c.skipped;
      const hsts = c.probes.some((p) => 'status' in p.reply && p.reply.headers['strict-transport-security'] !== undefined);
      return `${c.probes.map((p) => `${p.method ?? 'GET'} ${p.path} -> ${replyText(p.reply)}`).join(', ')}; HSTS ${hsts ? 'sent' : 'not sent'}`;
    }
    case 'cors': {
      const c = g.cors;
      if ('skipped' in c) return c.skipped;
      const acao = (r: GatewayReply) => ('status' in r && r.headers['access-control-allow-origin'] !== undefined ? `allows ${r.headers['access-control-allow-origin']}` : 'no Access-Control-Allow-Origin');
      const pre = `preflight from ${c.origin} -> ${replyText(c.preflight.reply)}, ${acao(c.preflight.reply)}`;
      return c.error ? `${pre}; an error answer ${replyText(c.error.reply)}, ${acao(c.error.reply)}` : pre;
    }
    case 'body': {
      const c = g.body;
      if ('skipped' in c) return c.skipped;
      const last = c.rungs[c.rungs.length - 1];
      const acc = c.largestAcceptedBytes !== undefined ? `largest body accepted ${mib(c.largestAcceptedBytes)}` : 'no body accepted';
      if (c.smallestRefusedBytes !== undefined) return `${acc}; ${mib(c.smallestRefusedBytes)} refused with 413`;
      if (last && last.result === 'cut') return `${acc}; ${mib(last.bytes)} got no answer (${last.failure ?? 'cut'} after ${mib(last.bodyBytesWritten)})`;
      return `${acc} (the ladder's largest rung is ${mib(c.ladderMaxBytes)})`;
    }
    case 'websocket': {
      const c = g.websocket;
      if ('skipped' in c) return c.skipped;
      if (c.outcome === 'failed') return `upgrade of ${c.url} got no answer (${c.failure ?? 'failed'})`;
      if (c.outcome === 'refused') return `upgrade of ${c.url} answered ${c.status}${c.headers?.server ? ` by ${c.headers.server}` : ''} instead of 101`;
      const idle = c.idle ? (c.idle.closedAfterSeconds !== undefined ? `; the idle socket was closed after ${c.idle.closedAfterSeconds} s (code ${c.idle.closeCode ?? '?'})` : `; the idle socket lived ${c.idle.targetSeconds} s`) : '';
      return `upgrade of ${c.url} -> 101${idle}`;
    }
    case 'burst': {
      const c = g.burst;
      if ('skipped' in c) return c.skipped;
      const counts = Object.entries(c.statuses).map(([s, n]) => `${n} x ${s}`).join(', ');
      const l = c.limited;
      const lim = l ? `; limited from request ${l.index + 1} with ${l.status}, ${l.retryAfter !== undefined ? `Retry-After: ${l.retryAfter}` : 'no Retry-After'}` : '; no limit met';
      return `${c.requests} requests in ${(c.durationMs / 1000).toFixed(2)} s: ${counts}${lim}`;
    }
  }
}

/** Every check with its result: skip when it did not run, else by the worst finding of the check. */
export function gatewayChecks(report: Report): GatewayCheckLine[] {
  const g = gatewayOf(report);
  if (!g) return [];
  return GATEWAY_CHECKS.map((check) => {
    const diagnoses = report.diagnoses.filter((d) => CHECK_CODES[check].includes(d.code));
    const skipped = 'skipped' in g[check];
    const result: CheckResult = skipped ? 'skip' : diagnoses.some((d) => d.severity === 'error') ? 'fail' : diagnoses.some((d) => d.severity === 'warning') ? 'warn' : 'pass';
    return { check, result, text: checkText(g, check), diagnoses };
  });
}

const MARK: Record<CheckResult, string> = { pass: '✔', warn: '!', fail: '✘', skip: '-' };

/** The human block under the title `gateway`: one line per check. */
export function humanGateway(report: Report): string[] {
  const g = report.gateway;
  if (!g) return [];
  if (!('headers' in g)) return [`  not run: ${g.skipped}`];
  return gatewayChecks(report).map((c) => `  ${MARK[c.result]} ${c.check.padEnd(10)}${c.text}${c.diagnoses.length > 0 ? ` [${c.diagnoses.map((d) => d.code).join(', ')}]` : ''}`);
}

/** The Markdown section. */
export function mdGateway(report: Report, esc: (s: string) => string, code: (s: string) => string): string[] {
  const g = report.gateway;
  if (!g) return [];
  const out = ['', '### Gateway checks', ''];
  if (!('headers' in g)) return [...out, `Not run: ${esc(g.skipped)}`];
  out.push('| check | result | what it saw | findings |', '|---|---|---|---|');
  for (const c of gatewayChecks(report)) out.push(`| ${c.check} | ${c.result} | ${esc(c.text)} | ${c.diagnoses.map((d) => code(d.code)).join(', ')} |`);
  return out;
}

export interface GatewayCase {
  name: string;
  seconds: number;
  outcome: 'pass' | 'failure' | 'skipped';
  xml: string;
}

/** JUnit: one testcase per check; a warning fails it only when the run failed on warnings (--strict). */
export function junitGatewayCases(report: Report, strictFail: boolean): GatewayCase[] {
  return gatewayChecks(report).map((c) => {
    if (c.result === 'skip') return { name: c.check, seconds: 0, outcome: 'skipped', xml: element('skipped', { message: c.text }) };
    const failing = c.diagnoses.filter((d) => d.severity === 'error' || (strictFail && d.severity === 'warning'));
    const first = failing[0];
    const out = [c.text, ...c.diagnoses.map((d) => `${d.code} (${d.severity}): ${d.evidence.join('; ')}`)].join('\n');
    const xml = (first ? element('failure', { type: first.code, message: `${first.code}: ${first.title}` }, xmlText(failing.map((d) => `${d.code}: ${d.evidence.join('\n')}`).join('\n\n'))) : '') + element('system-out', {}, xmlText(out));
    return { name: c.check, seconds: 0, outcome: first ? 'failure' : 'pass', xml };
  });
}

/** OpenMetrics families of the gateway checks (none when they did not run). */
export function gatewayFamilies(report: Report, target: Labels): Family[] {
  const g = gatewayOf(report);
  if (!g) return [];
  const out: Family[] = [
    {
      name: 'upstream_doctor_gateway_check',
      help: 'The result of each --gateway check (pass, warn, fail, skip) as a label',
      samples: gatewayChecks(report).map((c) => ({ labels: { ...target, check: c.check, result: c.result }, value: 1 })),
    },
  ];
  if (!('skipped' in g.body) && g.body.largestAcceptedBytes !== undefined) {
    out.push({ name: 'upstream_doctor_gateway_body_largest_accepted_bytes', help: 'The largest request body the gateway accepted, in bytes', samples: [{ labels: { ...target }, value: g.body.largestAcceptedBytes }] });
  }
  if (!('skipped' in g.body) && g.body.smallestRefusedBytes !== undefined) {
    out.push({ name: 'upstream_doctor_gateway_body_smallest_refused_bytes', help: 'The smallest request body the gateway refused with 413, in bytes', samples: [{ labels: { ...target }, value: g.body.smallestRefusedBytes }] });
  }
  if (!('skipped' in g.burst)) {
    const b = g.burst;
    out.push({ name: 'upstream_doctor_gateway_burst_answers', help: 'Answers to the --burst requests by HTTP status (none: no answer)', samples: Object.entries(b.statuses).map(([status, n]) => ({ labels: { ...target, status }, value: n })) });
    if (b.limited) out.push({ name: 'upstream_doctor_gateway_rate_limit_status', help: 'The status the rate limit answered with during --burst', samples: [{ labels: { ...target, retry_after: b.limited.retryAfter !== undefined ? 'yes' : 'no' }, value: b.limited.status }] });
  }
  if (!('skipped' in g.websocket) && g.websocket.idle?.closedAfterSeconds !== undefined) {
    out.push({ name: 'upstream_doctor_gateway_websocket_idle_closed_seconds', help: 'After how many idle seconds the far side closed the WebSocket', samples: [{ labels: { ...target }, value: g.websocket.idle.closedAfterSeconds }] });
  }
  return out;
}

/**
 * The GitHub Actions annotation: one for the section, a `::warning::` when a check warned or
 * failed, else a `::notice::`; the title counts the results, the message has a line per check
 * (each finding has its own annotation besides).
 */
export function githubGateway(report: Report, escProperty: (v: string) => string, escData: (v: string) => string): string[] {
  const g = report.gateway;
  if (!g) return [];
  const who = report.target.name !== undefined ? `${report.target.name}: ` : '';
  if (!('headers' in g)) return [`::notice title=${escProperty(`${who}gateway checks: not run`)}::${escData(g.skipped)}`];
  const checks = gatewayChecks(report);
  const count = (['fail', 'warn', 'pass', 'skip'] as const).map((r) => [r, checks.filter((c) => c.result === r).length] as const).filter(([, n]) => n > 0);
  const level = checks.some((c) => c.result === 'fail' || c.result === 'warn') ? 'warning' : 'notice';
  const lines = checks.map((c) => `${c.result} ${c.check}: ${c.text}${c.diagnoses.length > 0 ? ` [${c.diagnoses.map((d) => d.code).join(', ')}]` : ''}`);
  return [`::${level} title=${escProperty(`${who}gateway checks: ${count.map(([r, n]) => `${n} ${r}`).join(' · ')}`)}::${escData(lines.join('\n'))}`];
}
