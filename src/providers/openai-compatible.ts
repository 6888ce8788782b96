/**
 * OpenAI-compatible servers (vLLM, Ollama, LM Studio, LiteLLM, OpenRouter): the OpenAI wire
 * format with a Bearer key; the base path defaults to /v1 as they all serve it there.
 */
import { openaiProfile } from './openai.js';
import type { ProviderProfile } from './types.js';

export const openaiCompatibleProfile: ProviderProfile = {
  ...openaiProfile,
  name: 'openai-compatible',
  streamRequest: (c) => {
    const req = openaiProfile.streamRequest(c);
    // Local servers name their models freely; without --model ask for whatever the server calls "default".
    return { ...req, body: { ...(req.body as object), model: c.model ?? 'default' } };
  },
  defaultModel: undefined,
  // LiteLLM and OpenRouter add their own ids next to the upstream's.
  requestIdHeaders: ['x-request-id', 'x-litellm-call-id', 'x-generation-id'],
};
