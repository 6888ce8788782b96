/**
 * Held-out MTU lab: a differently built network (fixtures/mtulab/variants.ts: four namespaces,
 * the constriction two hops from the sender, the ICMP filter on the constricting router or on
 * another one), other route MTUs (1420, 1400, 1380, 576), other servers (nginx TLS 1.3 with
 * ssl_reject_handshake, nginx TLS 1.2, openssl s_server), a flight just under / just over the path,
 * the server's tcp_mtu_probing, a download stall after a good handshake, and controls that must
 * never be called a blackhole (PMTUD working, an SNI filter, a slow upstream, a tarpit, random loss).
 * Needs root and a built CLI (dist/, `npm test` builds; HELDOUT_MTU_BIN may point at another build).
 * Nothing leaves the lab's namespaces: every target is pinned with --resolve.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_PORTS, labAvailable } from '../../fixtures/mtulab/lab.js';
import { startVariantLab, VARIANT_PORTS, type VariantLab, type VariantSpec } from '../../fixtures/mtulab/variants.js';
import type { Diagnosis, Report } from '../../src/report.js';
import { acquireLabLock, LAB_BUILT, LAB_CLI, labCliArgv, labPrefix, parseLabRun } from '../helpers/mtu-lab.js';

const BIN = process.env.HELDOUT_MTU_BIN ?? LAB_CLI;
const BUILT = process.env.HELDOUT_MTU_BIN ?? LAB_BUILT;
const avail = await labAvailable();
const nginx = existsSync('/usr/sbin/nginx') || existsSync('/usr/bin/nginx');
const skipReason = !avail.ok ? avail.reason : !nginx ? 'nginx is not installed' : !existsSync(BUILT) ? 'the CLI is not built (npx tsc -p .)' : undefined;
if (skipReason) console.warn(`held-out mtu lab skipped: ${skipReason}`);

const KEY = 'sk-heldoutmtu0123456789abcdefSECRET';

interface Run {
  code: number;
  out: string;
  report: Report;
  mtu?: Diagnosis;
  verdict: { kind?: string; direction?: string; confidence?: string };
}

describe.skipIf(skipReason !== undefined)('held-out MTU lab (two routers, nginx, s_server, other MTUs)', () => {
  let release: (() => Promise<void>) | undefined;
  let lab: VariantLab | undefined;
  const prefix = labPrefix('hm');

  beforeAll(async () => {
    release = await acquireLabLock();
    lab = await startVariantLab(prefix, { dir: 'none', icmpDrop: 'none' });
  }, 600_000);
  afterAll(async () => {
    await lab?.close();
    await release?.();
  }, 30_000);

  async function diagnose(v: VariantSpec, host: string, port: number, extra: string[] = []): Promise<Run> {
    await lab!.set(v);
    const r = await lab!.execInClient(['env', `OPENAI_API_KEY=${KEY}`, ...labCliArgv(BIN, host, port, lab!.certs.caFile, extra)], 90_000);
    const { report, mtu, mtuData } = parseLabRun(r);
    return { code: r.code, out: r.stdout + r.stderr, report, mtu, verdict: (mtuData.verdict ?? {}) as Run['verdict'] };
  }
  const codes = (r: Run) => r.report.diagnoses.map((d) => d.code);

  it.each<[string, VariantSpec, string, number]>([
    ['route MTU 1420 (WireGuard-like), ICMP dropped by the other router, Node server', { dir: 's2c', mtu: 1420, icmpDrop: 'other' }, 'big.mtulab.test', LAB_PORTS.tls],
    ['route MTU 1280, nginx TLS 1.2 only, the big chain as its only certificate', { dir: 's2c', icmpDrop: 'other' }, 'big.mtulab.test', VARIANT_PORTS.nginx12],
    ['route MTU 1280, openssl s_server (one connection at a time)', { dir: 's2c', icmpDrop: 'same' }, 'big.mtulab.test', VARIANT_PORTS.sserver],
    ['route MTU 576, not even the tail of the flight fits', { dir: 's2c', mtu: 576, icmpDrop: 'other' }, 'big.mtulab.test', LAB_PORTS.tls],
    ['a certificate flight of one segment just over a 1280 path', { dir: 's2c', icmpDrop: 'other' }, 'nofit.mtulab.test', VARIANT_PORTS.nginx],
  ])('server-to-client: %s -> blackhole, root cause of the TLS stall, exit 14', async (_n, v, host, port) => {
    const run = await diagnose(v, host, port);
    expect(run.code).toBe(14);
    expect(run.report.rootCause).toBe('MTU_BLACKHOLE_SUSPECTED');
    expect(run.mtu!.details).toMatchObject({ direction: 'server-to-client' });
    expect(run.mtu!.explains).toEqual(['TLS_HANDSHAKE_TIMEOUT']);
    expect(run.mtu!.origin).toBe('network');
    // A reply spanning several packets does not measure the path MTU: no bracket is claimed.
    expect(run.mtu!.details.pathMtuRange).toBeNull();
  });

  it('nginx TLS 1.3 with ssl_reject_handshake, both directions at 1400: both, with the bracket around 1400', async () => {
    const run = await diagnose({ dir: 'both', mtu: 1400, icmpDrop: 'same' }, 'big.mtulab.test', VARIANT_PORTS.nginx);
    expect(run.code).toBe(14);
    expect(run.mtu!.details).toMatchObject({ direction: 'both', confidence: 'high', largestWorkingBytes: 1300, smallestFailingBytes: 1400 });
    const [low, high] = run.mtu!.details.pathMtuRange as [number, number];
    expect(low).toBeLessThanOrEqual(1400);
    expect(high).toBeGreaterThanOrEqual(1400);
  });

  it.each<[number, number, number]>([
    [1380, 1300, 1400],
    [576, 500, 700],
  ])('client-to-server at route MTU %d (--mtu, a normal handshake works): bracketed by %d / %d', async (mtu, ok, lost) => {
    const run = await diagnose({ dir: 'c2s', mtu, icmpDrop: 'other' }, 'big.mtulab.test', LAB_PORTS.tls, ['--mtu']);
    expect(run.code).toBe(14);
    expect(run.mtu!.details).toMatchObject({ direction: 'client-to-server', confidence: 'high', largestWorkingBytes: ok, smallestFailingBytes: lost });
    const [low, high] = run.mtu!.details.pathMtuRange as [number, number];
    expect(low).toBeLessThanOrEqual(mtu);
    expect(high).toBeGreaterThanOrEqual(mtu);
  });

  it('download stall: the handshake fits, the large /models answer does not -> blackhole explains HEADERS_TIMEOUT; the key never shows', async () => {
    const run = await diagnose({ dir: 's2c', icmpDrop: 'other' }, 'dl.mtulab.test', VARIANT_PORTS.nginx, ['--provider', 'openai-compatible']);
    expect(run.code).toBe(14);
    expect(run.report.rootCause).toBe('MTU_BLACKHOLE_SUSPECTED');
    expect(run.mtu!.explains).toEqual(['HEADERS_TIMEOUT']);
    expect(run.mtu!.details).toMatchObject({ direction: 'server-to-client', confidence: 'high' });
    expect(run.mtu!.evidence.join('\n')).toMatch(/rcv_ooopack/);
    expect(run.out).not.toContain(KEY);
    expect(run.out).not.toContain('SECRET');
  });

  it('the server heals itself with tcp_mtu_probing=1: still a blackhole, and the evidence says the handshake got through late', async () => {
    const run = await diagnose({ dir: 's2c', icmpDrop: 'other', serverProbing: 1 }, 'big.mtulab.test', VARIANT_PORTS.nginx, ['--mtu', '--timeout', '8s']);
    expect(run.report.stages.find((s) => s.id === 'tls')?.status).toBe('pass');
    expect(run.code).toBe(14);
    expect(run.mtu!.details).toMatchObject({ direction: 'server-to-client' });
    expect(run.mtu!.evidence.join('\n')).toMatch(/only after \d+ ms/);
  });

  it('a flight just under a 1280 path: no MTU problem', async () => {
    const run = await diagnose({ dir: 's2c', icmpDrop: 'other' }, 'fit.mtulab.test', VARIANT_PORTS.nginx, ['--mtu']);
    expect(run.code).toBe(0);
    expect(run.mtu).toBeUndefined();
    expect(run.verdict.kind).toBe('no-problem');
  });

  it('control: ICMP allowed on a two-router path, download endpoint -> PMTU discovery works', async () => {
    const run = await diagnose({ dir: 'both', icmpDrop: 'none' }, 'dl.mtulab.test', VARIANT_PORTS.nginx, ['--mtu', '--provider', 'openai-compatible']);
    expect(run.code).toBe(0);
    expect(run.mtu).toBeUndefined();
    expect(run.verdict.kind).toBe('pmtud-works');
  });

  it('an SNI filter (a firewall dropping the hello that names the host) is not an MTU blackhole, and is named', async () => {
    const run = await diagnose({ dir: 'none', icmpDrop: 'none', dropString: 'big.mtulab.test' }, 'big.mtulab.test', VARIANT_PORTS.nginx);
    expect(run.mtu).toBeUndefined();
    expect(run.code).toBe(12);
    expect(run.report.rootCause).toBe('SNI_FILTER_SUSPECTED');
    expect(codes(run)).toContain('TLS_HANDSHAKE_TIMEOUT');
  });

  it('a slow upstream behind nginx (request acked, silence, nothing lost) is not an MTU problem', async () => {
    const run = await diagnose({ dir: 's2c', icmpDrop: 'other' }, 'slow.mtulab.test', VARIANT_PORTS.nginx, ['--provider', 'openai-compatible']);
    expect(run.mtu).toBeUndefined();
    expect(run.report.rootCause).toBe('HEADERS_TIMEOUT');
    expect(codes(run)).toContain('MTU_RULED_OUT');
    expect(run.verdict.kind).toBe('unresponsive');
    expect(run.out).not.toContain(KEY);
  });

  it('a tarpit behind two routers with both directions blackholed is still "unresponsive", not MTU', async () => {
    const run = await diagnose({ dir: 'both', icmpDrop: 'other' }, 'big.mtulab.test', LAB_PORTS.tarpit);
    expect(run.mtu).toBeUndefined();
    expect(run.code).toBe(12);
    expect(run.verdict.kind).toBe('unresponsive');
  });

  it('random loss of 10 % and 50 % (no MTU limit) is never an MTU verdict', async () => {
    for (const [loss, host, port] of [[10, 'big.mtulab.test', LAB_PORTS.tls], [50, 'big.mtulab.test', VARIANT_PORTS.nginx], [30, 'dl.mtulab.test', VARIANT_PORTS.nginx]] as const) {
      const run = await diagnose({ dir: 'none', icmpDrop: 'none', lossPercent: loss }, host, port, ['--mtu', '--provider', 'openai-compatible']);
      expect(run.mtu, `loss ${loss} %`).toBeUndefined();
      expect(run.report.rootCause ?? '').not.toBe('MTU_BLACKHOLE_SUSPECTED');
      expect(run.code).not.toBe(3);
    }
  }, 120_000);
});
