/**
 * Catalogue entries of sampled runs (--repeat / --duration): the summary finding when some samples
 * failed and others passed. The retry advice follows the reference guide (exponential backoff with
 * a random jitter, Retry-After first for 429s), in the project's own words.
 */
import type { CatalogueEntry } from './types.js';

export const sampleEntries: CatalogueEntry[] = [
  {
    code: 'INTERMITTENT_FAILURES',
    stage: 'http',
    severity: 'error',
    // The exit code of a sampled run is that of its most frequent failing code (the report's rootCause);
    // this one applies only when INTERMITTENT_FAILURES itself is asked for (it never is the rootCause).
    exitCode: 14,
    title: 'Some samples of the path failed and others passed: {failedCount} of {sampleCount} ({failurePercent})',
    explanation:
      'The same request over the same path sometimes works and sometimes does not. One run of the tool would have been a coin toss: healthy one time, failed the next. Intermittent failures come from things that only bite now and then: a keep-alive connection that the server or a middlebox dropped while the client still thought it usable, a rate limit that starts after a burst, one unhealthy backend behind a load balancer, a NAT or conntrack table that forgets flows, or an overloaded upstream. The most frequent failing code says which kind it is; the timeline says whether failures come in bursts (limits, overload) or spread evenly (one bad backend among several, a fixed share of resets).',
    origin: 'unknown',
    owner: 'network',
    retry: 'yes',
    steps: [
      {
        who: 'you',
        text: 'Make the client retry failed requests with exponential backoff and random jitter: wait about 0.5 s, then 1 s, 2 s, 4 s (each plus a random share, so many clients do not retry in step), up to a few attempts; for a 429, wait what Retry-After says first. The SDKs of OpenAI and Anthropic already retry connection errors, 408, 409, 429 and 5xx twice by default (max_retries / maxRetries).',
        command: 'wait = min(cap, base * 2 ** attempt) + random.uniform(0, base)',
      },
      {
        who: 'you',
        text: 'Retry only what is safe to repeat: a completion request that failed before any response header may still have run (and been billed) upstream. Send an idempotency key where the API accepts one, and do not blindly repeat requests with side effects (file uploads, batch or fine-tune jobs, assistant runs).',
      },
      {
        who: 'you',
        text: 'If the failures are resets before headers on reused connections, make the pool drop idle connections sooner than the server or proxy closes them, and compare a run with and without --reuse.',
        command: '{diagnose} --repeat 50 --interval 200ms --reuse',
        when: [
          { detail: 'topCode', in: ['RESET_BEFORE_HEADERS', 'UPSTREAM_RESET_REPORTED', 'HEADERS_TIMEOUT'] },
          { detail: 'keepaliveRace', in: [false], orMissing: true },
        ],
      },
      {
        who: 'you',
        text: 'The failures are a keep-alive race: only requests on pooled connections that sat idle for a while failed. Measure how long an idle connection to this target survives, then make the client pool drop idle connections a good margin sooner (Python httpx: httpx.Limits(keepalive_expiry=...); undici: new Agent({ keepAliveTimeout })), or have the owner of the server or load balancer keep idle connections longer than the clients\' pools do.',
        command: '{diagnose} --keepalive',
        when: { detail: 'keepaliveRace', in: [true] },
      },
      {
        who: 'you',
        text: 'Record the packets of the failing samples to see who sends the RST or FIN, and from which address.',
        command: '{diagnose} --repeat 100 --interval 500ms --capture failures.pcap',
      },
      {
        who: 'gateway',
        text: 'Send the owner of the gateway or proxy (or the provider, when the failures come from their side) the times of the failing samples (firstFailureAt, lastFailureAt and the timeline), the request ids and cf-ray values of the failing samples, the failure rate with its interval, and the capture; ask for their logs at those times.',
      },
    ],
    attach: ['the failure rate with its 95 % interval and the sample count', 'the UTC times of the failing samples', 'request ids and cf-ray of failing samples', 'the packet capture of the failing samples'],
  },
];
