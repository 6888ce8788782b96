/**
 * The benchmark's own hostile servers do what the bench says they do (so a fast "pass" in the
 * bench cannot come from a server that quietly behaves), and its child runner measures the built
 * CLI. Everything on 127.0.0.1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runChild } from '../../bench/child.js';
import { HUGE_BODY_BYTES, startHeaderFlood, startHugeBody, startSlowBody, startSlowLoris, startTlsDrip, startTlsFront } from '../../bench/servers.js';
import { startOpenAiCompatible, type HttpFixture } from '../../fixtures/http-api.js';
import { startBlackhole } from '../../fixtures/tcp-servers.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Fixture } from '../../fixtures/types.js';

const REQUEST = 'GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';

/** Send `send` (if any) and collect what comes back until `enough` says so or `maxMs` passes. */
function collect(port: number, send: string | undefined, enough: (b: Buffer) => boolean, maxMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const s = connect(port, '127.0.0.1', () => send && s.write(send));
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, maxMs);
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (enough(Buffer.concat(chunks, size))) done();
    });
    s.on('error', reject);
  });
}

describe('bench servers', () => {
  const open: Fixture[] = [];
  afterAll(async () => {
    for (const f of open) await f.close();
  });
  const keep = <T extends Fixture>(f: T) => {
    open.push(f);
    return f;
  };

  it('slow-loris: a status line, then header bytes that never end the head', async () => {
    const srv = keep(await startSlowLoris(20));
    const got = (await collect(srv.port, REQUEST, () => false, 400)).toString('latin1');
    expect(got.startsWith('HTTP/1.1 200 OK\r\nx-slow: a')).toBe(true);
    expect(got).not.toContain('\r\n\r\n');
  });

  it('header flood: far more header than any client holds, never the end of the head', async () => {
    const srv = keep(await startHeaderFlood());
    const got = await collect(srv.port, REQUEST, (b) => b.length > 256 * 1024, 10_000);
    expect(got.length).toBeGreaterThan(256 * 1024);
    expect(got.toString('latin1')).not.toContain('\r\n\r\n');
  });

  it('huge body: announces 1 GiB and sends only as fast as it is read', async () => {
    const srv = keep(await startHugeBody());
    const got = await collect(srv.port, REQUEST, (b) => b.length > 4 << 20, 10_000);
    expect(got.toString('latin1')).toContain(`content-length: ${HUGE_BODY_BYTES}\r\n\r\nxxxx`);
    expect(got.length).toBeGreaterThan(4 << 20);
    expect(srv.bytesSent()).toBeLessThan(HUGE_BODY_BYTES);
  });

  it('slow body: a whole head announcing 1 MiB, then a dribble', async () => {
    const srv = keep(await startSlowBody(20));
    const got = (await collect(srv.port, REQUEST, () => false, 300)).toString('latin1');
    const [head, body] = got.split('\r\n\r\n');
    expect(head).toContain('content-length: 1048576');
    expect(body!.length).toBeGreaterThan(1);
    expect(body!.length).toBeLessThan(1000);
  });

  it('TLS drip: the header of a handshake record, then single bytes', async () => {
    const srv = keep(await startTlsDrip(20));
    const got = await collect(srv.port, undefined, () => false, 300);
    expect([...got.subarray(0, 5)]).toEqual([0x16, 0x03, 0x03, 0x40, 0x00]);
    expect(got.length).toBeGreaterThan(5);
  });

  describe('TLS front', () => {
    let api: HttpFixture;
    let front: Fixture;
    beforeAll(async () => {
      api = await startOpenAiCompatible({ key: 'sk-front-0000' });
      front = keep(await startTlsFront(loadCert('valid'), api.port));
    });
    afterAll(() => api.close());

    it('terminates TLS for localhost (test CA) and passes the request to the API', async () => {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', servername: 'localhost', port: front.port, path: '/v1/models', ca: readFileSync(TEST_CA_PATH), headers: { authorization: 'Bearer sk-front-0000' } },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(JSON.parse(body).data[0].id).toBe('test-model');
      expect(api.requests.at(-1)?.path).toBe('/v1/models');
      expect(front.url).toBe(`https://localhost:${front.port}`);
    });
  });
});

// The child runner spawns the built CLI: `npm test` builds first; a bare vitest run may not have.
describe.skipIf(!existsSync(`${ROOT}/dist/cli.js`))('runChild measures the built CLI', () => {
  it('--version: exit 0, the version, and a peak RSS read from /proc', async () => {
    expect(BIN).toBe(`${ROOT}/bin/diagnose.js`);
    const run = await runChild(['--version'], { env: { PATH: process.env.PATH }, hardLimitMs: 30_000 });
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
    expect(run.killed).toBe(false);
    expect(run.samples).toBeGreaterThan(0);
    expect(run.peakRssKb).toBeGreaterThan(10 * 1024);
    expect(run.lastOutputMs).toBeGreaterThan(0);
    expect(run.wallMs).toBeGreaterThanOrEqual(run.lastOutputMs);
  });

  it('the memory reading is not blind: a child that fills 200 MB shows a peak above it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ud-bench-'));
    try {
      const script = join(dir, 'fill.mjs');
      // Touch every page (fill), hold it a moment so a poll sees it, then exit.
      writeFileSync(script, 'const b = Buffer.alloc(200 * 1024 * 1024, 1); setTimeout(() => console.log(b[0] + b[b.length - 1]), 100);\n');
      const run = await runChild([], { env: { PATH: process.env.PATH }, hardLimitMs: 30_000, script });
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe('2');
      expect(run.peakRssKb).toBeGreaterThan(200 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a child that outlives its hard limit is killed and says so', async () => {
    // A blackhole with a 60 s budget keeps the CLI waiting far past the 1.5 s limit.
    const hole = await startBlackhole();
    try {
      const run = await runChild([`https://127.0.0.1:${hole.port}`, '--json', '--timeout', '60s'], { env: { PATH: process.env.PATH }, hardLimitMs: 1500 });
      expect(run.killed).toBe(true);
      expect(run.code).toBeNull();
      expect(run.signal).toBe('SIGKILL');
    } finally {
      await hole.close();
    }
  });
});
