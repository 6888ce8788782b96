/** Handshake failures inside a CONNECT tunnel point at the proxy; the same failures direct do not. */
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/diagnose/tls/failure.js';
import type { HandshakeFacts } from '../../src/net/tls/probe.js';

const closed: HandshakeFacts = { kind: 'closed', ms: 3, bytesWritten: 517, bytesRead: 0 };
const reset: HandshakeFacts = { kind: 'reset', code: 'ECONNRESET', ms: 3, bytesWritten: 517, bytesRead: 0 };
const page: HandshakeFacts = { kind: 'not-tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER', ms: 3, bytesWritten: 517, bytesRead: 300, head: 'HTTP/1.1 403 Forbidden\r\nServer: proxy\r\n' };

describe('tls failures through a proxy tunnel', () => {
  it.each([
    ['closed', closed, 'TLS_HANDSHAKE_RESET'],
    ['reset', reset, 'TLS_HANDSHAKE_RESET'],
    ['an HTTP page', page, 'TLS_PROTOCOL_ERROR'],
  ])('%s inside the tunnel: origin forward-proxy, owner network, how to confirm', (_name, h, code) => {
    const f = describeFailure(h, true);
    expect(f).toMatchObject({ code, origin: 'forward-proxy', owner: 'network' });
    expect(f.evidence.join('\n')).toMatch(/through the proxy tunnel/);
    expect(f.evidence[f.evidence.length - 1]).toMatch(/--compare-direct/);
  });

  it.each([
    ['closed', closed],
    ['reset', reset],
    ['an HTTP page', page],
  ])('%s on a direct connection keeps the catalogue defaults', (_name, h) => {
    const f = describeFailure(h, false);
    expect(f.origin === 'forward-proxy').toBe(false);
    expect(f.evidence.join('\n')).not.toMatch(/compare-direct/);
  });
});
