/** Anthropic: x-api-key plus anthropic-version; GET /v1/models checks the key, /v1/messages streams. */
import { parseAnyError } from './errors.js';
import { joinPath, withQuery } from './paths.js';
import type { ProviderContext, ProviderProfile } from './types.js';

/** Anthropic's SDK base URL has no /v1; accept a target given with or without it. */
function v1(c: ProviderContext): string {
  return /\/v1$/.test(c.basePath) ? c.basePath : joinPath(c.basePath, '/v1');
}

export const anthropicProfile: ProviderProfile = {
  name: 'anthropic',
  authHeaders: (key) => ({ 'x-api-key': key }),
  baseHeaders: { 'anthropic-version': '2023-06-01' },
  keyCheck: (c) => ({ method: 'GET', path: withQuery(joinPath(v1(c), '/models'), c.query) }),
  streamRequest: (c) => ({
    method: 'POST',
    path: withQuery(joinPath(v1(c), '/messages'), c.query),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: {
      model: c.model ?? 'claude-3-5-haiku-latest',
      max_tokens: 16,
      stream: true,
      messages: [{ role: 'user', content: 'Count from 1 to 5.' }],
    },
  }),
  defaultModel: 'claude-3-5-haiku-latest',
  parseError: parseAnyError,
  requestIdHeaders: ['request-id', 'x-request-id'],
  rateLimitHeaderPrefixes: ['anthropic-ratelimit-'],
  streamTerminator: { event: 'message_stop' },
};
