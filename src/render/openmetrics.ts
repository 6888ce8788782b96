/**
 * Metrics for Prometheus fleets, written for node_exporter's textfile collector. Names follow
 * blackbox_exporter where it has one (so existing dashboards and alerts work); the rest are
 * `upstream_doctor_*`. Every metric is a gauge, every sample carries a `target` label (several
 * targets' files must not collide in one collector), and the text ends with `# EOF`: that makes
 * it valid OpenMetrics and, `# EOF` being a comment there, valid Prometheus text format 0.0.4.
 * Only what was measured is emitted: a phase that did not run has no sample rather than a 0.
 *
 * --compare-direct adds `upstream_doctor_compare_*` families (which path works, the outcome, the
 * direct run's stages and diagnoses) and leaves every other series as it is: a `path` label on
 * probe_success would change its identity whenever the flag is toggled and break its alerts.
 */
import type { Report, StageId } from '../report.js';
import { pathWorks } from './compare.js';
import { sampleMetricLines } from './samples.js';
import { keepaliveFamilies } from './keepalive.js';
import { gatewayFamilies } from './gateway.js';
import { earliestCertExpiryOf, httpStatusOf, httpTimingsOf, httpVersionOf, stageById } from './facts.js';

type Labels = Record<string, string>;

export interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** Label values: backslash, double quote and line feed escaped, as both formats require. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(Math.round(v * 1e6) / 1e6);
}

function sample(name: string, labels: Labels, value: number): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',');
  return `${name}${l ? `{${l}}` : ''} ${num(value)}`;
}

const sec = (ms: number) => ms / 1000;

/** Duration of a stage that ran, in milliseconds. */
function ranMs(report: Report, id: StageId): number | undefined {
  const s = stageById(report, id);
  return s && s.status !== 'skip' ? s.durationMs : undefined;
}

/** blackbox_exporter's phases: resolve, connect, tls, processing (to first byte), transfer. */
function phases(report: Report): Array<[string, number]> {
  const t = httpTimingsOf(report) ?? {};
  const out: Array<[string, number | undefined]> = [
    ['resolve', ranMs(report, 'dns')],
    ['connect', t.connect ?? ranMs(report, 'tcp')],
    // Over plain http there is no TLS phase, whatever zero a timing may hold.
    ['tls', ranMs(report, 'tls') === undefined ? undefined : (t.tls ?? ranMs(report, 'tls'))],
    ['processing', t.firstByte !== undefined ? (t.request ?? 0) + t.firstByte : undefined],
    ['transfer', t.download],
  ];
  return out.filter((p): p is [string, number] => p[1] !== undefined);
}

/** The label every sample carries: the target's name when it has one (several targets), else its URL. */
export function targetLabels(report: Report): Labels {
  return { target: report.target.name ?? report.target.url };
}

/** The families of one run; `base` are the labels every sample carries (none for diagnose serve). */
export function reportFamilies(report: Report, base: Labels = targetLabels(report)): Family[] {
  return [...families(report, base), ...compareFamilies(report, base), ...keepaliveFamilies(report, base), ...gatewayFamilies(report, base)];
}

