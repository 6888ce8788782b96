/** Proxy rules (what the proxy answered -> codes) and the CONNECT head parser: pure tables. */
import { describe, expect, it } from 'vitest';
import { authSchemes, bodyGist, judgeProxy, proxyIntermediary, type ProxyObservation } from '../../src/diagnose/proxy/rules.js';
import { toDiagnosis } from '../../src/diagnose/compose.js';
import { parseHead } from '../../src/net/http/head.js';
import { connectRequest } from '../../src/net/proxy/tunnel.js';

const answered = (status: number, statusText: string, raw: Array<[string, string]> = [], body?: string): ProxyObservation => {
  const head = parseHead(`HTTP/1.1 ${status} ${statusText}\r\n${raw.map(([k, v]) => `${k}: ${v}`).join('\r\n')}`)!;
  return { kind: 'answered', ...head, body, connectMs: 3.2, credentialsSent: false };
};

describe('judgeProxy', () => {
  const cases: Array<[name: string, o: ProxyObservation, code: string | undefined]> = [
    ['200 opens the tunnel', answered(200, 'Connection established'), undefined],
    ['407 wants credentials', answered(407, 'Proxy Authentication Required', [['Proxy-Authenticate', 'Basic realm="corp"']]), 'PROXY_AUTH_REQUIRED'],
    ['403 is a refusal', answered(403, 'Forbidden', [['X-Squid-Error', 'ERR_ACCESS_DENIED 0']]), 'PROXY_REFUSED'],
    ['502 is a refusal', answered(502, 'Bad Gateway'), 'PROXY_REFUSED'],
    ['a close before answering', { kind: 'closed', bytesRead: 0 }, 'PROXY_UNREACHABLE'],
    ['a reset', { kind: 'reset', code: 'ECONNRESET' }, 'PROXY_UNREACHABLE'],
    ['silence', { kind: 'timeout', afterMs: 2000 }, 'PROXY_UNREACHABLE'],
    ['not HTTP', { kind: 'not-http', message: 'x' }, 'PROXY_UNREACHABLE'],
    ['TLS to the proxy', { kind: 'proxy-tls-failed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'x' }, 'PROXY_UNREACHABLE'],
  ];
  it.each(cases)('%s', (_name, o, code) => {
    const v = judgeProxy(o, 'http://p:3128', 'api.openai.com:443');
    expect(v.ok).toBe(code === undefined);
    expect(v.findings.map((f) => f.code)).toEqual(code ? [code] : []);
    for (const f of v.findings) expect(toDiagnosis({ ...f, stage: 'proxy' }).title).not.toContain('TODO');
  });

  it('407 lists every scheme offered and says when credentials were refused', () => {
    const o = answered(407, 'Proxy Authentication Required', [
      ['Proxy-Authenticate', 'Negotiate'],
      ['Proxy-Authenticate', 'NTLM'],
      ['Proxy-Authenticate', 'Basic realm="Squid proxy", charset="UTF-8"'],
    ]);
    const f = judgeProxy({ ...o, credentialsSent: true } as ProxyObservation, 'http://p:3128', 't:443').findings[0]!;
    expect(f.details).toMatchObject({ schemes: ['Negotiate', 'NTLM', 'Basic'], credentialsSent: true, status: 407 });
    expect(f.evidence.join('\n')).toContain('refused');
    expect(toDiagnosis({ ...f, stage: 'proxy' }).remediation[0]!.text).toContain('Negotiate, NTLM, Basic');
  });

  it('a refusal carries the proxy\'s own explanation and names squid', () => {
    const o = answered(403, 'Forbidden', [['Server', 'squid/5.7'], ['X-Squid-Error', 'ERR_ACCESS_DENIED 0'], ['Via', '1.1 proxy (squid/5.7)']], '<html><title>ERROR: The requested URL could not be retrieved</title></html>');
    const f = judgeProxy(o, 'http://p:3128', 't:443').findings[0]!;
    expect(f.details).toMatchObject({ status: 403, intermediary: 'squid', squidError: 'ERR_ACCESS_DENIED 0', via: '1.1 proxy (squid/5.7)' });
    expect(f.evidence).toContain('X-Squid-Error: ERR_ACCESS_DENIED 0');
    expect(f.evidence.join('\n')).toContain('could not be retrieved');
    expect(f.retry).toBe('no');
  });

  it('a proxy that could not reach the upstream (503) is worth retrying', () => {
    expect(judgeProxy(answered(503, 'Service Unavailable'), 'p', 't').findings[0]!.retry).toBe('yes');
  });
});

describe('helpers', () => {
  it.each([
    [[['Proxy-Authenticate', 'Basic realm="a, b"']], ['Basic']],
    [[['Proxy-Authenticate', 'NTLM, Negotiate']], ['NTLM', 'Negotiate']],
    [[['Proxy-Authenticate', 'Digest realm="x", nonce="y", qop="auth"']], ['Digest']],
    [[['WWW-Authenticate', 'Basic']], []],
  ] as Array<[Array<[string, string]>, string[]]>)('authSchemes %j', (raw, schemes) => {
    expect(authSchemes(raw)).toEqual(schemes);
  });
  it('proxyIntermediary', () => {
    expect(proxyIntermediary({ via: '1.1 gw (squid/6.1)' })).toBe('squid');
    expect(proxyIntermediary({ server: 'envoy' })).toBe('envoy');
    expect(proxyIntermediary({})).toBe('unknown');
  });
  it('bodyGist gives the HTML title and the text that says more, else the text', () => {
    // The words under the title are the proxy's reason (tinyproxy: "The CONNECT method not allowed
    // with the port you tried to use."), so they are kept after the title.
    expect(bodyGist('<title>Access denied</title><p>x</p>')).toBe('Access denied: x');
    expect(bodyGist('<title>Access denied</title><h1>Access denied</h1>')).toBe('Access denied');
    expect(bodyGist('<p>blocked  by\npolicy</p>')).toBe('blocked by policy');
    expect(bodyGist('')).toBeUndefined();
  });
  it('parseHead keeps repeated headers apart and rejects non-HTTP', () => {
    const h = parseHead('HTTP/1.0 407 Auth\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Basic\r\nVia: x')!;
    expect(h.status).toBe(407);
    expect(h.httpVersion).toBe('HTTP/1.0');
    expect(h.headers['proxy-authenticate']).toBe('NTLM, Basic');
    expect(h.rawHeaders).toHaveLength(3);
    expect(parseHead('SSH-2.0-OpenSSH')).toBeUndefined();
    expect(parseHead('HTTP/1.1 200')!.statusText).toBe('');
  });
  it('connectRequest sends Basic credentials only when the URL has them, brackets IPv6', () => {
    const plain = connectRequest({ url: new URL('http://p:3128'), from: '--proxy', display: 'http://p:3128' }, { host: '::1', port: 443 });
    expect(plain.startsWith('CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n')).toBe(true);
    expect(plain).not.toContain('Proxy-Authorization');
    const auth = connectRequest({ url: new URL('http://u:p%21w@p:3128'), from: '--proxy', display: 'http://p:3128' }, { host: 'a.b', port: 443 });
    expect(auth).toContain(`Proxy-Authorization: Basic ${Buffer.from('u:p!w').toString('base64')}\r\n`);
  });
});
