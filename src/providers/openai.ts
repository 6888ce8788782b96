/** OpenAI: Bearer key, GET /v1/models to check it, chat completions to stream. */
import { parseAnyError } from './errors.js';
import { baseOr, joinPath, withQuery } from './paths.js';
import type { ProviderProfile } from './types.js';

export const openaiProfile: ProviderProfile = {
  name: 'openai',
  authHeaders: (key) => ({ authorization: `Bearer ${key}` }),
  keyCheck: (c) => ({ method: 'GET', path: withQuery(joinPath(baseOr(c.basePath, '/v1'), '/models'), c.query) }),
  streamRequest: (c) => ({
    method: 'POST',
    path: withQuery(joinPath(baseOr(c.basePath, '/v1'), '/chat/completions'), c.query),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: {
      model: c.model ?? 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count from 1 to 5.' }],
      max_tokens: 16,
      stream: true,
    },
  }),
  defaultModel: 'gpt-4o-mini',
  parseError: parseAnyError,
  requestIdHeaders: ['x-request-id'],
  rateLimitHeaderPrefixes: ['x-ratelimit-'],
  streamTerminator: { data: '[DONE]' },
};
