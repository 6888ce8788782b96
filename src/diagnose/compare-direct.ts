/**
 * --compare-direct attribution (pure): the same checks ran through the proxy and without it; which
 * path works says who is to blame. This is the guide's most decisive test ("bypass the proxy and see
 * whether the error goes away"), done for the user.
 *
 * - only the proxy path works  -> PROXY_REQUIRED (w): programs that ignore HTTPS_PROXY fail here;
 * - only the direct path works -> the proxied root cause is the proxy's doing: it gains that evidence,
 *   `details.compareDirect`, and origin forward-proxy / owner network;
 * - both fail the same way     -> the root cause gains evidence that the proxy is not to blame;
 * - both fail, differently     -> the root cause gains the direct path's failure: bypassing is no way out;
 * - both work                  -> no new finding; the comparison is in the report either way.
 */
import type { Diagnosis, StageId, StageResult, Verdict } from '../report.js';
import type { Finding } from '../stages/types.js';
import type { Composition } from './compose.js';

/** Which of the two paths works. */
export type CompareOutcome = 'both' | 'proxy-only' | 'direct-only' | 'neither';

/** One side of the comparison, as the report shows it. */
export interface PathSummary {
  verdict: Verdict;
  rootCause?: string;
  /** The stage of the root cause. */
  stage?: StageId;
}

/** The report's `compare` section. */
export interface CompareSection {
  /** The proxy compared against (no credentials). */
  proxy: string;
  outcome: CompareOutcome;
  proxied: PathSummary;
  /** The direct run in full: its stages and diagnoses. */
  direct: PathSummary & { stages: StageResult[]; diagnoses: Diagnosis[] };
}

type Located = Finding & { stage: StageId };

function summary(c: Composition): PathSummary {
  const root = c.diagnoses.find((d) => d.code === c.rootCause);
  const hasError = c.diagnoses.some((d) => d.severity === 'error');
  const verdict: Verdict = hasError ? 'failed' : c.diagnoses.some((d) => d.severity === 'warning') ? 'degraded' : 'ok';
  return { verdict, ...(root ? { rootCause: root.code, stage: root.stage } : {}) };
}

function describe(d: Diagnosis | undefined): string {
  if (!d) return 'an internal error of the tool';
  return `${d.code} at the ${d.stage} stage${d.evidence[0] ? ` (${d.evidence[0]})` : ''}`;
}

export interface Attribution {
  outcome: CompareOutcome;
  /** The proxied run's findings with the attribution applied. */
  findings: Located[];
  proxied: PathSummary;
  direct: PathSummary;
}

/**
 * Attribute from both compositions. `directOk`/`proxiedOk` also count internal errors: a path that
 * crashed the tool is not a path that works.
 */
export function attribute(
  proxyDisplay: string,
  proxiedFindings: Located[],
  proxied: Composition & { internalError?: boolean },
  direct: Composition & { internalError?: boolean },
): Attribution {
  const p = summary(proxied);
  const d = summary(direct);
  const pOk = p.verdict !== 'failed' && !proxied.internalError;
  const dOk = d.verdict !== 'failed' && !direct.internalError;
  const outcome: CompareOutcome = pOk && dOk ? 'both' : pOk ? 'proxy-only' : dOk ? 'direct-only' : 'neither';
  const findings = proxiedFindings.map((f) => ({ ...f, evidence: [...f.evidence] }));
  const directRoot = direct.diagnoses.find((x) => x.code === direct.rootCause);

  if (outcome === 'proxy-only') {
    findings.push({
      code: 'PROXY_REQUIRED',
      stage: 'proxy',
      evidence: [`through ${proxyDisplay} every stage passed`, `without the proxy the path fails: ${describe(directRoot)}`],
      details: { compareDirect: { proxied: 'ok', direct: d.rootCause ?? 'internal-error', directStage: d.stage } },
    });
  } else if (outcome === 'direct-only' && proxied.rootCause) {
    for (const f of findings) {
      if (f.code !== proxied.rootCause) continue;
      f.evidence.push(`without the proxy the same checks pass: ${proxyDisplay} is what breaks the path`);
      f.details = { ...f.details, compareDirect: { proxied: proxied.rootCause, direct: 'ok' } };
      f.origin = 'forward-proxy';
      // A proxy code already names the proxy and who fixes it (a 407 is still the user's
      // credentials); any other code seen only through the proxy becomes the proxy team's.
      if (!f.code.startsWith('PROXY_')) f.owner = 'network';
    }
  } else if (outcome === 'neither' && proxied.rootCause && proxied.rootCause === direct.rootCause) {
    for (const f of findings) {
      if (f.code !== proxied.rootCause) continue;
      f.evidence.push(`the direct path fails the same way (${direct.rootCause}): the proxy is not the cause`);
      f.details = { ...f.details, compareDirect: { proxied: proxied.rootCause, direct: direct.rootCause } };
    }
  } else if (outcome === 'neither' && proxied.rootCause) {
    // Two different failures: both must be read, and going around the proxy is no way out.
    for (const f of findings) {
      if (f.code !== proxied.rootCause) continue;
      f.evidence.push(`without the proxy the path fails too, differently: ${describe(directRoot)}; bypassing ${proxyDisplay} would not help`);
      f.details = { ...f.details, compareDirect: { proxied: proxied.rootCause, direct: direct.rootCause ?? 'internal-error', directStage: d.stage } };
    }
  }
  return { outcome, findings, proxied: p, direct: d };
}
