/**
 * Second held-out run, classes 4, 5, 6 and 9 on the merged code: HTTP/2 (a GOAWAY with NO_ERROR, a
 * RST_STREAM with CANCEL, which Node reports without its code), silence in a stream (a pause of 60 %
 * of the budget mid-way is no stall), the owner of a stall or an h2 refusal on a provider's own name
 * with nothing of the user's between, and joins (NODE_EXTRA_CA_CERTS naming a file of garbage; a key
 * with a trailing CRLF that the server accepts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { H2, startH2Server } from '../../fixtures/h2-servers.js';
import { startScriptServer } from '../../fixtures/sse-script.js';
import { CERT_DIR, TEST_CA_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import type { Fixture } from '../../fixtures/types.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-proj-Rf4Tg7Yh2Jk9Lm3Nb6Vc8Xz1';
const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function keep<T extends Fixture>(p: Promise<T>): Promise<T> {
  const f = await p;
  started.push(f);
  return f;
}
const tmp = mkdtempSync(join(tmpdir(), 'ud-ho2-'));
const d0 = (r: Report) => r.diagnoses[0]!;

/** A leaf for api.openai.com from the test CA (made now, so nothing checked in goes stale). */
function providerLeaf(): { key: string; cert: string } {
  const key = join(tmp, 'p-key.pem');
  const csr = join(tmp, 'p.csr');
  const crt = join(tmp, 'p.pem');
  const ext = join(tmp, 'p.cnf');
  writeFileSync(ext, 'subjectAltName=DNS:api.openai.com\nbasicConstraints=critical,CA:false\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=api.openai.com', '-out', csr], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', TEST_CA_PATH, '-CAkey', join(CERT_DIR, 'ca-key.pem'), '-CAserial', join(tmp, 'ca.srl'), '-CAcreateserial', '-days', '30', '-sha256', '-extfile', ext, '-out', crt], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(crt, 'utf8') };
}
const h2run = (port: number, extra: string[] = []) =>
  runCli([`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--http2', '--provider', 'openai-compatible', '--timeout', '4s', '--json', ...extra], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });

describe('HTTP/2 error frames the first round did not build', () => {
  it('GOAWAY with NO_ERROR on every request: HTTP2_STREAM_ERROR read as a graceful shutdown, retry not refused', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'goaway', code: H2.NGHTTP2_NO_ERROR } }));
    const r = await h2run(s.port);
    expect(d0(r.report!)).toMatchObject({ code: 'HTTP2_STREAM_ERROR', details: { frame: 'GOAWAY', errorName: 'NO_ERROR' } });
    expect(d0(r.report!).evidence.join('\n')).toMatch(/graceful shutdown/);
    expect(d0(r.report!).retry).not.toBe('no');
  });

  it('RST_STREAM CANCEL (Node reports it without the code): HTTP2_STREAM_ERROR CANCEL, not a bare transport error', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'rst', code: H2.NGHTTP2_CANCEL } }));
    const r = await h2run(s.port);
    expect(d0(r.report!)).toMatchObject({ code: 'HTTP2_STREAM_ERROR', details: { frame: 'RST_STREAM', errorName: 'CANCEL' } });
    expect(codesOf(r.report!)).not.toContain('HTTP_TRANSPORT_ERROR');
  });

  it('RST_STREAM REFUSED_STREAM on a custom name over https: safe to retry, owned by the gateway the user runs (not the provider)', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'rst', code: H2.NGHTTP2_REFUSED_STREAM } }));
    // The h2 fixture's certificate names api.test (not a provider's name), reached with --connect-to.
    const r = await runCli(['https://api.test/v1', '--connect-to', `api.test:443:127.0.0.1:${s.port}`, '--ca', TEST_CA_PATH, '--http2', '--timeout', '4s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(d0(r.report!)).toMatchObject({ code: 'HTTP2_STREAM_ERROR', retry: 'yes' });
    // api.test is not a provider's name: the default owner (the gateway the user runs) stays.
    expect(d0(r.report!).owner).toBe('gateway');
  });
});

describe('silence in a stream', () => {
  const ev = (t: string) => `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${t}"},"finish_reason":null}]}\n\n`;
  it('two tokens, a pause of 60 % of a 5 s budget, the rest: a healthy stream, not STREAM_STALLED', async () => {
    const s = await keep(startScriptServer({ status: 200, headers: { 'Content-Type': 'text/event-stream' }, steps: [{ send: ev('a') }, { send: ev('b') }, { sleep: 3000 }, { send: ev('c') }, { send: 'data: [DONE]\n\n' }, { end: true }] }));
    const r = await runCli([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '5s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(codesOf(r.report!)).not.toContain('STREAM_STALLED');
    expect(stageOf(r.report!, 'stream').data.terminalEvent).toBe(true);
    expect(r.code).toBe(0);
  });

  it.skipIf(haproxyPath() === undefined)('the same 60 % pause through a real HAProxy (default settings, timeout server 30s): healthy, neither stalled nor buffered', async () => {
    const up = await keep(startScriptServer({ status: 200, headers: { 'Content-Type': 'text/event-stream' }, steps: [{ send: ev('a') }, { sleep: 3000 }, { send: ev('b') }, { send: 'data: [DONE]\n\n' }, { end: true }] }));
    const h = await keep(startHaproxy({ servers: [`server s1 127.0.0.1:${up.port}`], defaults: 'timeout connect 2s\n  timeout client 30s\n  timeout server 30s' }));
    const r = await runCli([`${h.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '5s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(codesOf(r.report!).filter((c) => c.startsWith('STREAM_'))).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('headers, then silence, straight from api.openai.com (https, no proxy, no hop in the headers): STREAM_STALLED owned by the provider', async () => {
    const s = await keep(startScriptServer({ status: 200, headers: { 'Content-Type': 'text/event-stream' }, steps: [{ sleep: 15000 }], tls: providerLeaf() }));
    const r = await runCli(['https://api.openai.com/v1', '--connect-to', `api.openai.com:443:127.0.0.1:${s.port}`, '--ca', TEST_CA_PATH, '--stream', '--timeout', '3s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const d = r.report!.diagnoses.find((x) => x.code === 'STREAM_STALLED')!;
    expect(d).toMatchObject({ owner: 'provider', origin: 'provider-edge' });
    expect(d.evidence.join('\n')).toMatch(/buffering|stall/);
  });

  it('control: the same silence behind a loopback server of the user\'s: the gateway\'s, as before', async () => {
    const s = await keep(startScriptServer({ status: 200, headers: { 'Content-Type': 'text/event-stream', server: 'nginx' }, steps: [{ sleep: 15000 }] }));
    const r = await runCli([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '3s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(r.report!.diagnoses.find((x) => x.code === 'STREAM_STALLED')!.owner).toBe('gateway');
  });
});

describe('joins', () => {
  it('NODE_EXTRA_CA_CERTS names a file of garbage: the untrusted-chain diagnosis says it holds no PEM certificate', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const f = join(tmp, 'garbage.pem');
    writeFileSync(f, 'this is not a certificate\n-----BEGIN NOTHING-----\nxx\n');
    const r = await runCli([`https://localhost:${s.port}/v1`, '--resolve', `localhost:${s.port}:127.0.0.1`, '--json', '--timeout', '3s'], { env: cleanEnv({ NODE_EXTRA_CA_CERTS: f }) });
    const d = d0(r.report!);
    expect(d.code).toBe('TLS_UNTRUSTED_CA');
    expect(d.evidence.join('\n')).toContain(`NODE_EXTRA_CA_CERTS names ${f}, which holds no PEM certificate`);
    expect(d.details.caEnvBroken).toEqual([{ variable: 'NODE_EXTRA_CA_CERTS', path: f, problem: 'empty' }]);
  });

  it('a key with a trailing CRLF that the server accepts: the run passes, API_KEY_FORMAT still warns', async () => {
    const api = await keep(startOpenAiCompatible({}));
    const r = await runCli([`${api.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '3s'], { env: cleanEnv({ OPENAI_API_KEY: `${KEY}\r\n` }) });
    expect(stageOf(r.report!, 'http').status).toBe('pass');
    const d = r.report!.diagnoses.find((x) => x.code === 'API_KEY_FORMAT')!;
    expect(d).toMatchObject({ severity: 'warning', owner: 'you', retry: 'no' });
    expect(d.evidence.join('\n')).toMatch(/line break/);
    expect(r.stdout).not.toContain(KEY);
  });
});

describe('--gateway pointed at a provider\'s own name', () => {
  it('what it finds describes the provider\'s edge (owner provider), not a gateway of the user\'s', async () => {
    const s = await keep(startScriptServer({ status: 200, headers: { 'Content-Type': 'application/json' }, framing: 'length', steps: [{ send: '{"ok":true}' }], tls: providerLeaf() }));
    const r = await runCli(['https://api.openai.com/v1', '--connect-to', `api.openai.com:443:127.0.0.1:${s.port}`, '--ca', TEST_CA_PATH, '--gateway', '--timeout', '3s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const hdr = r.report!.diagnoses.find((d) => d.code === 'SECURITY_HEADERS_MISSING' || d.code === 'HSTS_MISSING')!;
    expect(hdr).toBeDefined();
    expect(hdr).toMatchObject({ owner: 'provider', origin: 'provider-edge' });
  });
});
