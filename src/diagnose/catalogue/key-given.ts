/** Catalogue entries about the API key itself, beyond what the endpoint answered. */
import type { CatalogueEntry } from './types.js';

export const keyGivenEntries: CatalogueEntry[] = [
  {
    code: 'KEY_NOT_GIVEN',
    stage: 'http',
    severity: 'info',
    exitCode: 0,
    title: 'No API key was given: the OpenAI-compatible endpoint was checked without one',
    explanation:
      'No key was configured for this run, and the endpoint answered the model list anyway. Servers on your own machine (Ollama, LM Studio, vLLM started without --api-key) often need no key, and then all is well. ' +
      'Hosted APIs and gateways (LiteLLM with a master key, OpenRouter, a company proxy) do need one, and some answer the model list without it but refuse completions: check with the key your application uses.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'If the server needs a key, put it in the variable this run reads (typed, so it stays out of the shell history) and run the check again.', command: 'read -rs {variable} && export {variable} && {diagnose}' },
      { who: 'you', text: 'Or give the key from a file, or from a variable of another name (the key itself never goes on the command line).', command: '{diagnose} --api-key-file /run/secrets/llm-key   # or: --api-key-env MY_GATEWAY_KEY' },
      { who: 'you', text: 'If the server is meant to be open (a local model server), nothing needs to change.' },
    ],
  },
];
