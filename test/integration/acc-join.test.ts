/**
 * Join what the stages already know (issue 11, item 4), against real servers on loopback:
 * - an untrusted chain while NODE_EXTRA_CA_CERTS or SSL_CERT_FILE names a missing or unusable
 *   file: the tls diagnosis says so, with a step to fix the variable;
 * - a key written with quotes, whitespace, a newline or a "Bearer " prefix: named in the auth
 *   refusal, and a warning even when the server takes the key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenFixture } from '../../fixtures/listen.js';
import { CERT_DIR, startTlsServer } from '../../fixtures/tls-server.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();
const tmp = mkdtempSync(join(tmpdir(), 'ud-acc-join-'));

function diagnoseTls(port: number, env: Record<string, string>, host = 'localhost') {
  return runCli([`https://${host}:${port}/v1`, '--resolve', `${host}:${port}:127.0.0.1`, '--json', '--timeout', '3s'], { env: cleanEnv(env) });
}

describe('an untrusted chain and a CA variable that names a broken file', () => {
  it('NODE_EXTRA_CA_CERTS names a file that does not exist: TLS_UNTRUSTED_CA says so and how to fix it', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const missing = join(tmp, 'corp-root-renamed.pem');
    const run = await diagnoseTls(s.port, { NODE_EXTRA_CA_CERTS: missing });
    expect(run.code).toBe(12);
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_UNTRUSTED_CA')!;
    expect(d.evidence.join('\n')).toContain(`NODE_EXTRA_CA_CERTS names ${missing}, which does not exist`);
    expect(d.details.caEnvBroken).toEqual([{ variable: 'NODE_EXTRA_CA_CERTS', path: missing, problem: 'missing' }]);
    expect(d.remediation[0]!.text).toMatch(/CA variable names a file that is missing or unreadable/);
  });

  it('SSL_CERT_FILE names a directory, on an intercepted public API name: TLS_INTERCEPTED says so', async () => {
    const s = await keep(startTlsServer({ cert: 'intercept' }));
    const run = await diagnoseTls(s.port, { SSL_CERT_FILE: tmp }, 'api.openai.com');
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_INTERCEPTED')!;
    expect(d.evidence.join('\n')).toContain(`SSL_CERT_FILE names ${tmp}, which is a directory`);
    expect(d.remediation.some((r) => /CA variable/.test(r.text))).toBe(true);
  });

  it('NODE_EXTRA_CA_CERTS names a DER file (no PEM certificate in it)', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const der = join(tmp, 'root.der');
    writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01]));
    const run = await diagnoseTls(s.port, { NODE_EXTRA_CA_CERTS: der });
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_UNTRUSTED_CA')!;
    expect(d.evidence.join('\n')).toContain('which holds no PEM certificate');
  });

  it('a readable bundle in NODE_EXTRA_CA_CERTS is not blamed', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const run = await diagnoseTls(s.port, { NODE_EXTRA_CA_CERTS: join(CERT_DIR, 'intercept-root.pem') });
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_UNTRUSTED_CA')!;
    expect(d.evidence.join('\n')).not.toContain('NODE_EXTRA_CA_CERTS names');
    expect(d.details.caEnvBroken).toBeUndefined();
    expect(d.remediation.some((r) => /CA variable/.test(r.text))).toBe(false);
  });
});

const GOOD = 'sk-acc-join-key-00000000abcd';

/** An OpenAI-compatible /v1/models that accepts exactly one key, or (lenient) any key once trimmed of spaces. */
async function startKeyServer(lenient = false) {
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const ok = lenient ? auth.replace(/^Bearer\s+/, '').trim() !== '' : auth === `Bearer ${GOOD}`;
    res.statusCode = ok ? 200 : 401;
    res.setHeader('content-type', 'application/json');
    res.end(ok ? '{"object":"list","data":[]}' : '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}');
  });
  return listenFixture(server, { host: '127.0.0.1' });
}

function diagnoseKey(port: number, env: Record<string, string>, extra: string[] = []) {
  return runCli([`http://127.0.0.1:${port}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '3s', ...extra], { env: cleanEnv(env) });
}

describe('a key written oddly', () => {
  it('quoted (from a .env file): the 401 names the quotes', async () => {
    const s = await keep(startKeyServer());
    const run = await diagnoseKey(s.port, { OPENAI_API_KEY: `"${GOOD}"` });
    expect(run.code).toBe(15);
    const d = run.report!.diagnoses.find((x) => x.code === 'AUTH_INVALID')!;
    expect(d.evidence.join('\n')).toMatch(/wrapped in quotes/);
    expect(d.details.keyShape).toEqual(['quoted']);
    expect(codesOf(run.report!)).toContain('API_KEY_FORMAT');
    expect(run.stdout).not.toContain(GOOD);
  });

  it('"Bearer " pasted in front: the 401 names the prefix', async () => {
    const s = await keep(startKeyServer());
    const run = await diagnoseKey(s.port, { OPENAI_API_KEY: `Bearer ${GOOD}` });
    expect(run.code).toBe(15);
    const d = run.report!.diagnoses.find((x) => x.code === 'AUTH_INVALID')!;
    expect(d.details.keyShape).toEqual(['bearer-prefix']);
    expect(d.evidence.join('\n')).toContain('Bearer Bearer');
  });

  it('a trailing newline (a secret made with echo | base64): accepted here, still a warning', async () => {
    const s = await keep(startKeyServer());
    const run = await diagnoseKey(s.port, { OPENAI_API_KEY: `${GOOD}\n` });
    expect(run.code).toBe(0);
    expect(run.report!.verdict).toBe('degraded');
    const d = run.report!.diagnoses.find((x) => x.code === 'API_KEY_FORMAT')!;
    expect(d.severity).toBe('warning');
    expect(d.details.issues).toEqual(['newline']);
    expect(stageOf(run.report!, 'http').status).toBe('pass');
    expect(JSON.stringify(run.report)).not.toContain(GOOD);
  });

  it('spaces around a key in a file read with --api-key-file, CRLF line end: whitespace and newline', async () => {
    const s = await keep(startKeyServer(true));
    const file = join(tmp, 'key.txt');
    writeFileSync(file, `  ${GOOD}\r\n`);
    const run = await diagnoseKey(s.port, {}, ['--api-key-file', file]);
    expect(run.code).toBe(0);
    const d = run.report!.diagnoses.find((x) => x.code === 'API_KEY_FORMAT')!;
    expect(d.details.issues).toEqual(['newline', 'whitespace']);
  });

  it('a clean key: no warning', async () => {
    const s = await keep(startKeyServer());
    const run = await diagnoseKey(s.port, { OPENAI_API_KEY: GOOD });
    expect(run.code).toBe(0);
    expect(codesOf(run.report!)).not.toContain('API_KEY_FORMAT');
  });
});

