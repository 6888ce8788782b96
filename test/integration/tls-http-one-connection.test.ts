/**
 * One connection for the whole path, as curl uses one: the tls stage handshakes on the connection
 * the tcp stage opened, and the http stage sends its request on the one the tls stage verified
 * (three round trips fewer to a distant API than a connection per stage). A retry after a reset
 * opens a new connection, and so does a chain the anchor check leaves to OpenSSL; a handshake that
 * failed, or an http stage that does not run, leaves no connection open. Real servers on 127.0.0.1, the CLI in-process.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { startProxy } from '../../fixtures/proxy-servers.js';
import type { TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { runCli, stageOf } from '../helpers/cli.js';

const servers: Array<{ close(): void }> = [];
afterAll(() => {
  for (const s of servers) s.close();
});

interface Counted {
  port: number;
  /** TCP connections accepted. */
  tcp: number;
  /** TLS connections that completed a handshake. */
  secure: number;
  /** Requests by the index of the TLS connection they came on. */
  requestsOn: number[];
  /** TLS connections still open. */
  open(): number;
}

/** An https server that counts its TLS connections and answers /v1/models; `first` may answer a connection's first request instead. */
async function counted(first?: (sock: TLSSocket, index: number) => boolean, opts: { dropFirstConnection?: boolean } = {}): Promise<Counted> {
  const seen = new Map<TLSSocket, number>();
  const open = new Set<TLSSocket>();
  const c: Counted = { port: 0, tcp: 0, secure: 0, requestsOn: [], open: () => open.size };
  const server: Server = createHttpsServer({ ...loadCert('valid'), ALPNProtocols: ['http/1.1'] }, (req, res) => {
    const sock = req.socket as TLSSocket;
    const index = seen.get(sock)!;
    const firstHere = !c.requestsOn.includes(index);
    c.requestsOn.push(index);
    if (firstHere && first?.(sock, index)) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [] }));
  });
  server.on('secureConnection', (sock: TLSSocket) => {
    seen.set(sock, c.secure++);
    open.add(sock);
    sock.on('close', () => open.delete(sock));
  });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (sock: import('node:net').Socket) => {
    c.tcp++;
    if (opts.dropFirstConnection && c.tcp === 1) sock.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.port = (server.address() as { port: number }).port;
  servers.push({ close: () => server.close() });
  return c;
}

