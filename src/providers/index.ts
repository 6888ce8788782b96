/** The provider profiles by name. */
import type { ProviderName } from '../report.js';
import { anthropicProfile } from './anthropic.js';
import { azureOpenaiProfile } from './azure-openai.js';
import { geminiProfile } from './gemini.js';
import { genericProfile } from './generic.js';
import { openaiCompatibleProfile } from './openai-compatible.js';
import { openaiProfile } from './openai.js';
import type { ProviderContext, ProviderProfile } from './types.js';
import type { Target } from '../target.js';

export type { ProviderProfile, ProviderContext, ProbeRequest, ProviderError } from './types.js';

const PROFILES: Record<ProviderName, ProviderProfile> = {
  openai: openaiProfile,
  anthropic: anthropicProfile,
  'azure-openai': azureOpenaiProfile,
  gemini: geminiProfile,
  'openai-compatible': openaiCompatibleProfile,
  generic: genericProfile,
};

export function profileFor(name: ProviderName): ProviderProfile {
  return PROFILES[name];
}

/** The provider context of a target (and --model). */
export function providerContext(target: Pick<Target, 'basePath' | 'query' | 'host'>, model?: string): ProviderContext {
  return { basePath: target.basePath, query: target.query, host: target.host, ...(model !== undefined ? { model } : {}) };
}

/** Every header of a request for this profile: base headers, then the key's (when one is sent). */
export function requestHeaders(profile: ProviderProfile, key: string | undefined): Record<string, string> {
  return { ...(profile.baseHeaders ?? {}), ...(key !== undefined ? profile.authHeaders(key) : {}) };
}
