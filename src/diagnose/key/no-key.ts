/**
 * KEY_NOT_GIVEN (pure): an OpenAI-compatible endpoint was checked without a key because none was
 * configured. Local servers often need none, so this is information; it says where a key would
 * come from for the servers that do. A 401 is AUTH_MISSING's to explain, and a key held back on
 * purpose (plain http to another host) is KEY_NOT_SENT_INSECURE's.
 */
import type { KeySource } from '../../config.js';
import type { ProviderName } from '../../report.js';
import type { Finding } from '../../stages/types.js';

export interface NoKeyFacts {
  provider: ProviderName;
  keySource: KeySource;
  /** A key was loaded for this run (sent or not). */
  keyLoaded: boolean;
  /** The endpoint answered with a success status. */
  ok: boolean;
  /** Codes already found by the http stage. */
  codes: string[];
}

export function noKeyFinding(f: NoKeyFacts): Finding | undefined {
  if (f.provider !== 'openai-compatible' || f.keyLoaded || !f.ok) return undefined;
  if (f.codes.includes('AUTH_MISSING') || f.codes.includes('KEY_NOT_SENT_INSECURE')) return undefined;
  const src = f.keySource;
  const variable = src.kind === 'env' ? src.variable : 'OPENAI_API_KEY';
  const why = src.kind === 'env' ? `$${src.variable} is not set (or empty), so the request went without a key` : 'no key source was given, so the request went without a key';
  return {
    code: 'KEY_NOT_GIVEN',
    severity: 'info',
    evidence: [why, 'the endpoint answered with success all the same; a server that checks keys may still refuse the real requests of your application'],
    details: { keySource: src.kind === 'env' ? `$${src.variable}` : src.kind },
    params: { variable },
  };
}
