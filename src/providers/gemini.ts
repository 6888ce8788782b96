/** Gemini (Google AI): x-goog-api-key; GET /v1beta/models checks the key; SSE via alt=sse. */
import { parseAnyError } from './errors.js';
import { baseOr, joinPath, withQuery } from './paths.js';
import type { ProviderProfile } from './types.js';

export const geminiProfile: ProviderProfile = {
  name: 'gemini',
  authHeaders: (key) => ({ 'x-goog-api-key': key }),
  keyCheck: (c) => ({ method: 'GET', path: withQuery(joinPath(baseOr(c.basePath, '/v1beta'), '/models'), c.query) }),
  streamRequest: (c) => ({
    method: 'POST',
    path: withQuery(
      joinPath(baseOr(c.basePath, '/v1beta'), `/models/${encodeURIComponent(c.model ?? 'gemini-2.0-flash')}:streamGenerateContent`),
      c.query === '' ? 'alt=sse' : `${c.query}&alt=sse`,
    ),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: {
      contents: [{ role: 'user', parts: [{ text: 'Count from 1 to 5.' }] }],
      generationConfig: { maxOutputTokens: 16 },
    },
  }),
  defaultModel: 'gemini-2.0-flash',
  parseError: parseAnyError,
  requestIdHeaders: ['x-request-id', 'x-goog-request-id'],
  rateLimitHeaderPrefixes: ['x-ratelimit-'],
  streamTerminator: {},
};
