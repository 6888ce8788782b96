/**
 * Held-out review, pure tables: refusal kinds from status and the proxy's own words, Squid error
 * names and errnos, refusal pages of real products, 407 scheme mismatches, proxy TLS failures,
 * proxy variables that mean the same or not, NO_PROXY forms, and the safety lines of the daemon
 * configurations the held-out tests write. Zero I/O.
 */
import { describe, expect, it } from 'vitest';
import { toDiagnosis } from '../../src/diagnose/compose.js';
import { envFindings } from '../../src/diagnose/env-rules.js';
import { bodyGist, judgeProxy, proxyIntermediary, refusalKind, type ProxyObservation } from '../../src/diagnose/proxy/rules.js';
import { parseHead } from '../../src/net/http/head.js';
import { caseConflicts, chooseProxy, parseProxyUrl } from '../../src/net/proxy/env.js';
import { noProxyMatch } from '../../src/net/proxy/no-proxy.js';
import { squidConfig } from '../../fixtures/squid.js';
import { tinyproxyConfig } from '../../fixtures/tinyproxy.js';

const answered = (status: number, statusText: string, raw: Array<[string, string]> = [], body?: string, credentialsSent = false): ProxyObservation => {
  const head = parseHead(`HTTP/1.1 ${status} ${statusText}\r\n${raw.map(([k, v]) => `${k}: ${v}`).join('\r\n')}`)!;
  return { kind: 'answered', ...head, body, connectMs: 4, credentialsSent };
};
const judge = (o: ProxyObservation, port = 443, scheme: 'http' | 'https' = 'https') =>
  judgeProxy(o, 'http://p:3128', { authority: `api.example.com:${port}`, port, scheme }).findings[0]!;

describe('refusal kinds', () => {
  it.each([
    [403, undefined, 'unknown', 'policy'],
    [403, 'ERR_ACCESS_DENIED 0', 'squid', 'policy'],
    [503, 'ERR_CONNECT_FAIL 111', 'squid', 'upstream'],
    [500, 'ERR_CANNOT_FORWARD 0', 'squid', 'upstream'],
    [503, 'ERR_DNS_FAIL 0', 'squid', 'upstream'],
    [504, 'ERR_READ_TIMEOUT 0', 'squid', 'upstream'],
    [500, undefined, 'tinyproxy', 'upstream'],
    [502, undefined, 'unknown', 'upstream'],
    [501, undefined, 'unknown', 'unsupported'],
    [405, undefined, 'nginx', 'unsupported'],
    [400, undefined, 'nginx', 'unsupported'],
    [400, undefined, 'tinyproxy', 'policy'],
    [400, 'ERR_INVALID_REQ 0', 'squid', 'policy'],
    [302, undefined, 'zscaler', 'redirect'],
    [407, 'ERR_CACHE_ACCESS_DENIED 0', 'squid', 'auth'],
    [505, undefined, 'unknown', 'policy'],
  ] as const)('%i %s from %s -> %s', (status, squid, who, kind) => {
    expect(refusalKind(status, squid, who)).toBe(kind);
  });

  it('retry and owner follow the kind: upstream yes/network, unsupported no/you, policy no/network', () => {
    expect(judge(answered(503, 'Service Unavailable', [['X-Squid-Error', 'ERR_CONNECT_FAIL 110']]))).toMatchObject({ retry: 'yes', owner: 'network', details: { upstreamErrno: 110 } });
    expect(judge(answered(405, 'Not Allowed', [['Server', 'nginx/1.22.1']]))).toMatchObject({ retry: 'no', owner: 'you', details: { refusal: 'unsupported', intermediary: 'nginx' } });
    expect(judge(answered(403, 'Forbidden'))).toMatchObject({ retry: 'no', owner: 'network' });
  });

  it('Squid errnos are decoded; unknown ones are still shown', () => {
    expect(judge(answered(503, 'x', [['X-Squid-Error', 'ERR_CONNECT_FAIL 113']])).evidence.join('\n')).toContain('EHOSTUNREACH');
    expect(judge(answered(503, 'x', [['X-Squid-Error', 'ERR_CONNECT_FAIL 71']])).evidence.join('\n')).toContain('errno 71');
  });

  it('a 403 for a port other than 443 names the port rule; for 443 it does not', () => {
    expect(judge(answered(403, 'Forbidden'), 8443).evidence.join('\n')).toContain('port 8443, not 443');
    expect(judge(answered(403, 'Forbidden'), 443).evidence.join('\n')).not.toContain('not 443');
  });

  it('a refused plain http:// target notes that curl would not tunnel it; an https one does not', () => {
    expect(judge(answered(403, 'Forbidden'), 80, 'http').evidence.join('\n')).toContain('no CONNECT');
    expect(judge(answered(403, 'Forbidden'), 443, 'https').evidence.join('\n')).not.toContain('no CONNECT');
  });
});

