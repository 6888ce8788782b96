/**
 * --gateway against servers that misbehave on purpose: one that answers the key check and then
 * hangs on everything else, WebSocket endpoints that answer the upgrade with a 200 page or never
 * answer it. The run must end within its budget, report what it saw, and claim nothing it did not.
 */
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAB_CA } from '../../fixtures/gateway-lab.js';
import { listenFixture } from '../../fixtures/listen.js';
import type { GatewaySection } from '../../src/net/gateway/section.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const track = closeAfterAll();
const certs = new URL('../../fixtures/certs/', import.meta.url).pathname;
const tlsOpts = { cert: readFileSync(`${certs}valid.pem`), key: readFileSync(`${certs}valid-key.pem`) };

function server(handler: Parameters<typeof createServer>[1], upgrade?: (req: unknown, socket: import('node:net').Socket) => void): Server {
  const s = createServer(tlsOpts, handler);
  if (upgrade) s.on('upgrade', upgrade);
  return s;
}

const gw = (url: string, extra: string[] = []) => runCli([url, '--ca', LAB_CA, '--json', '--timeout', '1s', '--gateway', '--http-port', '1', ...extra], { env: cleanEnv() });

describe('--gateway against hostile servers', () => {
  it('a server that answers the key check twice and then hangs on everything: bounded, no finding claimed from silence', async () => {
    let answered = 0;
    const f = await track(listenFixture(server((req, res) => {
      if (req.method === 'GET' && req.url === '/' && answered++ < 2) {
        res.writeHead(200, { 'content-type': 'application/json', 'strict-transport-security': 'max-age=1', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'content-security-policy': "default-src 'none'" });
        res.end('{}');
      } // everything else: never answered
      req.resume();
    }), { scheme: 'https' }));
    const run = await gw(f.url, ['--origin', 'https://a.example.test', '--burst', '50']);
    const g = run.report!.gateway as GatewaySection;
    expect(g.redirect).toMatchObject({ reply: { failure: 'refused' } });
    expect(g.body).toMatchObject({ rungs: [{ bytes: 65_536, result: 'cut', failure: 'timeout' }] });
    expect(g.cors).toMatchObject({ preflight: { reply: { failure: 'timeout' } } });
    // The burst stops at its first hung request instead of waiting out 50.
    const b = g.burst as { statuses: Record<string, number> };
    expect(b.statuses).toEqual({ none: 10 });
    const codes = run.report!.diagnoses.map((d) => d.code);
    for (const c of ['BODY_LIMIT_LOW', 'CORS_PREFLIGHT_REJECTED', 'RATE_LIMIT_WRONG_STATUS', 'REDIRECT_DROPS_METHOD']) expect(codes).not.toContain(c);
  }, 60_000);

  it('a WebSocket endpoint that answers the upgrade with a 200 page -> WEBSOCKET_UPGRADE_FAILED naming the 200', async () => {
    const f = await track(listenFixture(server((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', server: 'some-cdn' });
      res.end('<html>hello</html>');
    }), { scheme: 'https' }));
    const run = await gw(f.url.replace('https://', 'wss://') + '/realtime', ['--provider', 'generic']);
    const g = run.report!.gateway as GatewaySection;
    expect(g.websocket).toMatchObject({ outcome: 'refused', status: 200, headers: { server: 'some-cdn' } });
    expect(run.report!.diagnoses.find((d) => d.code === 'WEBSOCKET_UPGRADE_FAILED')!.evidence[0]).toMatch(/answered 200 by some-cdn instead of 101/);
    expect(run.code).toBe(17);
  });

  it('a WebSocket endpoint that never answers the upgrade -> WEBSOCKET_UPGRADE_FAILED (no answer), bounded by --timeout', async () => {
    const f = await track(listenFixture(server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    }, () => undefined), { scheme: 'https' }));
    const run = await gw(f.url.replace('https://', 'wss://') + '/ws', ['--provider', 'generic']);
    const g = run.report!.gateway as GatewaySection;
    expect(g.websocket).toMatchObject({ outcome: 'failed' });
    expect(run.report!.diagnoses.map((d) => d.code)).toContain('WEBSOCKET_UPGRADE_FAILED');
  });
});
