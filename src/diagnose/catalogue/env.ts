/** Catalogue entries of the env stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

export const envEntries: CatalogueEntry[] = [
  {
    code: 'PROXY_ENV_CONFLICT',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: "The proxy variables disagree, or NO_PROXY covers the target unexpectedly",
    explanation: 'TODO',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [],
  },
  {
    code: 'TLS_VERIFY_DISABLED',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for every Node program here",
    explanation: 'TODO',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [],
  },
];
