/** A provider profile: how to talk to one API family. Data, one file per provider. */
import type { ProviderName } from '../report.js';

export interface ProbeRequest {
  method: 'GET' | 'POST';
  /**
   * The full request path: the target's base path joined with the endpoint, plus the query
   * string when there is one (e.g. `/v1/models`, `/openai/models?api-version=2024-10-21`).
   * Profiles do the joining so callers send it as it is.
   */
  path: string;
  headers?: Record<string, string>;
  /** JSON body, when the request has one. */
  body?: unknown;
}

export interface ProviderContext {
  /** The target's base path ('' when none), e.g. `/v1` or `/openai/deployments/gpt4o`. */
  basePath: string;
  /** Query string of the target without '?' (Azure's api-version may be there). */
  query: string;
  host: string;
  /** `--model`, when given. */
  model?: string;
}

/** A provider's error body, read into one shape. */
export interface ProviderError {
  /** Machine code, e.g. `invalid_api_key`, `insufficient_quota`, `API_KEY_INVALID`, `DeploymentNotFound`. */
  code?: string;
  /** Error type or status, e.g. `invalid_request_error`, `rate_limit_error`, `RESOURCE_EXHAUSTED`. */
  type?: string;
  message?: string;
  /** Further machine-readable hints found in the body (Google's ErrorInfo reasons, quota ids ...). */
  hints?: string[];
  /** A retry delay the body itself states (Google's RetryInfo), in seconds. */
  retryDelaySeconds?: number;
}

export interface ProviderProfile {
  name: ProviderName;
  /** The headers that carry the key (empty for a profile that never sends one). */
  authHeaders(key: string): Record<string, string>;
  /** Headers every request needs (anthropic-version ...). */
  baseHeaders?: Record<string, string>;
  /** The cheapest request that proves the key works (e.g. GET /v1/models). */
  keyCheck(ctx: ProviderContext): ProbeRequest;
  /** The smallest streaming request (a few tokens), used by the stream stage. */
  streamRequest(ctx: ProviderContext): ProbeRequest;
  /** The model the stream check asks for when --model is not given. */
  defaultModel?: string;
  /** Read an error body (raw text, JSON or not) into one shape; undefined when it holds none. */
  parseError(body: string): ProviderError | undefined;
  /** Headers that carry the provider's request id, in order of preference. */
  requestIdHeaders: string[];
  /** Header name prefixes of the provider's rate-limit headers. */
  rateLimitHeaderPrefixes: string[];
  /**
   * The event that ends a healthy stream: `[DONE]` data, or an event name like `message_stop`.
   * Empty for Gemini: its stream simply ends, the last chunk carrying a `finishReason`.
   */
  streamTerminator: { data?: string; event?: string };
}
