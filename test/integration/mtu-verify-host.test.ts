/**
 * Issue 12, item 4: the MTU replay of a stalled request (it may carry the key) and the body ladder
 * verify the certificate for the target's own host or IP. For an IP target there is no SNI, and a
 * TLS socket over an existing stream then checked the certificate against "localhost": a server
 * whose certificate covers only localhost got the request for https://127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERT_DIR, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { listenFixture } from '../../fixtures/listen.js';
import type { Fixture } from '../../fixtures/types.js';
import { BODY_LADDER, type BodyProbePlan } from '../../src/net/mtu/body.js';
import { httpRequestBytes, type HttpProbeRequest } from '../../src/net/mtu/http.js';
import { runProbe, closeProbes } from '../../src/net/mtu/probes.js';

const ca = [readFileSync(TEST_CA_PATH, 'utf8')];
const pem = (n: string) => readFileSync(join(CERT_DIR, n), 'utf8');

interface Recording extends Fixture {
  requests: string[];
}
async function serve(cert: string, key: string): Promise<Recording> {
  const requests: string[] = [];
  const server: Server = createServer({ cert: pem(cert), key: pem(key) }, (req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    req.resume();
    res.end('{}');
  });
  return { ...(await listenFixture(server)), requests };
}

let namesOnly: Recording; // DNS:localhost, DNS:api.test; no IP address
let withIp: Recording; // also IP:127.0.0.1
beforeAll(async () => {
  namesOnly = await serve('ho-names-only.pem', 'ho-names-only-key.pem');
  withIp = await serve('valid.pem', 'valid-key.pem');
});
afterAll(async () => {
  await Promise.all([namesOnly?.close(), withIp?.close()]);
});

const request = (verifyHost: string, servername?: string): HttpProbeRequest => ({
  bytes: httpRequestBytes('GET', '/v1/models', verifyHost, { authorization: 'Bearer sk-replay-secret-0123456789' }),
  verifyHost,
  ...(servername ? { servername } : {}),
  ca,
});

async function replay(port: number, req: HttpProbeRequest) {
  const r = await runProbe('127.0.0.1', port, { kind: 'http-target', ...(req.servername ? { servername: req.servername } : {}), http: req }, performance.now() + 5000, new AbortController().signal, () => performance.now());
  closeProbes([r]);
  return r;
}

describe('the replay of a stalled request', () => {
  it('an IP target: a certificate that covers only names gets no request (and no key)', async () => {
    const r = await replay(namesOnly.port, request('127.0.0.1'));
    expect(r.trace.handshakeMs).toBeUndefined();
    expect(namesOnly.requests).toEqual([]);
  });
  it('an IP target whose certificate covers the IP gets it', async () => {
    const before = withIp.requests.length;
    const r = await replay(withIp.port, request('127.0.0.1'));
    expect(r.trace.handshakeMs).toBeDefined();
    expect(withIp.requests.length).toBe(before + 1);
  });
  it('a name target: verified for the name (SNI and identity agree)', async () => {
    const before = namesOnly.requests.length;
    await replay(namesOnly.port, request('api.test', 'api.test'));
    expect(namesOnly.requests.length).toBe(before + 1);
    const other = await replay(namesOnly.port, request('other.test', 'other.test'));
    expect(other.trace.handshakeMs).toBeUndefined();
    expect(namesOnly.requests.length).toBe(before + 1);
  });
});

describe('the request-body ladder', () => {
  const plan = (verifyHost: string): BodyProbePlan => ({ tls: true, verifyHost, ca, path: '/v1/chat/completions', hostHeader: verifyHost, headers: {} });
  it('an IP target: a certificate that covers only names gets no body', async () => {
    const before = namesOnly.requests.length;
    const r = await runProbe('127.0.0.1', namesOnly.port, { kind: 'body', body: { plan: plan('127.0.0.1'), size: BODY_LADDER[0] } }, performance.now() + 5000, new AbortController().signal, () => performance.now());
    closeProbes([r]);
    expect(r.trace.handshakeMs).toBeUndefined();
    expect(namesOnly.requests.length).toBe(before);
  });
});
