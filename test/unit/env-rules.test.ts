import { describe, expect, it } from 'vitest';
import { envFindings, type EnvFacts } from '../../src/diagnose/env-rules.js';
import { toDiagnosis } from '../../src/diagnose/compose.js';
import { chooseProxy } from '../../src/net/proxy/env.js';
import { nodeOptionsTlsFlags, safeValue } from '../../src/stages/env.js';

function facts(env: Record<string, string>, host = 'api.openai.com', hostIsLocal = false): EnvFacts {
  return {
    host,
    hostIsLocal,
    decision: chooseProxy({ scheme: 'https', host, port: 443, ignoreEnv: false }, env),
    conflicts: [],
    tlsRejectUnauthorized: env.NODE_TLS_REJECT_UNAUTHORIZED,
  };
}

describe('env rules', () => {
  it('a clean environment gives no finding', () => {
    expect(envFindings(facts({}))).toEqual([]);
  });
  it('differing spellings give PROXY_ENV_CONFLICT naming the winner', () => {
    const f = facts({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' });
    f.conflicts = [{ lower: 'https_proxy', upper: 'HTTPS_PROXY', lowerValue: 'http://a:1', upperValue: 'http://b:2' }];
    const out = envFindings(f);
    expect(out.map((x) => x.code)).toEqual(['PROXY_ENV_CONFLICT']);
    expect(out[0]!.evidence[0]).toContain('lower-case');
    expect(out[0]!.details).toMatchObject({ kind: 'case-mismatch' });
  });
  it('NO_PROXY covering a public API host while a proxy is set is a conflict', () => {
    const out = envFindings(facts({ HTTPS_PROXY: 'http://b:2', NO_PROXY: 'openai.com' }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ code: 'PROXY_ENV_CONFLICT', details: { kind: 'no-proxy-covers-target', entry: 'openai.com' } });
  });
  it('NO_PROXY covering a loopback target is expected, unless it is "*"', () => {
    expect(envFindings(facts({ HTTPS_PROXY: 'http://b:2', NO_PROXY: 'localhost,127.0.0.1' }, '127.0.0.1', true))).toEqual([]);
    expect(envFindings(facts({ HTTPS_PROXY: 'http://b:2', NO_PROXY: '*' }, '127.0.0.1', true)).map((x) => x.code)).toEqual(['PROXY_ENV_CONFLICT']);
  });
  it('NO_PROXY without any proxy variable is not a conflict', () => {
    expect(envFindings(facts({ NO_PROXY: 'openai.com' }))).toEqual([]);
  });
  it('an unusable proxy value gives PROXY_ENV_INVALID', () => {
    expect(envFindings(facts({ HTTPS_PROXY: 'socks5://p:1080' })).map((x) => x.code)).toEqual(['PROXY_ENV_INVALID']);
  });
  it('NODE_TLS_REJECT_UNAUTHORIZED=0 gives TLS_VERIFY_DISABLED; other values do not', () => {
    expect(envFindings(facts({ NODE_TLS_REJECT_UNAUTHORIZED: '0' })).map((x) => x.code)).toEqual(['TLS_VERIFY_DISABLED']);
    expect(envFindings(facts({ NODE_TLS_REJECT_UNAUTHORIZED: '1' }))).toEqual([]);
  });
  it('every env finding has catalogue prose', () => {
    const f = facts({ HTTPS_PROXY: 'socks5://p:1080', NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    for (const finding of envFindings(f)) {
      const d = toDiagnosis({ ...finding, stage: 'env' });
      expect(d.severity).toBe('warning');
      expect(d.remediation.length).toBeGreaterThan(0);
      expect(d.title).not.toContain('TODO');
    }
  });
});

describe('env helpers', () => {
  it('safeValue removes credentials and never echoes an unparseable value', () => {
    expect(safeValue('HTTPS_PROXY', 'http://bob:hunter22@p:3128')).toBe('http://p:3128');
    expect(safeValue('HTTPS_PROXY', 'socks5://bob:hunter22@p')).not.toContain('hunter22');
    expect(safeValue('NO_PROXY', 'localhost,.corp')).toBe('localhost,.corp');
  });
  it('nodeOptionsTlsFlags keeps only TLS-related flags', () => {
    expect(nodeOptionsTlsFlags('--max-old-space-size=4096 --use-openssl-ca --tls-min-v1.3 --inspect')).toEqual(['--use-openssl-ca', '--tls-min-v1.3']);
    expect(nodeOptionsTlsFlags(undefined)).toEqual([]);
  });
});
