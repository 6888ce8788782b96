/** When the mtu stage runs and which address it probes (pure: a built context, no sockets). */
import { describe, expect, it } from 'vitest';
import { buildConfig, type RawOptions } from '../../src/config.js';
import { compose } from '../../src/diagnose/compose.js';
import { Redactor } from '../../src/secret.js';
import { bodyRequest, statusOf } from '../../src/net/mtu/body.js';
import { bodyPlan } from '../../src/net/mtu/plan.js';
import { mtuStage, probeEndpoint } from '../../src/stages/mtu.js';
import type { PathState, RunContext } from '../../src/stages/types.js';

function ctx(target: string, raw: RawOptions = {}, state: PathState = {}, tcp?: 'pass' | 'fail'): RunContext {
  return {
    config: buildConfig(target, raw),
    env: {},
    redactor: new Redactor(),
    state,
    now: () => 0,
    results: tcp ? { tcp: { status: tcp, data: {} } } : {},
  };
}
const stall = { stage: 'tls' as const, code: 'TLS_HANDSHAKE_TIMEOUT', afterMs: 2750 };

describe('mtu stage: shouldRun', () => {
  it.each<[string, RunContext, boolean]>([
    ['nothing stalled, no --mtu', ctx('https://127.0.0.1:8443'), false],
    ['--mtu on an IP literal', ctx('https://127.0.0.1:8443', { mtu: true }), true],
    ['a TLS stall with the tcp stage endpoint', ctx('api.example.test', {}, { stall, endpoint: { address: '127.0.0.2', port: 443, family: 4, source: 'system' } }), true],
    ['a stall but a host name with neither endpoint nor pin (never resolves by itself)', ctx('api.example.test', {}, { stall }), false],
    ['--mtu with a --resolve pin', ctx('https://big.mtulab.test:8443', { mtu: true, resolve: ['big.mtulab.test:8443:10.254.2.2'] }), true],
    ['plain http with --mtu (the body ladder)', ctx('http://127.0.0.1:8080', { mtu: true }), true],
    ['plain http that stalled without an answer and no --mtu (no size probe applies)', ctx('http://127.0.0.1:8080', {}, { stall: { ...stall, stage: 'http', code: 'HEADERS_TIMEOUT' } }), false],
    ['the tcp stage failed', ctx('https://127.0.0.1:8443', { mtu: true }, {}, 'fail'), false],
  ])('%s', (_name, c, run) => expect(mtuStage.shouldRun(c).run).toBe(run));

  it('through a forward proxy it does not run, and says why', () => {
    const c = ctx('https://127.0.0.1:8443', { mtu: true }, { proxy: { url: new URL('http://127.0.0.1:3128'), from: '--proxy', display: 'http://127.0.0.1:3128' } });
    const d = mtuStage.shouldRun(c);
    expect(d.run).toBe(false);
    if (!d.run) expect(d.reason).toMatch(/proxy/);
  });
});

describe('probeEndpoint', () => {
  it('prefers the tcp stage choice, then an IP literal, then a pin', () => {
    expect(probeEndpoint(ctx('https://[::1]:8443', { mtu: true }))).toMatchObject({ address: '::1', family: 6, source: 'literal' });
    expect(probeEndpoint(ctx('https://big.mtulab.test:8443', { resolve: ['big.mtulab.test:8443:10.254.2.2'] }))).toMatchObject({ address: '10.254.2.2', port: 8443, source: 'pin' });
    const chosen = { address: '10.0.0.9', port: 443, family: 4 as const, source: 'system' as const };
    expect(probeEndpoint(ctx('api.example.test', {}, { endpoint: chosen }))).toBe(chosen);
  });
});

