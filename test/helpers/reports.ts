/**
 * Reports built in memory for the renderer tests, through the real pure pieces (catalogue,
 * compose, verdict, exit code) so their diagnoses look exactly like those of a run.
 */
import { compose, verdictOf } from '../../src/diagnose/compose.js';
import { exitCodeFor } from '../../src/exit.js';
import { STAGE_IDS, type InternalError, type Report, type StageId, type StageResult } from '../../src/report.js';
import type { Finding } from '../../src/stages/types.js';

/** Text a hostile server could send: markup, control characters, a lone surrogate, workflow commands. */
export const HOSTILE =
  'evil <script>alert(1)</script> & "quotes" \'apos\' ]]> \u0000\u0001\u0007\u001b[31m\uD800\uFFFE ' +
  '|pipe| `tick` **bold** [link](http://x) _under_ 100%\r\n::error::injected\n# heading\n</details>';

export interface BuildOptions {
  stages?: Partial<Record<StageId, Partial<StageResult>>>;
  findings?: Array<Finding & { stage: StageId }>;
  internalErrors?: InternalError[];
  strict?: boolean;
  interrupted?: boolean;
  url?: string;
}

/** A report: every stage passes unless `stages` says otherwise. */
export function buildReport(opts: BuildOptions = {}): Report {
  const stages: StageResult[] = STAGE_IDS.map((id, i) => ({
    id,
    status: 'pass',
    durationMs: 10 + i,
    summary: `${id} fine`,
    data: {},
    ...opts.stages?.[id],
  }));
  const { diagnoses, rootCause } = compose(opts.findings ?? []);
  const internalErrors = opts.internalErrors ?? [];
  const url = opts.url ?? 'https://api.openai.com/v1';
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'upstream-doctor', version: '0.1.0' },
    target: { input: 'api.openai.com', url, host: new URL(url).hostname, port: 443, provider: 'openai', via: 'direct' },
    startedAt: '2026-11-21T10:00:00.000Z',
    durationMs: 812,
    verdict: verdictOf(diagnoses, internalErrors.length > 0),
    exitCode: 0,
    interrupted: opts.interrupted ?? false,
    stages,
    diagnoses,
    ...(rootCause ? { rootCause } : {}),
    ...(internalErrors.length > 0 ? { internalErrors } : {}),
    host: { hostname: 'worker-7', node: 'v20.20.0', undici: '7.30.2', platform: 'linux-x64' },
    key: { source: 'env OPENAI_API_KEY', fingerprint: 'sk-…abcd' },
  };
  report.exitCode = exitCodeFor(report, opts.strict ?? false);
  return report;
}

/** A healthy run with full HTTP facts (status, version, phase timings, ids, certificate). */
export function healthyReport(): Report {
  return buildReport({
    stages: {
      tcp: { data: { localAddress: '10.1.2.3', remoteAddress: '162.159.140.245' } },
      tls: { data: { alpn: 'h2', chain: [{ subject: 'api.openai.com', validTo: '2027-01-01T00:00:00.000Z' }, { subject: 'CA', validTo: 'Jan  1 00:00:00 2030 GMT' }] } },
      http: {
        summary: '200 OK in 180 ms',
        data: {
          status: 200,
          httpVersion: '2',
          timings: { connect: 12.5, tls: 30, request: 1, firstByte: 150, download: 4, total: 197.5 },
          requestIds: { 'x-request-id': 'req_abc123' },
          headers: { 'cf-ray': '8c1f2e3d4a5b6c7d-FRA', server: 'cloudflare' },
        },
      },
      stream: { status: 'skip', durationMs: 0, summary: 'skipped: --stream not given', data: { skipReason: '--stream not given' } },
      mtu: { status: 'skip', durationMs: 0, summary: 'skipped: nothing stalled', data: { skipReason: 'nothing stalled' } },
    },
  });
}

/** A failed run: TCP refused, later stages skipped, server text hostile. */
export function failingReport(): Report {
  const skip = (why: string): Partial<StageResult> => ({ status: 'skip', durationMs: 0, summary: `skipped: ${why}`, data: { skipReason: why } });
  return buildReport({
    stages: {
      tcp: { status: 'fail', summary: `connection refused ${HOSTILE}` },
      proxy: skip('no proxy'),
      tls: skip('tcp failed'),
      http: skip('tcp failed'),
      stream: skip('tcp failed'),
      mtu: skip('tcp failed'),
    },
    findings: [
      { code: 'TCP_REFUSED', stage: 'tcp', evidence: ['RST in answer to SYN from 127.0.0.1:1', HOSTILE], details: { address: '127.0.0.1', note: HOSTILE } },
      { code: 'DNS_HOSTS_OVERRIDE', stage: 'dns', evidence: ['/etc/hosts pins api.openai.com to 127.0.0.1'] },
    ],
  });
}