describe('407 schemes against the credentials sent', () => {
  const f407 = (schemes: string[], sent: boolean) =>
    judge(answered(407, 'Proxy Authentication Required', schemes.map((s) => ['Proxy-Authenticate', s] as [string, string]), undefined, sent));
  it.each([
    [['NTLM'], true, false, 'does not accept Basic'],
    [['Negotiate', 'NTLM'], true, false, 'only Negotiate, NTLM'],
    [['Digest realm="x", nonce="n", qop="auth"'], true, false, 'does not accept Basic'],
    [['Basic realm="corp"'], true, true, 'sent and refused'],
    [['NTLM', 'Basic realm="corp"'], true, true, 'sent and refused'],
    [[], true, false, 'sent and refused'],
  ] as Array<[string[], boolean, boolean, string]>)('%j sent=%s', (schemes, sent, basicOffered, words) => {
    const f = f407(schemes, sent);
    expect(f.code).toBe('PROXY_AUTH_REQUIRED');
    expect(f.details).toMatchObject({ credentialsSent: sent, basicOffered });
    expect(f.evidence.join('\n')).toContain(words);
    expect(toDiagnosis({ ...f, stage: 'proxy' }).remediation[0]!.text).not.toMatch(/\{schemes\}/);
  });
});

describe('proxy TLS and timeouts', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate', 'no'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate', 'no'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate', 'no'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls', 'no'],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'not-tls', 'no'],
    ['ECONNRESET', undefined, undefined],
  ])('%s -> %s', (code, tls, retry) => {
    const f = judge({ kind: 'proxy-tls-failed', code, message: 'x' });
    expect(f.code).toBe('PROXY_UNREACHABLE');
    expect(f.details?.tls).toBe(tls);
    expect(toDiagnosis({ ...f, stage: 'proxy' }).retry).toBe(retry ?? 'yes');
  });

  it('silence during the TLS handshake with the proxy is told apart from silence after CONNECT', () => {
    expect(judge({ kind: 'timeout', afterMs: 1000, phase: 'proxy-tls' }).details).toMatchObject({ phase: 'proxy-tls-timeout' });
    expect(judge({ kind: 'timeout', afterMs: 1000, phase: 'connect' }).details).toMatchObject({ phase: 'connect-timeout' });
  });
});

describe('refusal pages of real products', () => {
  const tinyproxy403 = `<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE html>\n<html>\n<head><title>403 Access violation</title></head>\n<body>\n<h1>Access violation</h1>\n<p>The CONNECT method not allowed with the port you tried to use.</p>\n<hr />\n<p><em>Generated by tinyproxy version 1.11.1.</em></p>\n</body>\n</html>\n`;
  const squidPage = `<html><head><title>ERROR: The requested URL could not be retrieved</title><style type="text/css"><!-- /* Stylesheet */ body { margin: 0 } --></style></head><body id=ERR_CANNOT_FORWARD><div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div><hr><div id="content"><p>The following error was encountered while trying to retrieve the URL: <a href="https://api.x.test/*">https://api.x.test/*</a></p><blockquote id="error"><p><b>Unable to forward this request at this time.</b></p></blockquote></div></body></html>`;
  it('tinyproxy: the title and its reason, without the heading that repeats the title', () => {
    expect(bodyGist(tinyproxy403)).toBe('403 Access violation: The CONNECT method not allowed with the port you tried to use. Generated by tinyproxy version 1.11.1.');
  });
  it('squid: the style sheet and the repeated headings are dropped, the reason is kept', () => {
    const g = bodyGist(squidPage)!;
    expect(g).toContain('Unable to forward this request at this time.');
    expect(g).not.toContain('Stylesheet');
    expect(g.startsWith('ERROR: The requested URL could not be retrieved: The following error')).toBe(true);
  });
  it('a long page is cut on a word, with an ellipsis', () => {
    const g = bodyGist(`<p>${'word '.repeat(200)}</p>`)!;
    expect(g.length).toBeLessThanOrEqual(242);
    expect(g.endsWith(' …')).toBe(true);
  });
  it.each([
    [{ server: 'tinyproxy/1.11.1' }, 'tinyproxy'],
    [{ server: 'Zscaler/6.2' }, 'zscaler'],
    [{ 'x-zscaler-transaction-id': 'x' }, 'zscaler'],
    [{ via: '1.1 proxysg.corp (Blue Coat SGOS)' }, 'bluecoat'],
    [{ via: '1.1 mwg1 (McAfee Web Gateway 11.2)' }, 'mcafee-web-gateway'],
    [{ server: 'Apache/2.4.57 (Debian)' }, 'apache'],
    [{ server: 'nginx/1.22.1' }, 'nginx'],
  ] as Array<[Record<string, string>, string]>)('%j -> %s', (headers, name) => {
    expect(proxyIntermediary(headers)).toBe(name);
  });
});

