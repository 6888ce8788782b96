/** Catalogue entries of the mtu stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

export const mtuEntries: CatalogueEntry[] = [
  {
    code: 'MTU_BLACKHOLE_SUSPECTED',
    stage: 'mtu',
    severity: 'error',
    exitCode: 14,
    title: "Large packets vanish on the path while small ones pass (MTU blackhole)",
    explanation: 'TODO',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [],
  },
];
