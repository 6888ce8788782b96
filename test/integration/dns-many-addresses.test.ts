/**
 * Issue 12, item 13: a resolver answering with hundreds of addresses. The tcp stage tries at most
 * 8 per family, in the resolver's order, and says how many were not tried.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const V4 = Array.from({ length: 300 }, (_, i) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`);
const V6 = Array.from({ length: 200 }, (_, i) => `::ffff:127.2.${Math.floor(i / 250)}.${(i % 250) + 1}`);
let dns: DnsFixture;
let listener: Server;
let port: number;

beforeAll(async () => {
  dns = await startDnsServer({ names: { 'many.test': { kind: 'truncate', a: ['127.0.0.1', ...V4], aaaa: V6 } } });
  // Only 127.0.0.1 listens; the other addresses refuse at once.
  listener = createServer((s) => s.destroy());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as { port: number }).port;
});
afterAll(async () => {
  await dns?.close();
  listener?.close();
});

describe('hundreds of addresses', () => {
  it('at most 8 per family are tried, the rest are counted as not tried', async () => {
    const run = await runCli([`http://many.test:${port}/`, '--resolver', `127.0.0.1:${dns.port}`, '--json', '--timeout', '5s'], { env: cleanEnv() });
    const report = run.report!;
    const dnsStage = stageOf(report, 'dns').data as { addresses: unknown[] };
    expect(dnsStage.addresses.length).toBe(501);
    const tcp = stageOf(report, 'tcp');
    const data = tcp.data as { attempts: { address: string }[]; notTried: { count: number; v4: number; v6: number; limitPerFamily: number } };
    const v4 = data.attempts.filter((a) => !a.address.includes(':'));
    const v6 = data.attempts.filter((a) => a.address.includes(':'));
    expect(v4.length).toBeLessThanOrEqual(8);
    expect(v6.length).toBeLessThanOrEqual(8);
    expect(data.attempts.map((a) => a.address)).toContain('127.0.0.1');
    expect(data.notTried).toEqual({ count: 501 - data.attempts.length, v4: 301 - v4.length, v6: 200 - v6.length, limitPerFamily: 8 });
    expect(tcp.summary).toMatch(/IPv4 and \d+ IPv6 address\(es\) not tried \(at most 8 per family\)/);
    expect(run.code).not.toBe(3);
  });
});
