/**
 * Azure OpenAI: the `api-key` header, URLs under /openai with an api-version. The target may name
 * a deployment (`https://res.openai.azure.com/openai/deployments/gpt4o`) or only the resource;
 * the key check lists the resource's models, which costs nothing and needs no deployment.
 */
import { parseAnyError } from './errors.js';
import { joinPath, withQuery } from './paths.js';
import type { ProviderContext, ProviderProfile } from './types.js';

export const AZURE_API_VERSION = '2024-10-21';

/** The api-version query: the target's own when it has one. */
function query(c: ProviderContext): string {
  return /(^|&)api-version=/.test(c.query) ? c.query : c.query === '' ? `api-version=${AZURE_API_VERSION}` : `${c.query}&api-version=${AZURE_API_VERSION}`;
}

/** The resource root (`/openai`) and the deployment named in the base path, if any. */
export function azureParts(basePath: string): { root: string; deployment?: string } {
  const m = /^(.*?\/openai)(?:\/deployments\/([^/]+))?(?:\/.*)?$/.exec(basePath);
  if (!m) return { root: joinPath(basePath, '/openai') };
  return { root: m[1]!, deployment: m[2] !== undefined ? decodeURIComponent(m[2]) : undefined };
}

export const azureOpenaiProfile: ProviderProfile = {
  name: 'azure-openai',
  authHeaders: (key) => ({ 'api-key': key }),
  keyCheck: (c) => ({ method: 'GET', path: withQuery(joinPath(azureParts(c.basePath).root, '/models'), query(c)) }),
  streamRequest: (c) => {
    const { root, deployment } = azureParts(c.basePath);
    const dep = deployment ?? c.model ?? 'gpt-4o-mini';
    return {
      method: 'POST',
      path: withQuery(joinPath(root, `/deployments/${encodeURIComponent(dep)}/chat/completions`), query(c)),
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: { messages: [{ role: 'user', content: 'Count from 1 to 5.' }], max_tokens: 16, stream: true },
    };
  },
  defaultModel: 'gpt-4o-mini',
  parseError: parseAnyError,
  requestIdHeaders: ['apim-request-id', 'x-request-id', 'x-ms-request-id'],
  rateLimitHeaderPrefixes: ['x-ratelimit-'],
  streamTerminator: { data: '[DONE]' },
};
