/** Catalogue entries about where the key travels. Prose is the project's own. */
import type { CatalogueEntry } from './types.js';

export const secretsEntries: CatalogueEntry[] = [
  {
    code: 'KEY_IN_URL',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: 'The key is in the URL; send it in a header instead',
    explanation:
      'A key in the query string ends up where URLs go: proxy and load-balancer access logs, shell history, browser ' +
      'history, error reports and monitoring labels. This run treated it as the key: it was not shown anywhere, and it ' +
      'was not sent over plain http that leaves this machine. The providers that accept a key in the URL also accept ' +
      'it in a header, which access logs do not record.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Remove the key from the URL and send it in a header; give it to this tool with --api-key-env or --api-key-file.', command: '{curl} {keyHeaders} {url}' },
      { who: 'you', text: 'If the URL was logged anywhere (proxy logs, CI output, shell history), rotate the key.' },
    ],
  },
];
