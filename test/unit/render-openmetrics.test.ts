/** Metrics: blackbox_exporter's names and units, one series each, labels escaped. */
import { describe, expect, it } from 'vitest';
import { labelValue, renderOpenMetrics } from '../../src/render/openmetrics.js';
import { parseExposition, samplesOf } from '../helpers/exposition.js';
import { buildReport, failingReport, healthyReport } from '../helpers/reports.js';

const value = (text: string, name: string, labels: Record<string, string> = {}) =>
  samplesOf(parseExposition(text), name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('openmetrics report', () => {
  it('a healthy run: success, durations in seconds, phases, certificate expiry, status and version', () => {
    const text = renderOpenMetrics(healthyReport());
    const e = parseExposition(text);
    expect(e.eof).toBe(true);
    expect(Object.values(e.type).every((t) => t === 'gauge')).toBe(true);
    expect(e.samples.every((s) => s.labels.target === 'https://api.openai.com/v1')).toBe(true);
    expect(value(text, 'probe_success')).toBe(1);
    expect(value(text, 'probe_duration_seconds')).toBe(0.812);
    expect(value(text, 'probe_dns_lookup_time_seconds')).toBe(0.011);
    const phases = Object.fromEntries(samplesOf(e, 'probe_http_duration_seconds').map((s) => [s.labels.phase, s.value]));
    expect(phases).toEqual({ resolve: 0.011, connect: 0.0125, tls: 0.03, processing: 0.151, transfer: 0.004 });
    expect(value(text, 'probe_ssl_earliest_cert_expiry')).toBe(Date.UTC(2027, 0, 1) / 1000);
    expect(value(text, 'probe_http_status_code')).toBe(200);
    expect(value(text, 'probe_http_version')).toBe(2);
    expect(samplesOf(e, 'probe_diagnosis')).toEqual([]);
    expect(value(text, 'upstream_doctor_exit_code')).toBe(0);
    expect(value(text, 'upstream_doctor_last_run_timestamp_seconds')).toBe(Date.UTC(2026, 10, 21, 10) / 1000);
    expect(value(text, 'upstream_doctor_stage_status', { stage: 'stream', status: 'skip' })).toBe(1);
    expect(samplesOf(e, 'upstream_doctor_stage_duration_seconds').map((s) => s.labels.stage)).not.toContain('stream');
    for (const name of Object.keys(e.type)) expect(e.help[name]).toBeTruthy();
  });

  it('a failing run: probe_success 0, one probe_diagnosis per diagnosis, nothing invented for stages that did not run', () => {
    const text = renderOpenMetrics(failingReport());
    const e = parseExposition(text);
    expect(value(text, 'probe_success')).toBe(0);
    expect(samplesOf(e, 'probe_diagnosis').map((s) => s.labels)).toEqual([
      { target: 'https://api.openai.com/v1', code: 'TCP_REFUSED', stage: 'tcp', severity: 'error' },
      { target: 'https://api.openai.com/v1', code: 'DNS_HOSTS_OVERRIDE', stage: 'dns', severity: 'warning' },
    ]);
    for (const absent of ['probe_http_status_code', 'probe_http_version', 'probe_ssl_earliest_cert_expiry']) {
      expect(samplesOf(e, absent)).toEqual([]);
    }
    expect(samplesOf(e, 'probe_http_duration_seconds').map((s) => s.labels.phase)).toEqual(['resolve', 'connect']);
    expect(value(text, 'upstream_doctor_exit_code')).toBe(11);
    expect(value(text, 'upstream_doctor_info', { root_cause: 'TCP_REFUSED' })).toBe(1);
  });

  it('an http stage that got no answer reports status code 0, as blackbox_exporter does', () => {
    const r = buildReport({ stages: { http: { status: 'fail', data: {} } } });
    expect(value(renderOpenMetrics(r), 'probe_http_status_code')).toBe(0);
  });

  it('a degraded run still succeeds; an interrupted one does not', () => {
    const degraded = buildReport({ findings: [{ code: 'CLOCK_SKEW', stage: 'http', evidence: ['95 s'] }] });
    expect(value(renderOpenMetrics(degraded), 'probe_success')).toBe(1);
    expect(value(renderOpenMetrics(buildReport({ interrupted: true })), 'probe_success')).toBe(0);
  });

  it('escapes label values so any target reads back unchanged', () => {
    const url = 'https://api.example.com/a"b\\c';
    const text = renderOpenMetrics(buildReport({ url }));
    expect(parseExposition(text).samples.every((s) => s.labels.target === url)).toBe(true);
    expect(text).toContain(`target="https://api.example.com/a\\"b\\\\c"`);
    expect(labelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
