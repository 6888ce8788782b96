/** A proxy that opens the tunnel (200) and then cuts it or answers with its own text. */
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyFixture } from '../../fixtures/proxy-servers.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

describe('tls inside a proxy tunnel that the proxy spoils', () => {
  let px: ProxyFixture | undefined;
  afterEach(async () => px?.close());

  it.each([
    [{ kind: 'established-then' as const, close: true as const }, 'TLS_HANDSHAKE_RESET'],
    [{ kind: 'established-then' as const, text: 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n<h1>Blocked by policy</h1>' }, 'TLS_PROTOCOL_ERROR'],
  ])('%j -> %s blamed on the forward proxy, exit 12', async (behaviour, code) => {
    px = await startProxy(behaviour);
    const run = await runCli(['https://api.test:8443/v1', '--proxy', `http://127.0.0.1:${px.port}`, '--json', '--timeout', '3s'], { env: cleanEnv() });
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code, origin: 'forward-proxy', owner: 'network' });
    expect(run.report!.target.via).toBe('proxy');
    expect(run.code).toBe(12);
  });
});