function families(report: Report, target: Labels): Family[] {
  const one = (name: string, help: string, value: number | undefined, labels: Labels = {}): Family => ({
    name,
    help,
    samples: value === undefined ? [] : [{ labels: { ...target, ...labels }, value }],
  });
  const success = report.verdict !== 'failed' && !report.interrupted ? 1 : 0;
  const dns = ranMs(report, 'dns');
  const httpRan = ranMs(report, 'http') !== undefined;
  const status = httpStatusOf(report);
  const expiry = earliestCertExpiryOf(report);
  const started = Date.parse(report.startedAt);

  return [
    one('probe_success', 'Whether the path to the API is healthy (1) or an error was diagnosed (0)', success),
    one('probe_duration_seconds', 'How long the whole diagnosis took, in seconds', sec(report.durationMs)),
    one('probe_dns_lookup_time_seconds', 'How long resolving the API host took, in seconds', dns === undefined ? undefined : sec(dns)),
    {
      name: 'probe_http_duration_seconds',
      help: 'Duration of each phase of the request, in seconds',
      samples: phases(report).map(([phase, ms]) => ({ labels: { ...target, phase }, value: sec(ms) })),
    },
    one('probe_ssl_earliest_cert_expiry', 'Earliest expiry of the certificates the server presented, in unix seconds', expiry),
    one('probe_http_status_code', 'HTTP status of the answer (0 when none arrived)', httpRan ? (status ?? 0) : undefined),
    one('probe_http_version', 'HTTP version of the answer', httpVersionOf(report)),
    {
      name: 'probe_diagnosis',
      help: 'A diagnosis of this run (see diagnose --explain CODE)',
      samples: report.diagnoses.map((d) => ({ labels: { ...target, code: d.code, stage: d.stage, severity: d.severity }, value: 1 })),
    },
    {
      name: 'upstream_doctor_stage_duration_seconds',
      help: 'How long each stage that ran took, in seconds',
      samples: report.stages.filter((s) => s.status !== 'skip').map((s) => ({ labels: { ...target, stage: s.id }, value: sec(s.durationMs) })),
    },
    {
      name: 'upstream_doctor_stage_status',
      help: 'The status of each stage (pass, warn, fail, skip) as a label',
      samples: report.stages.map((s) => ({ labels: { ...target, stage: s.id, status: s.status }, value: 1 })),
    },
    one('upstream_doctor_exit_code', 'Exit code of the run (0 healthy, 10-18 the failing layer, see the README)', report.exitCode),
    one('upstream_doctor_last_run_timestamp_seconds', 'When the run started, in unix seconds', Number.isFinite(started) ? started / 1000 : undefined),
    one('upstream_doctor_info', 'The tool and provider of this run', 1, {
      version: report.tool.version,
      provider: report.target.provider,
      via: report.target.via,
      ...(report.rootCause ? { root_cause: report.rootCause } : {}),
    }),
  ];
}

/** The --compare-direct families; none without a comparison. */
function compareFamilies(report: Report, target: Labels): Family[] {
  const c = report.compare;
  if (!c) return [];
  const direct = { ...target, path: 'direct' };
  // The same code at the same stage is one series, however often it was diagnosed.
  const seen = new Set<string>();
  const diagnoses = c.direct.diagnoses.filter((d) => {
    const key = `${d.code}\n${d.stage}\n${d.severity}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return [
    {
      name: 'upstream_doctor_compare_success',
      help: 'Whether the path works (1) or not (0), through the proxy (path="proxy") and without it (path="direct")',
      samples: (['proxy', 'direct'] as const).map((path) => ({ labels: { ...target, path }, value: pathWorks(c, path) ? 1 : 0 })),
    },
    {
      name: 'upstream_doctor_compare_outcome',
      help: 'Which path works (both, proxy-only, direct-only, neither) as a label, and the proxy compared',
      samples: [{ labels: { ...target, outcome: c.outcome, proxy: c.proxy }, value: 1 }],
    },
    {
      name: 'upstream_doctor_compare_stage_duration_seconds',
      help: 'How long each stage of the direct run that ran took, in seconds',
      samples: c.direct.stages.filter((s) => s.status !== 'skip').map((s) => ({ labels: { ...direct, stage: s.id }, value: sec(s.durationMs) })),
    },
    {
      name: 'upstream_doctor_compare_stage_status',
      help: 'The status of each stage of the direct run (pass, warn, fail, skip) as a label',
      samples: c.direct.stages.map((s) => ({ labels: { ...direct, stage: s.id, status: s.status }, value: 1 })),
    },
    {
      name: 'upstream_doctor_compare_diagnosis',
      help: 'A diagnosis of the direct run (see diagnose --explain CODE)',
      samples: diagnoses.map((d) => ({ labels: { ...direct, code: d.code, stage: d.stage, severity: d.severity }, value: 1 })),
    },
  ];
}

/**
 * The text of several runs' families: each family once (HELP, TYPE, then every run's samples),
 * in the order they first appear, as both formats require of a metric family.
 */
export function renderFamilies(runs: Family[][], opts: { eof: boolean; extra?: string[] } = { eof: true }): string {
  const byName = new Map<string, Family>();
  for (const f of runs.flat()) {
    const seen = byName.get(f.name);
    if (seen) seen.samples.push(...f.samples);
    else byName.set(f.name, { ...f, samples: [...f.samples] });
  }
  const lines: string[] = [];
  for (const f of byName.values()) {
    if (f.samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) lines.push(sample(f.name, s.labels, s.value));
  }
  // Lines that are not gauges (a sampled run's summary), already rendered.
  if (opts.extra) lines.push(...opts.extra);
  if (opts.eof) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export function renderOpenMetrics(report: Report): string {
  return renderFamilies([reportFamilies(report)], { eof: true, extra: sampleMetricLines(report, labelValue) });
}
