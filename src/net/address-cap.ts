/**
 * A resolver that answers with hundreds of addresses (hostile, or a misconfigured round-robin)
 * must not make the tcp stage dial them all: at most 8 per family are tried, in the resolver's
 * order, as Happy Eyeballs clients bound their attempts too; the report says how many were not (pure).
 */
import type { Endpoint } from '../stages/types.js';

export const MAX_ADDRESSES_PER_FAMILY = 8;

export interface CappedEndpoints {
  tried: Endpoint[];
  /** How many addresses of each family were left out. */
  notTried: { count: number; v4: number; v6: number; limitPerFamily: number };
}

export function capPerFamily(endpoints: Endpoint[], max = MAX_ADDRESSES_PER_FAMILY): CappedEndpoints {
  const seen = { 4: 0, 6: 0 };
  const tried: Endpoint[] = [];
  const left = { 4: 0, 6: 0 };
  for (const e of endpoints) {
    if (seen[e.family] < max) {
      seen[e.family]++;
      tried.push(e);
    } else left[e.family]++;
  }
  return { tried, notTried: { count: left[4] + left[6], v4: left[4], v6: left[6], limitPerFamily: max } };
}

/** The summary's note about the addresses left out ('' when none were). */
export function notTriedNote(n: CappedEndpoints['notTried']): string {
  if (n.count === 0) return '';
  const parts = [n.v4 > 0 ? `${n.v4} IPv4` : '', n.v6 > 0 ? `${n.v6} IPv6` : ''].filter(Boolean).join(' and ');
  return `; ${parts} address(es) not tried (at most ${n.limitPerFamily} per family)`;
}