describe('MTU verdict as root cause', () => {
  it('a blackhole that explains the TLS stall becomes the root cause (exit 14 in the catalogue)', () => {
    const c = compose([
      { code: 'TLS_HANDSHAKE_TIMEOUT', evidence: ['0 bytes back'], stage: 'tls' },
      { code: 'MTU_BLACKHOLE_SUSPECTED', evidence: ['big flights vanish'], explains: ['TLS_HANDSHAKE_TIMEOUT'], stage: 'mtu', params: { iface: 'wg0', mtu: 1252 } },
    ]);
    expect(c.rootCause).toBe('MTU_BLACKHOLE_SUSPECTED');
    const d = c.diagnoses[0]!;
    expect(d.remediation.map((s) => s.command).join('\n')).toContain('ip link set dev wg0 mtu 1252');
    expect(d.remediation.map((s) => s.text).join(' ')).not.toMatch(/TODO|\{mtu\}/);
  });
  it('ruled out and inconclusive never take the root cause from the stall', () => {
    for (const code of ['MTU_RULED_OUT', 'MTU_CHECK_INCONCLUSIVE']) {
      const c = compose([
        { code: 'TLS_HANDSHAKE_TIMEOUT', evidence: [], stage: 'tls' },
        { code, evidence: [], stage: 'mtu', params: { address: '10.0.0.1' } },
      ]);
      expect(c.rootCause).toBe('TLS_HANDSHAKE_TIMEOUT');
    }
  });
});

describe('bodyPlan: where the request-body ladder posts', () => {
  const answered: PathState = { httpAnswered: true, tlsOk: true };
  it.each<[string, RunContext, boolean]>([
    ['--mtu over plain http', ctx('http://127.0.0.1:8080', { mtu: true }), true],
    ['https, the http stage answered', ctx('https://127.0.0.1:8443', {}, answered), true],
    ['https with --mtu but a handshake the tls stage did not verify', ctx('https://127.0.0.1:8443', { mtu: true }, { tlsOk: false }), false],
    ['https, a TLS stall, no --mtu', ctx('https://127.0.0.1:8443', {}, { stall }), false],
  ])('%s -> %s', (_n, c, want) => expect(bodyPlan(c, undefined) !== undefined).toBe(want));

  it('posts to the provider completion endpoint without the key, and drops credentials from the query', () => {
    const key = 'AIzaSyTESTKEY0123456789abcdef';
    const c = { ...ctx('https://127.0.0.1:8443/v1beta?key=' + key + '&alt=x', { mtu: true, provider: 'gemini' }, { tlsOk: true }), apiKey: key };
    const plan = bodyPlan(c, undefined)!;
    expect(plan.path).toMatch(/:streamGenerateContent\?alt=x&alt=sse$/);
    expect(JSON.stringify(plan)).not.toContain(key);
    const req = bodyRequest(plan, 2000);
    expect(req.bytes.length).toBe(2000);
    expect(req.bytes.toString()).not.toContain(key);
    expect(req.bytes.toString()).toMatch(/^POST \S+ HTTP\/1\.1\r\n/);
    // The body is valid JSON of the announced length.
    const [head, body] = req.bytes.toString().split('\r\n\r\n') as [string, string];
    expect(head).toContain(`content-length: ${req.bodyBytes}`);
    expect(JSON.parse(body)).toHaveProperty('upstream_doctor_padding');
  });

  it('never sends an authorization header, whatever the profile', () => {
    for (const provider of ['openai', 'anthropic', 'azure-openai', 'gemini', 'openai-compatible', 'generic']) {
      const plan = bodyPlan({ ...ctx('https://127.0.0.1:8443', { mtu: true, provider }, { tlsOk: true }), apiKey: 'sk-test-SECRET-1234' }, undefined)!;
      const text = bodyRequest(plan, 512).bytes.toString();
      expect(text).not.toMatch(/authorization|x-api-key|api-key|SECRET/i);
    }
  });
});

describe('statusOf', () => {
  it.each<[string, number | undefined]>([
    ['HTTP/1.1 200 OK\r\n', 200],
    ['HTTP/1.0 413 Payload Too Large\r\n', 413],
    ['HTTP/1.1 40', undefined],
    ['\x15\x03\x03\x00\x02\x02\x0a', undefined],
  ])('%j -> %s', (text, want) => expect(statusOf(text)).toBe(want));
});
