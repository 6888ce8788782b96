/**
 * Any HTTP endpoint: the base URL itself, never a key. What answers is still classified (an
 * intermediary's page, a 401 that asks for a key), which is often all an on-call engineer needs.
 */
import { parseAnyError } from './errors.js';
import { withQuery } from './paths.js';
import type { ProviderProfile } from './types.js';

export const genericProfile: ProviderProfile = {
  name: 'generic',
  authHeaders: () => ({}),
  keyCheck: (c) => ({ method: 'GET', path: withQuery(c.basePath === '' ? '/' : c.basePath, c.query) }),
  streamRequest: (c) => ({ method: 'GET', path: withQuery(c.basePath === '' ? '/' : c.basePath, c.query), headers: { accept: 'text/event-stream' } }),
  parseError: parseAnyError,
  requestIdHeaders: ['x-request-id', 'request-id', 'x-amzn-requestid', 'x-amz-cf-id'],
  rateLimitHeaderPrefixes: ['x-ratelimit-', 'ratelimit-'],
  streamTerminator: { data: '[DONE]' },
};
