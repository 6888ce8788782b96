/**
 * What the exporter answers: a probe's metrics (the openmetrics renderer's families without the
 * target label, which Prometheus adds by relabelling, as with blackbox_exporter) and the
 * exporter's own metrics. Prometheus text format 0.0.4.
 */
import type { Report } from '../report.js';
import { renderFamilies, reportFamilies, type Family } from '../render/openmetrics.js';

export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/** The families of one probe: blackbox's names where it has them, `upstream_doctor_*` for the rest. */
export function probeFamilies(report: Report, timeoutSeconds: number): Family[] {
  const fams = reportFamilies(report, {}).map((f) => (f.name === 'probe_diagnosis' ? { ...f, name: 'upstream_doctor_diagnosis' } : f));
  fams.push({ name: 'probe_timeout_seconds', help: 'How long the probe was allowed to take, in seconds', samples: [{ labels: {}, value: timeoutSeconds }] });
  return fams;
}

export function renderProbe(report: Report, timeoutSeconds: number): string {
  return renderFamilies([probeFamilies(report, timeoutSeconds)], { eof: false });
}

/** A Prometheus histogram of durations in seconds (cumulative buckets, sum, count). */
export class Histogram {
  static readonly BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  readonly counts = new Array<number>(Histogram.BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    Histogram.BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.counts[i]!++;
    });
  }
  lines(name: string): string[] {
    const out = Histogram.BUCKETS.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i]}`);
    out.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${Math.round(this.sum * 1e6) / 1e6}`, `${name}_count ${this.count}`);
    return out;
  }
}

/** The exporter's own counters. */
export class ExporterStats {
  readonly started = Date.now();
  inFlight = 0;
  /** Probes by module and result (success, failure), and requests refused by reason. */
  readonly probes = new Map<string, number>();
  readonly refused = new Map<string, number>();
  readonly durations = new Histogram();

  countProbe(module: string, result: 'success' | 'failure'): void {
    const k = `${module}\n${result}`;
    this.probes.set(k, (this.probes.get(k) ?? 0) + 1);
  }
  countRefused(reason: 'bad_request' | 'overloaded' | 'draining' | 'key_file'): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  render(maxInFlight: number, version: string): string {
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const mem = process.memoryUsage();
    const lines = [
      '# HELP upstream_doctor_exporter_probes_total Probes run, by module and result',
      '# TYPE upstream_doctor_exporter_probes_total counter',
      ...[...this.probes].map(([k, v]) => {
        const [module, result] = k.split('\n');
        return `upstream_doctor_exporter_probes_total{module="${esc(module!)}",result="${result}"} ${v}`;
      }),
      '# HELP upstream_doctor_exporter_requests_refused_total Probe requests answered without probing, by reason',
      '# TYPE upstream_doctor_exporter_requests_refused_total counter',
      ...['bad_request', 'overloaded', 'draining', 'key_file'].map((r) => `upstream_doctor_exporter_requests_refused_total{reason="${r}"} ${this.refused.get(r) ?? 0}`),
      '# HELP upstream_doctor_exporter_probes_in_flight Probes running now',
      '# TYPE upstream_doctor_exporter_probes_in_flight gauge',
      `upstream_doctor_exporter_probes_in_flight ${this.inFlight}`,
      '# HELP upstream_doctor_exporter_max_probes_in_flight Probes allowed to run at once (--max-in-flight)',
      '# TYPE upstream_doctor_exporter_max_probes_in_flight gauge',
      `upstream_doctor_exporter_max_probes_in_flight ${maxInFlight}`,
      '# HELP upstream_doctor_exporter_probe_duration_seconds How long probes took, in seconds',
      '# TYPE upstream_doctor_exporter_probe_duration_seconds histogram',
      ...this.durations.lines('upstream_doctor_exporter_probe_duration_seconds'),
      '# HELP upstream_doctor_exporter_build_info The exporter version',
      '# TYPE upstream_doctor_exporter_build_info gauge',
      `upstream_doctor_exporter_build_info{version="${esc(version)}",node="${esc(process.version)}"} 1`,
      '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${this.started / 1000}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${mem.rss}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use, in bytes',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${mem.heapUsed}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
