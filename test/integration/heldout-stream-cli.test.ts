/**
 * Held-out streaming scenarios through the whole CLI (in-process): exit codes, attribution,
 * the human arrival strip, TLS with a pinned name, and a server that echoes the key back inside
 * an error event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptServer, type ScriptOptions, type ScriptStep } from '../../fixtures/sse-script.js';
import { startHoldingRelay } from '../../fixtures/sse-holding-relay.js';
import { startSseServer } from '../../fixtures/sse-server.js';
import { anthropicEvents } from '../../fixtures/sse-events.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Fixture } from '../../fixtures/types.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-heldout-stream-5555555555qrst';
const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function script(o: ScriptOptions) {
  const s = await startScriptServer(o);
  started.push(s);
  return s;
}
const SSE = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' };
const paced = (events: string[], gap: number, first = gap): ScriptStep[] => events.flatMap((e, i) => [{ sleep: i === 0 ? first : gap }, { send: e }]);
const oai = (delta: object) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1763700000, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
const diagnose = (url: string, extra: string[] = []) =>
  runCli([`${url}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '6s', ...extra], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });

describe('held-out streams through the CLI', () => {
  it('Anthropic over TLS to a --resolve pinned name, CRLF lines, a 1.5 s think after message_start: exit 0', async () => {
    const ev = anthropicEvents(8).map((e) => e.replace(/\n/g, '\r\n'));
    const s = await script({ headers: { ...SSE, 'request-id': 'req_h' }, tls: loadCert('valid'), steps: [{ send: ev[0]! + ev[1]! }, { sleep: 1500 }, ...paced(ev.slice(2), 30), { end: true }] });
    const run = await runCli(
      [`https://api.test:${s.port}`, '--provider', 'anthropic', '--resolve', `api.test:${s.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--stream', '--json'],
      { env: cleanEnv({ ANTHROPIC_API_KEY: KEY }) },
    );
    const st = stageOf(run.report!, 'stream');
    expect(st.status, st.summary).toBe('pass');
    expect(run.code).toBe(0);
    expect(st.data.finishReason).toBe('max_tokens');
  });

  it('a server that echoes the key inside an error event: STREAM_ERROR_EVENT owned by you, and the key appears in no format', async () => {
    const err = `data: ${JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}. You can find your API key at the dashboard.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), err], 30), { end: true }] });
    for (const format of ['json', 'human', 'md', 'junit', 'github']) {
      const run = await diagnose(s.url, ['--format', format]);
      expect(run.code, run.stderr).toBe(18);
      expect(run.stdout + run.stderr).not.toContain(KEY.slice(3, -4));
      if (format === 'json') {
        const report = JSON.parse(run.stdout);
        const d = report.diagnoses[0];
        expect(d.code).toBe('STREAM_ERROR_EVENT');
        expect(d).toMatchObject({ owner: 'you', retry: 'no' });
      }
    }
  });

  it('a DLP middlebox holding the stream: STREAM_BUFFERED at the gateway, exit 18, the strip shows one late burst', async () => {
    const up = await startSseServer({ mode: 'openai', events: 8, periodMs: 150 });
    started.push(up);
    const relay = await startHoldingRelay({ upstreamPort: up.port, quietMs: 500 });
    started.push(relay);
    const json = await diagnose(relay.url, ['--json']);
    expect(json.report!.rootCause).toBe('STREAM_BUFFERED');
    expect(json.report!.diagnoses[0]).toMatchObject({ origin: 'gateway', owner: 'gateway', retry: 'no' });
    expect(json.code).toBe(18);
    const human = await diagnose(relay.url);
    expect(human.stdout).toMatch(/events 0 ▕[·H]{5,}█[·✕]*▏/);
  });

  it('keep-alive comments and no event past the idle budget: STREAM_STALLED attributed to the producer, exit 18', async () => {
    const keepAlive: ScriptStep[] = Array.from({ length: 40 }, () => [{ sleep: 200 }, { send: ': keep-alive\n\n' }] as ScriptStep[]).flat();
    const s = await script({ headers: SSE, steps: [...keepAlive, { end: true }] });
    const run = await diagnose(s.url, ['--json', '--timeout', '3s']);
    expect(run.report!.rootCause).toBe('STREAM_STALLED');
    expect(run.report!.diagnoses[0]).toMatchObject({ origin: 'provider', owner: 'provider' });
    expect(run.code).toBe(18);
  });

  it('vLLM-style error object followed by [DONE]: STREAM_ERROR_EVENT, not a pass', async () => {
    const err = `data: ${JSON.stringify({ object: 'error', message: 'The model `tiny` does not exist.', type: 'NotFoundError', param: null, code: 404 })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([err, 'data: [DONE]\n\n'], 30), { end: true }] });
    const run = await diagnose(s.url, ['--json']);
    expect(run.report!.rootCause).toBe('STREAM_ERROR_EVENT');
    expect(run.report!.diagnoses[0]).toMatchObject({ owner: 'you', retry: 'no' });
    expect(run.code).toBe(18);
  });

  it('plain http to a host that is not this machine: the stream never carries the key the key check withheld', async () => {
    const up = await startSseServer({ mode: 'openai', events: 3, periodMs: 40 });
    started.push(up);
    const base = [`http://llm.internal:${up.port}/v1`, '--resolve', `llm.internal:${up.port}:127.0.0.1`, '--stream', '--json'];
    const compat = await runCli([...base, '--provider', 'openai-compatible'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(stageOf(compat.report!, 'stream').status).toBe('pass');
    const posts = up.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBe(1);
    // Before: the key check withheld the key, and the streaming request sent it in clear text.
    expect(posts[0]!.headers.authorization).toBeUndefined();
    const cloud = await runCli([...base, '--provider', 'openai'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const st = stageOf(cloud.report!, 'stream');
    expect(st.status).toBe('skip');
    expect(st.summary).toMatch(/plain http/);
    expect(up.requests.filter((r) => r.method === 'POST').length).toBe(1);
    expect(up.requests.some((r) => JSON.stringify(r.headers).includes(KEY.slice(3, -4)))).toBe(false);
  });

  describe('the key check passes, the streaming request is refused', () => {
    const json = { 'Content-Type': 'application/json' };
    const body = (o: object) => JSON.stringify(o);
    for (const [name, status, headers, text, code, exit] of [
      ['no quota left (OpenAI insufficient_quota)', 429, json, body({ error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }), 'QUOTA_EXCEEDED', 16],
      ['a rate limit with Retry-After', 429, { ...json, 'Retry-After': '20', 'x-ratelimit-remaining-tokens': '0' }, body({ error: { message: 'Rate limit reached for gpt-4o-mini on tokens per min (TPM).', type: 'tokens', param: null, code: 'rate_limit_exceeded' } }), 'RATE_LIMITED', 16],
      ['a model the key cannot use (404)', 404, json, body({ error: { message: 'The model `gpt-4o-mini` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } }), 'NOT_FOUND', 17],
    ] as const) {
      it(`${name}: ${code}, exit ${exit}, not STREAM_NOT_SSE`, async () => {
        const s = await script({ status, headers, framing: 'length', steps: [{ send: text }] });
        const run = await diagnose(s.url, ['--json']);
        expect(run.report!.rootCause, JSON.stringify(run.report!.diagnoses.map((d) => [d.code, d.evidence]))).toBe(code);
        expect(run.code).toBe(exit);
        expect(run.report!.diagnoses[0]!.evidence[0]).toMatch(/streaming request \(POST \/v1\/chat\/completions\) got HTTP/);
        expect(stageOf(run.report!, 'http').status).toBe('pass');
      });
    }
    it('a web filter\'s HTML block page on the streaming request alone: FORBIDDEN by the network, saying what came', async () => {
      const page = '<html><head><title>Blocked by Secure Web Gateway</title></head><body>Category: Generative AI</body></html>';
      const s = await script({ status: 403, headers: { 'Content-Type': 'text/html' }, framing: 'length', steps: [{ send: page }] });
      const run = await diagnose(s.url, ['--json']);
      const d = run.report!.diagnoses[0]!;
      // Issue 11 item 2: a 403 means the same in every stage, so the http rules decide (it was
      // STREAM_NOT_SSE, exit 18). They read an HTML page as a filter on the way, not the key's permissions.
      expect(d.code).toBe('FORBIDDEN');
      expect(d).toMatchObject({ owner: 'network', details: { forbiddenBy: 'waf', pageTitle: 'Blocked by Secure Web Gateway' } });
      expect(d.evidence.join('\n')).toMatch(/an HTML page titled "Blocked by Secure Web Gateway"/);
      expect(d.evidence.join('\n')).not.toMatch(/lacks permission/);
      expect(run.code).toBe(15);
    });
    it('nginx\'s own 504 page on the streaming request: GATEWAY_TIMEOUT from the http rules', async () => {
      const page = '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';
      const s = await script({ status: 504, headers: { 'Content-Type': 'text/html', Server: 'nginx/1.22.1' }, framing: 'length', steps: [{ send: page }] });
      const run = await diagnose(s.url, ['--json']);
      expect(run.report!.rootCause).toBe('GATEWAY_TIMEOUT');
      expect(run.code).toBe(17);
    });
  });
});