const run = (port: number, extra: string[] = []) =>
  runCli([`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, '--provider', 'openai-compatible', '--json', '--timeout', '5s', ...extra]);

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('one connection from the tcp stage to the http stage', () => {
  it('a healthy run makes one connection: the tcp stage opens it, the tls stage verifies it, the request goes on it', async () => {
    const srv = await counted();
    const r = (await run(srv.port, ['--ca', TEST_CA_PATH])).report!;
    const tls = stageOf(r, 'tls').data as { timings: { connect: number; handshake: number; handshakeClient: number } };
    const http = stageOf(r, 'http').data as { status: number; tlsStageConnection?: boolean; fresh: boolean; attempts: number; timings: Record<string, number> };
    expect(stageOf(r, 'tls').status).toBe('pass');
    expect(http.status).toBe(200);
    expect(http.tlsStageConnection).toBe(true);
    expect(http.fresh).toBe(true);
    expect(srv.tcp).toBe(1);
    expect(srv.secure).toBe(1);
    expect(srv.requestsOn).toEqual([0]);
    expect(stageOf(r, 'tls').data.tcpStageConnection).toBe(true);
    // Verified without Node's root store (anchor-check.ts): the --ca root signed the leaf.
    expect(stageOf(r, 'tls').data.trustCheck).toEqual({ by: 'anchor-check' });
    expect(tls.timings.connect).toBe((stageOf(r, 'tcp').data as { timings: { connect: number } }).timings.connect);
    expect(http.timings.connect).toBe(tls.timings.connect);
    expect(http.timings.tls).toBeCloseTo(tls.timings.handshake + tls.timings.handshakeClient, 1);
    expect(http.timings.total).toBeGreaterThanOrEqual(http.timings.connect + http.timings.tls);
    await settle();
    expect(srv.open()).toBe(0);
  });

  it('a reset before headers on that connection is retried on a new one', async () => {
    // The first request of the first connection is answered by a reset; the rest are served.
    const srv = await counted((sock, index) => {
      if (index !== 0) return false;
      sock.destroy();
      return true;
    });
    const r = (await run(srv.port, ['--ca', TEST_CA_PATH])).report!;
    const http = stageOf(r, 'http').data as { status: number; tlsStageConnection?: boolean; attempts: number };
    expect(http.attempts).toBe(2);
    expect(http.status).toBe(200);
    expect(http.tlsStageConnection).toBeUndefined();
    expect(srv.tcp).toBe(2);
    expect(srv.secure).toBe(2);
    expect(srv.requestsOn).toEqual([0, 1]);
  });

  it('a chain that does not verify: the http stage does not run and no connection stays open', async () => {
    const srv = await counted();
    const r = (await run(srv.port)).report!;
    expect(stageOf(r, 'tls').status).toBe('fail');
    // The handshake without the root store (anchor-check.ts) cannot find the anchor: it is made
    // again on a second connection with the full store, whose verdict is the one reported.
    expect(srv.tcp).toBe(2);
    expect(stageOf(r, 'tls').data).toMatchObject({ verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', trustCheck: { by: 'openssl', firstHandshake: expect.stringMatching(/no issuer/) } });
    expect(stageOf(r, 'http').status).toBe('skip');
    expect(srv.requestsOn).toEqual([]);
    await settle();
    expect(srv.open()).toBe(0);
  });

  it('--http2: h2 is spoken on the tls stage connection', async () => {
    let secure = 0;
    const server = createSecureServer({ ...loadCert('valid'), allowHTTP1: true }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [], version: req.httpVersion }));
    });
    server.on('secureConnection', () => secure++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => server.close() });
    const port = (server.address() as { port: number }).port;
    const r = (await run(port, ['--ca', TEST_CA_PATH, '--http2'])).report!;
    const http = stageOf(r, 'http').data as { status: number; httpVersion: string; tlsStageConnection?: boolean };
    expect(stageOf(r, 'tls').data.alpn).toBe('h2');
    expect(http).toMatchObject({ status: 200, httpVersion: '2', tlsStageConnection: true });
    expect(secure).toBe(1);
  });

  it('a tcp stage connection the server dropped before a word: the tls stage asks again on a new one and passes', async () => {
    // The server closes the first connection it accepts (the tcp stage's) at once, as a server
    // that drops idle connections would; later ones are served.
    const srv = await counted(undefined, { dropFirstConnection: true });
    const r = (await run(srv.port, ['--ca', TEST_CA_PATH])).report!;
    expect(stageOf(r, 'tls').status).toBe('pass');
    expect(stageOf(r, 'tls').data.tcpStageConnection).toBeUndefined();
    expect(stageOf(r, 'http').data.status).toBe(200);
    expect(srv.tcp).toBe(2);
    expect(srv.secure).toBe(1);
  });

  it('plain http: the tcp stage closes its connection and the request opens its own (a dropped one would read as a reset)', async () => {
    let tcp = 0;
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [] }));
    });
    server.on('connection', () => tcp++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => server.close() });
    const port = (server.address() as { port: number }).port;
    const r = (await runCli([`http://127.0.0.1:${port}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '5s'])).report!;
    const http = stageOf(r, 'http').data as { status: number; timings: { connect: number } };
    expect(http.status).toBe(200);
    expect(tcp).toBe(2);
    expect(http.timings.connect).toBeGreaterThanOrEqual(0);
  });

  it('through a forward proxy each stage still opens its own connection to the proxy', async () => {
    const srv = await counted();
    const proxy = await startProxy({ kind: 'allow' });
    servers.push({ close: () => void proxy.close() });
    const r = (await run(srv.port, ['--ca', TEST_CA_PATH, '--proxy', proxy.url])).report!;
    expect(stageOf(r, 'proxy').status).toBe('pass');
    expect(stageOf(r, 'http').data.status).toBe(200);
    // The proxy stage's tunnel (CONNECT only), then the tls stage's, which the request then uses.
    expect(srv.tcp).toBe(2);
    expect(srv.secure).toBe(1);
    expect(srv.requestsOn).toEqual([0]);
  });
});
