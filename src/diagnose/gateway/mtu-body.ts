/**
 * The MTU request-body ladder met 413 answers: that measures the gateway's body limit, not the
 * path. Pure: the ladder's facts in, a BODY_LIMIT_LOW finding (http stage) out, so a run with
 * `--mtu` names the limit even without `--gateway`.
 */
import type { Finding } from '../../stages/types.js';

export interface BodyRungFact {
  bodyBytes?: number;
  status?: number;
}

export function mtuBodyLimitFindings(rungs: readonly BodyRungFact[]): Finding[] {
  const sized = rungs.filter((r): r is Required<BodyRungFact> => r.bodyBytes !== undefined && r.status !== undefined);
  const refused = sized.filter((r) => r.status === 413);
  if (refused.length === 0) return [];
  const smallestRefused = Math.min(...refused.map((r) => r.bodyBytes));
  const accepted = sized.filter((r) => r.status !== 413 && r.bodyBytes < smallestRefused).map((r) => r.bodyBytes);
  const largestAccepted = accepted.length ? Math.max(...accepted) : undefined;
  const statuses = [...new Set(sized.filter((r) => r.bodyBytes >= smallestRefused).map((r) => r.status))].join('/');
  return [{
    code: 'BODY_LIMIT_LOW',
    stage: 'http',
    evidence: [
      `the MTU check's request-body ladder got 413 for ${refused.length} of its ${sized.length} answered POSTs, from a ${smallestRefused}-byte body up (answers there: ${statuses})${largestAccepted !== undefined ? `; a ${largestAccepted}-byte body was not refused` : ''}: a body limit answers, not the path`,
    ],
    details: { largestAcceptedBytes: largestAccepted ?? null, refusedBytes: smallestRefused, refusedBy: 413, source: 'mtu-body-ladder' },
  }];
}
