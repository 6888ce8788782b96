/** --compare-direct attribution: which path works decides who is to blame (pure table). */
import { describe, expect, it } from 'vitest';
import { attribute } from '../../src/diagnose/compare-direct.js';
import { compose } from '../../src/diagnose/compose.js';
import type { StageId } from '../../src/report.js';
import type { Finding } from '../../src/stages/types.js';

type Located = Finding & { stage: StageId };
const f = (code: string, stage: StageId, evidence = `${code} seen`): Located => ({ code, stage, evidence: [evidence] });
const run = (findings: Located[]) => ({ findings, composition: compose(findings) });

describe('attribute', () => {
  it('only the proxy path works -> PROXY_REQUIRED naming the direct failure', () => {
    const p = run([]);
    const d = run([f('TCP_TIMEOUT', 'tcp', 'connect to 1.2.3.4:443: no answer within 3000 ms')]);
    const a = attribute('http://p:3128', p.findings, p.composition, d.composition);
    expect(a.outcome).toBe('proxy-only');
    expect(a.findings.map((x) => x.code)).toEqual(['PROXY_REQUIRED']);
    expect(a.findings[0]!.evidence.join('\n')).toContain('TCP_TIMEOUT');
    const c = compose(a.findings);
    expect(c.diagnoses[0]).toMatchObject({ code: 'PROXY_REQUIRED', severity: 'warning', stage: 'proxy' });
    expect(c.rootCause).toBeUndefined();
    expect(c.diagnoses[0]!.remediation.map((s) => s.command ?? '').join('\n')).toMatch(/EnvHttpProxyAgent[\s\S]*ProxyAgent[\s\S]*NODE_USE_ENV_PROXY=1/);
  });

  it('only the direct path works -> the proxied root cause is pinned on the proxy', () => {
    const p = run([f('TLS_UNTRUSTED_CA', 'tls'), f('PROXY_ENV_CONFLICT', 'env')]);
    const d = run([]);
    const a = attribute('http://p:3128', p.findings, p.composition, d.composition);
    expect(a.outcome).toBe('direct-only');
    const root = a.findings.find((x) => x.code === 'TLS_UNTRUSTED_CA')!;
    expect(root).toMatchObject({ origin: 'forward-proxy', owner: 'network', details: { compareDirect: { direct: 'ok' } } });
    expect(root.evidence.at(-1)).toContain('http://p:3128');
    // Other findings and the inputs are untouched.
    expect(a.findings.find((x) => x.code === 'PROXY_ENV_CONFLICT')!.origin).toBeUndefined();
    expect(p.findings[0]!.evidence).toHaveLength(1);
  });

  it('a proxy refusal stays the root cause and gains the direct evidence', () => {
    const p = run([f('PROXY_REFUSED', 'proxy')]);
    const a = attribute('http://p:3128', p.findings, p.composition, run([]).composition);
    expect(compose(a.findings).rootCause).toBe('PROXY_REFUSED');
    expect(a.findings[0]!.details).toMatchObject({ compareDirect: { proxied: 'PROXY_REFUSED', direct: 'ok' } });
  });

  it('both fail the same way -> the proxy is cleared', () => {
    const p = run([f('AUTH_INVALID', 'http')]);
    const d = run([f('AUTH_INVALID', 'http')]);
    const a = attribute('http://p:3128', p.findings, p.composition, d.composition);
    expect(a.outcome).toBe('neither');
    expect(a.findings[0]!.evidence.at(-1)).toContain('not the cause');
  });

  it('both work, or fail differently -> no new finding; a different direct failure is told on the root cause', () => {
    expect(attribute('p', [], compose([]), compose([])).findings).toEqual([]);
    const p = run([f('PROXY_REFUSED', 'proxy')]);
    const d = run([f('TCP_TIMEOUT', 'tcp')]);
    const a = attribute('p', p.findings, p.composition, d.composition);
    expect(a.outcome).toBe('neither');
    expect(a.findings.map((x) => x.code)).toEqual(['PROXY_REFUSED']);
    // Held-out review: the on-call engineer must learn that bypassing the proxy is no way out.
    expect(a.findings[0]!.evidence.at(-1)).toMatch(/fails too, differently: TCP_TIMEOUT at the tcp stage/);
    expect(a.findings[0]!.details).toMatchObject({ compareDirect: { proxied: 'PROXY_REFUSED', direct: 'TCP_TIMEOUT', directStage: 'tcp' } });
  });

  it('a path that hit an internal error does not count as working', () => {
    const a = attribute('p', [], { ...compose([]), internalError: false }, { ...compose([]), internalError: true });
    expect(a.outcome).toBe('proxy-only');
  });
});
