/**
 * --compare-direct reports built in memory through the real pure pieces (compose, the attribution
 * of src/diagnose/compare-direct.ts, the verdict and exit code), for the renderer and schema tests.
 */
import { attribute } from '../../src/diagnose/compare-direct.js';
import { compose } from '../../src/diagnose/compose.js';
import type { Report, StageId, StageResult } from '../../src/report.js';
import type { Finding } from '../../src/stages/types.js';
import { buildReport, HOSTILE } from './reports.js';

export const PROXY = 'http://proxy.corp.example:3128';

type Located = Finding & { stage: StageId };

export interface PathSpec {
  stages?: Partial<Record<StageId, Partial<StageResult>>>;
  findings?: Located[];
}

const skip = (why: string): Partial<StageResult> => ({ status: 'skip', durationMs: 0, summary: `skipped: ${why}`, data: { skipReason: why } });

/** The proxy refuses CONNECT (403). */
export const PROXY_REFUSES: PathSpec = {
  stages: { proxy: { status: 'fail', summary: `${PROXY} refused CONNECT: 403 ${HOSTILE}` }, tls: skip('no tunnel'), http: skip('no tunnel') },
  findings: [{ code: 'PROXY_REFUSED', stage: 'proxy', evidence: ['403 Forbidden', HOSTILE], details: { status: 403 } }],
};

/** The direct connection is refused. */
export const TCP_REFUSES: PathSpec = {
  stages: { tcp: { status: 'fail', summary: `connection refused ${HOSTILE}` }, proxy: skip('direct'), tls: skip('tcp failed'), http: skip('tcp failed') },
  findings: [{ code: 'TCP_REFUSED', stage: 'tcp', evidence: ['RST in answer to SYN', HOSTILE], details: { address: '127.0.0.1' } }],
};

/** Every stage passes (no proxy stage on the direct path). */
export const WORKS: PathSpec = {};
export const WORKS_DIRECT: PathSpec = { stages: { proxy: skip('direct') } };

/** A report of a run through PROXY compared with the direct path, as runDoctor assembles it. */
export function compareReport(proxied: PathSpec, direct: PathSpec): Report {
  const pFindings = proxied.findings ?? [];
  const dFindings = direct.findings ?? [];
  const a = attribute(PROXY, pFindings, compose(pFindings), compose(dFindings));
  const directRun = buildReport({ stages: direct.stages, findings: dFindings });
  const report = buildReport({ stages: proxied.stages, findings: a.findings });
  report.target = { ...report.target, via: 'proxy', proxy: PROXY };
  report.compare = { proxy: PROXY, outcome: a.outcome, proxied: a.proxied, direct: { ...a.direct, stages: directRun.stages, diagnoses: directRun.diagnoses } };
  return report;
}
