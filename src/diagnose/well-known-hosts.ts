/**
 * Public API names that exist on the internet (data). When a resolver calls one of them NXDOMAIN,
 * or answers with a private address, the resolver is filtering or serving a private view of DNS.
 */

/** Exact names of public LLM API endpoints. */
export const WELL_KNOWN_API_HOSTS: readonly string[] = [
  'api.openai.com',
  'api.anthropic.com',
  'generativelanguage.googleapis.com',
  'aiplatform.googleapis.com',
  'openrouter.ai',
  'api.mistral.ai',
  'api.groq.com',
  'api.deepseek.com',
  'api.together.xyz',
  'api.together.ai',
  'api.cohere.com',
  'api.cohere.ai',
  'api.fireworks.ai',
  'api.perplexity.ai',
  'api.x.ai',
  'api-inference.huggingface.co',
  'router.huggingface.co',
  'api.cerebras.ai',
];

/**
 * Suffixes under which every name is a provider's public endpoint (one name per customer
 * resource). A leading dot means "any name below".
 */
export const WELL_KNOWN_API_SUFFIXES: readonly string[] = [
  '.openai.azure.com',
  '.cognitiveservices.azure.com',
  '-aiplatform.googleapis.com',
  '.bedrock-runtime.amazonaws.com',
];

/** Whether a host is a well-known public API name (case-insensitive, trailing dot ignored). */
export function isWellKnownApiHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (WELL_KNOWN_API_HOSTS.includes(h)) return true;
  return WELL_KNOWN_API_SUFFIXES.some((s) => h.endsWith(s) && h.length > s.length);
}
