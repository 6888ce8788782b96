import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxPath, startNginx, type NginxFixture } from '../../fixtures/nginx.js';

// The harness itself: a real nginx proxies to a loopback upstream, and reports a real 502 when
// the upstream is gone.
describe.skipIf(!nginxPath())('nginx fixture harness', () => {
  let upstream: Server;
  let upstreamPort = 0;
  let nginx: NginxFixture;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('hello from upstream'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as { port: number }).port;
    nginx = await startNginx({ server: `location / { proxy_pass http://127.0.0.1:${upstreamPort}; }` });
  });
  afterAll(async () => {
    await nginx?.close();
    upstream?.close();
  });

  it('proxies to the upstream', async () => {
    const res = await fetch(nginx.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('server')).toMatch(/^nginx/);
    expect(await res.text()).toBe('hello from upstream');
  });

  it('answers 502 with its own page when the upstream is down', async () => {
    await new Promise<void>((r) => upstream.close(() => r()));
    const res = await fetch(nginx.url);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('<center>nginx');
    expect(await nginx.errorLog()).toMatch(/connect\(\) failed/);
  });
});
