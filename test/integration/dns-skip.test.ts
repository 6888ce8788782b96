/** The dns stage without any lookup: IP literals and --resolve pins (in-process, loopback only). */
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

describe('dns stage skips DNS when it must', () => {
  it('an IP literal needs no lookup', async () => {
    const run = await runCli(['https://127.0.0.1:9/v1', '--json', '--timeout', '2s'], { env: cleanEnv() });
    const dns = stageOf(run.report!, 'dns');
    expect(dns.status).toBe('pass');
    expect(dns.data).toMatchObject({ source: 'literal', skipped: 'ip-literal', addresses: [{ address: '127.0.0.1', family: 4, class: 'loopback' }] });
    expect(dns.data.queries).toBeUndefined();
    expect(run.report!.diagnoses.filter((d) => d.stage === 'dns')).toEqual([]);
  });

  it('an IPv6 literal too', async () => {
    const run = await runCli(['http://[::1]:9/', '--json', '--timeout', '2s'], { env: cleanEnv() });
    expect(stageOf(run.report!, 'dns').data).toMatchObject({ source: 'literal', addresses: [{ address: '::1', family: 6 }] });
  });

  it('--resolve skips DNS for that host and port, says so, and does not warn about a private pin', async () => {
    const run = await runCli(['https://api.openai.com/v1', '--resolve', 'api.openai.com:443:127.0.0.1', '--json', '--timeout', '2s'], { env: cleanEnv() });
    const dns = stageOf(run.report!, 'dns');
    expect(dns.status).toBe('pass');
    expect(dns.summary).toMatch(/skipped by --resolve/);
    expect(dns.data).toMatchObject({ source: 'pin', skipped: '--resolve', addresses: [{ address: '127.0.0.1', class: 'loopback' }] });
    expect(run.report!.diagnoses.filter((d) => d.stage === 'dns')).toEqual([]);
  });

  it('a wildcard pin with several addresses keeps their order', async () => {
    const run = await runCli(['api.anthropic.com:8443', '--resolve', '*:8443:127.0.0.2,[::1]', '--json', '--timeout', '2s'], { env: cleanEnv() });
    const dns = stageOf(run.report!, 'dns');
    expect((dns.data.addresses as Array<{ address: string }>).map((a) => a.address)).toEqual(['127.0.0.2', '::1']);
  });
});

describe('dns stage behind a forward proxy', () => {
  it('resolves the proxy, the first hop, and says so', async () => {
    // The target is pinned too, so nothing in the run could ever ask the machine's resolver about it.
    const run = await runCli(['https://api.openai.com/v1', '--resolve', 'api.openai.com:443:127.0.0.1', '--json', '--timeout', '2s'], {
      env: cleanEnv({ HTTPS_PROXY: 'http://127.0.0.1:9' }),
    });
    const dns = stageOf(run.report!, 'dns');
    expect(dns.data).toMatchObject({ hop: { host: '127.0.0.1', port: 9, kind: 'proxy' }, source: 'literal' });
  });
});
