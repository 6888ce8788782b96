/**
 * The servers a --compare-direct test needs, started once per file: a TLS upstream, a proxy that
 * tunnels `api.test` to it, and a proxy that refuses (as squid does, with X-Squid-Error).
 */
import { afterAll, beforeAll } from 'vitest';
import { startProxy, type ProxyFixture } from '../../fixtures/proxy-servers.js';
import { startTlsServer, type TlsFixture } from '../../fixtures/tls-server.js';

export interface CompareFixtures {
  upstream: TlsFixture;
  allow: ProxyFixture;
  deny: ProxyFixture;
}

/** Registers the start and the teardown; the fields are filled once beforeAll has run. */
export function useCompareFixtures(): CompareFixtures {
  const f = {} as CompareFixtures;
  beforeAll(async () => {
    f.upstream = await startTlsServer();
    f.allow = await startProxy({ kind: 'allow', hosts: { 'api.test': '127.0.0.1' } });
    f.deny = await startProxy({ kind: 'deny', headers: { 'X-Squid-Error': 'ERR_ACCESS_DENIED 0' } });
  });
  afterAll(async () => {
    await Promise.all([f.upstream?.close(), f.allow?.close(), f.deny?.close()]);
  });
  return f;
}