describe('proxy variables', () => {
  it.each([
    [{ https_proxy: 'http://p:3128', HTTPS_PROXY: 'http://p:3128/' }, []],
    [{ https_proxy: 'http://p:80', HTTPS_PROXY: 'p' }, []],
    [{ https_proxy: 'http://P.Corp:3128', HTTPS_PROXY: 'http://p.corp:3128' }, []],
    [{ https_proxy: 'http://u:a@p:3128', HTTPS_PROXY: 'http://u:b@p:3128' }, ['https_proxy']],
    [{ https_proxy: 'http://p:3128', HTTPS_PROXY: 'http://q:3128' }, ['https_proxy']],
    [{ no_proxy: 'a.com,.b.com', NO_PROXY: 'B.COM a.com' }, []],
    [{ no_proxy: 'a.com', NO_PROXY: 'a.com,b.com' }, ['no_proxy']],
  ] as Array<[Record<string, string>, string[]]>)('caseConflicts %j', (env, lowers) => {
    expect(caseConflicts(env).map((c) => c.lower)).toEqual(lowers);
  });

  it('an unencoded @ or / in a password: the problem says percent-encode, and never repeats the value', () => {
    const p = parseProxyUrl('http://svc:p@ss:w/rd%@proxy.corp:3128');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.problem).toContain('percent-encoded');
      expect(p.problem).not.toContain('w/rd');
    }
    expect(parseProxyUrl('http://svc:p%40ss%3Aw%2Frd%25@proxy.corp:3128').ok).toBe(true);
  });

  it('only http_proxy for an https target: direct like curl, and a warning that undici would differ', () => {
    const d = chooseProxy({ scheme: 'https', host: 'api.openai.com', port: 443, ignoreEnv: false }, { http_proxy: 'http://p:3128' });
    expect(d.proxy).toBeUndefined();
    expect(d.httpProxyOnly).toBe('http_proxy');
    const f = envFindings({ host: 'api.openai.com', hostIsLocal: false, decision: d, conflicts: [] });
    expect(f.map((x) => [x.code, x.details?.kind])).toEqual([['PROXY_ENV_CONFLICT', 'http-proxy-only']]);
    // A local target, or one NO_PROXY covers, is left alone.
    expect(envFindings({ host: '10.0.0.5', hostIsLocal: true, decision: d, conflicts: [] })).toEqual([]);
    const covered = chooseProxy({ scheme: 'https', host: 'api.openai.com', port: 443, ignoreEnv: false }, { http_proxy: 'http://p:3128', no_proxy: '.openai.com' });
    expect(covered.httpProxyOnly).toBeUndefined();
  });

  it.each([
    ['[::1]', '::1', 443, 'exact'],
    ['::1', '::1', 443, 'exact'],
    ['[::1]:8443', '::1', 8443, 'exact'],
    ['[::1]:8443', '::1', 443, undefined],
    ['fd00::/8', 'fd12:3456::1', 443, 'cidr'],
    ['*.Example.COM', 'api.example.com', 443, 'suffix'],
    ['.example.com', 'example.com', 443, 'exact'],
    ['example.com.', 'API.EXAMPLE.COM.', 443, 'suffix'],
    ['example.com', 'badexample.com', 443, undefined],
    ['10.0.0.0/8', 'api.example.com', 443, undefined],
    ['127.0.0.1', 'localhost', 443, undefined],
    ['  localhost ,\t10.0.0.0/8  ', '10.20.30.40', 443, 'cidr'],
    ['example.com:8443', 'api.example.com', 8443, 'suffix'],
    ['example.com:8443', 'api.example.com', 443, undefined],
  ] as const)('NO_PROXY %j vs %s:%i', (list, host, port, kind) => {
    expect(noProxyMatch(list, host, port)?.kind).toBe(kind);
  });
});

describe('the held-out daemon configurations stay on loopback', () => {
  it('every squid mode denies non-loopback destinations; names mode first allows only .test names', () => {
    for (const mode of ['ssl-ports', 'names', 'ntlm', 'digest'] as const) {
      const conf = squidConfig(mode, 3128, '/tmp/x').split('\n');
      const access = conf.filter((l) => l.startsWith('http_access'));
      const guard = access.indexOf('http_access deny !loopback_dst');
      expect(guard).toBeGreaterThanOrEqual(0);
      // Anything allowed before the guard matches names under .test, which resolve only from Squid's hosts file.
      expect(access.slice(0, guard)).toEqual(mode === 'names' ? ['http_access allow CONNECT test_names'] : []);
      expect(conf).toContain('dns_nameservers 127.0.0.1');
      expect(conf).toContain('hosts_file /tmp/x/hosts');
      expect(access.at(-1)).toBe('http_access deny all');
    }
  });
  it('every tinyproxy mode listens on loopback and filters every host but 127.0.0.1 by default', () => {
    for (const mode of ['allow', 'acl-deny', 'auth', 'connect-port', 'filter'] as const) {
      const conf = tinyproxyConfig(mode, 8888, '/tmp/t').split('\n');
      expect(conf).toContain('Listen 127.0.0.1');
      expect(conf).toContain('FilterDefaultDeny Yes');
      expect(conf).toContain('Filter "/tmp/t/filter"');
      expect(conf.some((l) => /^Upstream/i.test(l))).toBe(false);
    }
  });
});
