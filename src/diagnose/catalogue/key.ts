/** Catalogue entry for an API key written with quotes, whitespace, a newline or a "Bearer " prefix. */
import type { CatalogueEntry } from './types.js';

export const keyEntries: CatalogueEntry[] = [
  {
    code: 'API_KEY_FORMAT',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: 'The API key is written with quotes, whitespace, a line break or a "Bearer " prefix',
    explanation:
      'The value holding the key has more than the key: quotes kept from a .env or YAML file, spaces around it, a trailing newline ' +
      '(a Kubernetes secret made with `echo key | base64`, a file saved with Windows line ends), or the "Bearer " scheme pasted in front. ' +
      'Some clients trim it and work; many send it as is and get 401, or fail before sending because a header may not hold a line break. ' +
      'The run may pass here and still fail in your application.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Store the bare key: no quotes, no spaces, no newline, no "Bearer " (the client adds the scheme itself). Check what the value really holds (only its length and ends, not the key):', command: 'printf %s "$OPENAI_API_KEY" | od -c | sed -n "1p;$p"' },
      { who: 'you', text: 'For a Kubernetes secret, encode without the newline.', command: 'printf %s "$KEY" | base64 -w0' },
    ],
  },
];
