/** A provider profile: how to talk to one API family. Data, one file per provider. */
import type { ProviderName } from '../report.js';

export interface ProbeRequest {
  method: 'GET' | 'POST';
  /** Path relative to the target's base path (profiles join it with the base path), e.g. `/models`. */
  path: string;
  headers?: Record<string, string>;
  /** JSON body, when the request has one. */
  body?: unknown;
}

export interface ProviderContext {
  /** The target's base path ('' when none), e.g. `/v1` or `/openai/deployments/gpt4o`. */
  basePath: string;
  /** Query string of the target (Azure's api-version may be there). */
  query: string;
  host: string;
  /** `--model`, when given. */
  model?: string;
}

/** A provider's error body, read into one shape. */
export interface ProviderError {
  /** Machine code, e.g. `invalid_api_key`, `insufficient_quota`, `API_KEY_INVALID`, `rate_limit_error`. */
  code?: string;
  /** Error type or status, e.g. `invalid_request_error`, `RESOURCE_EXHAUSTED`. */
  type?: string;
  message?: string;
}

export interface ProviderProfile {
  name: ProviderName;
  /** The headers that carry the key. */
  authHeaders(key: string): Record<string, string>;
  /** Headers every request needs (anthropic-version ...). */
  baseHeaders?: Record<string, string>;
  /** The cheapest request that proves the key works (e.g. GET /v1/models). */
  keyCheck(ctx: ProviderContext): ProbeRequest;
  /** The smallest streaming request (a few tokens), used by the stream stage. */
  streamRequest(ctx: ProviderContext): ProbeRequest;
  /** The model the stream check asks for when --model is not given. */
  defaultModel?: string;
  /** Read an error body (already parsed JSON, or raw text) into one shape. */
  parseError(body: string): ProviderError | undefined;
  /** Headers that carry the provider's request id, in order of preference. */
  requestIdHeaders: string[];
  /** Header name prefixes of the provider's rate-limit headers. */
  rateLimitHeaderPrefixes: string[];
  /** The event that ends a healthy stream: `[DONE]` data, or an event name like `message_stop`. */
  streamTerminator: { data?: string; event?: string };
}
