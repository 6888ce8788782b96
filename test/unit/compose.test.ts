import { describe, expect, it } from 'vitest';
import { compose, stepApplies, verdictOf, type StepFacts } from '../../src/diagnose/compose.js';
import type { CatalogueStep } from '../../src/diagnose/catalogue/types.js';
import { CATALOGUE } from '../../src/diagnose/catalogue/index.js';
import { ExitCode, exitCodeFor, exitCodeForCode } from '../../src/exit.js';
import type { StageId } from '../../src/report.js';

const f = (code: string, stage: StageId, extra = {}) => ({ code, stage, evidence: [`saw ${code}`], ...extra });

describe('compose: root cause precedence', () => {
  it('the earliest stage with an error is the root cause', () => {
    const c = compose([f('HEADERS_TIMEOUT', 'http'), f('TLS_HANDSHAKE_TIMEOUT', 'tls')]);
    expect(c.rootCause).toBe('TLS_HANDSHAKE_TIMEOUT');
    expect(c.diagnoses[0]!.code).toBe('TLS_HANDSHAKE_TIMEOUT');
  });
  it('a diagnosis that explains an earlier failure takes its place (MTU explains a TLS stall)', () => {
    const c = compose([f('TLS_HANDSHAKE_TIMEOUT', 'tls'), f('MTU_BLACKHOLE_SUSPECTED', 'mtu', { explains: ['TLS_HANDSHAKE_TIMEOUT'] })]);
    expect(c.rootCause).toBe('MTU_BLACKHOLE_SUSPECTED');
    expect(exitCodeForCode(c.rootCause!)).toBe(14);
    expect(c.diagnoses.map((d) => d.code)).toEqual(['MTU_BLACKHOLE_SUSPECTED', 'TLS_HANDSHAKE_TIMEOUT']);
  });
  it('warnings never become the root cause', () => {
    const c = compose([f('IPV6_BROKEN', 'tcp'), f('DNS_HOSTS_OVERRIDE', 'dns')]);
    expect(c.rootCause).toBeUndefined();
    expect(verdictOf(c.diagnoses, false)).toBe('degraded');
  });
  it('merges two findings of the same code', () => {
    const c = compose([f('TCP_REFUSED', 'tcp'), { code: 'TCP_REFUSED', stage: 'tcp' as const, evidence: ['second address refused'] }]);
    expect(c.diagnoses).toHaveLength(1);
    expect(c.diagnoses[0]!.evidence).toEqual(['saw TCP_REFUSED', 'second address refused']);
  });
  it('finding overrides beat catalogue defaults', () => {
    const c = compose([f('UPSTREAM_RESET_REPORTED', 'http', { origin: 'provider-edge', owner: 'provider', retry: 'yes' })]);
    expect(c.diagnoses[0]).toMatchObject({ origin: 'provider-edge', owner: 'provider', retry: 'yes' });
  });
  it('a step that another diagnosis makes moot is left out (no MTU advice once MTU is ruled out)', () => {
    const alone = compose([f('TLS_HANDSHAKE_TIMEOUT', 'tls')], { hostPort: 'h:443', sniArg: '' });
    expect(alone.diagnoses[0]!.remediation.map((r) => r.text).join('\n')).toMatch(/MTU/);
    const ruledOut = compose([f('TLS_HANDSHAKE_TIMEOUT', 'tls'), f('MTU_RULED_OUT', 'mtu')], { hostPort: 'h:443', sniArg: '' });
    const steps = ruledOut.diagnoses.find((d) => d.code === 'TLS_HANDSHAKE_TIMEOUT')!.remediation;
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.map((r) => `${r.text} ${r.command ?? ''}`).join('\n')).not.toMatch(/MTU|mtu|MSS/);
  });

  it('MTU_RULED_OUT suggests the check that fits the scheme', () => {
    const steps = (scheme: string) =>
      compose([f('MTU_RULED_OUT', 'mtu', { params: { address: '127.0.0.1', port: 8080 } })], { scheme, host: 'h', sclient: 'openssl s_client -connect 127.0.0.1:8080 -servername h', curl: 'curl' }).diagnoses[0]!.remediation.map((r) => r.command ?? '').join('\n');
    expect(steps('https')).toMatch(/openssl s_client/);
    expect(steps('https')).not.toMatch(/curl/);
    expect(steps('http')).toMatch(/curl -sv .*http:\/\/127\.0\.0\.1:8080\//);
    expect(steps('http')).not.toMatch(/openssl/);
  });

  it('an unknown code is a bug, not a silent pass', () => {
    expect(() => compose([f('NOT_A_CODE', 'http')])).toThrow(/NOT_A_CODE/);
  });
});

describe('steps that follow the evidence (when)', () => {
  const facts = (o: Partial<StepFacts> = {}): StepFacts => ({ details: {}, params: {}, origin: 'gateway', owner: 'gateway', retry: 'yes', ...o });
  const TABLE: Array<[string, CatalogueStep['when'], Partial<StepFacts>, boolean]> = [
    ['no condition always applies', undefined, {}, true],
    ['detail value listed', { detail: 'resetFamily', in: ['overflow'] }, { details: { resetFamily: 'overflow' } }, true],
    ['detail value not listed', { detail: 'resetFamily', in: ['overflow'] }, { details: { resetFamily: 'termination' } }, false],
    ['detail missing fails by default', { detail: 'resetFamily', in: ['overflow'] }, {}, false],
    ['detail missing passes with orMissing', { detail: 'resetFamily', in: ['overflow'], orMissing: true }, {}, true],
    ['orMissing does not pass a present, unlisted value', { detail: 'resetFamily', in: ['overflow'], orMissing: true }, { details: { resetFamily: 'termination' } }, false],
    ['null counts as missing', { detail: 'x', in: ['a'] }, { details: { x: null } }, false],
    ['an empty list counts as missing', { detail: 'hops', in: ['nginx'], orMissing: true }, { details: { hops: [] } }, true],
    ['an array matches when any element does', { detail: 'hops', in: ['kong'] }, { details: { hops: ['nginx', 'kong'] } }, true],
    ['an array matches nothing listed', { detail: 'hops', in: ['envoy'] }, { details: { hops: ['nginx', 'kong'] } }, false],
    ['without in, presence is enough', { detail: 'intermediary' }, { details: { intermediary: 'squid' } }, true],
    ['numbers and booleans compare strictly', { detail: 'retried', in: [true] }, { details: { retried: 'true' } }, false],
    ['booleans match', { detail: 'retried', in: [true] }, { details: { retried: true } }, true],
    ['params are a separate bag', { param: 'provider', in: ['azure-openai'] }, { params: { provider: 'azure-openai' }, details: {} }, true],
    ['a detail does not satisfy a param condition', { param: 'provider', in: ['azure-openai'] }, { details: { provider: 'azure-openai' } }, false],
    ['origin', { origin: ['provider-edge', 'provider'] }, { origin: 'provider-edge' }, true],
    ['origin not listed', { origin: ['provider-edge', 'provider'] }, { origin: 'gateway' }, false],
    ['owner', { owner: ['network'] }, { owner: 'network' }, true],
    ['retry', { retry: ['yes', 'once'] }, { retry: 'no' }, false],
    ['a list is an AND: all hold', [{ origin: ['gateway'] }, { detail: 'resetFamily', in: ['overflow'] }], { details: { resetFamily: 'overflow' } }, true],
    ['a list is an AND: one fails', [{ origin: ['provider-edge'] }, { detail: 'resetFamily', in: ['overflow'] }], { details: { resetFamily: 'overflow' } }, false],
    ['an empty list holds', [], {}, true],
  ];
  it.each(TABLE)('%s', (_name, when, o, want) => {
    expect(stepApplies({ when }, facts(o))).toBe(want);
  });

  it('compose keeps only the steps of the reset family in the finding (connect failure: no termination or overflow advice)', () => {
    const c = compose([f('UPSTREAM_RESET_REPORTED', 'http', { details: { resetFamily: 'connect-failure' }, params: { envoyFlags: 'UF' } })]);
    const text = c.diagnoses[0]!.remediation.map((r) => `${r.text} ${r.command ?? ''}`).join('\n');
    expect(text).toMatch(/connection failure/);
    expect(text).toContain('grep -E " (UF) "');
    expect(text).not.toMatch(/termination|overflow|circuit/i);
  });

  it('the final origin and retry decide: an override on the finding changes the steps', () => {
    const mesh = compose([f('UPSTREAM_RESET_REPORTED', 'http', { details: { resetFamily: 'overflow' } })]).diagnoses[0]!;
    const edge = compose([f('UPSTREAM_RESET_REPORTED', 'http', { details: { resetFamily: 'overflow' }, origin: 'provider-edge', owner: 'provider' })]).diagnoses[0]!;
    expect(mesh.remediation.some((r) => r.who === 'gateway' && /circuit-breaker/.test(r.text))).toBe(true);
    expect(edge.remediation.some((r) => r.who === 'gateway')).toBe(false);
    expect(edge.remediation.some((r) => r.who === 'provider')).toBe(true);
    const noRetry = compose([f('UPSTREAM_RESET_REPORTED', 'http', { details: { resetFamily: 'protocol-error' }, retry: 'no' })]).diagnoses[0]!;
    expect(noRetry.remediation.map((r) => r.text).join('\n')).not.toMatch(/^Retry/m);
  });

  it('every entry still has a step for a finding without details (another emitter, an older rule)', () => {
    for (const e of CATALOGUE) {
      const kept = e.steps.filter((s) => stepApplies(s, { details: {}, params: {}, origin: e.origin, owner: e.owner, retry: e.retry }));
      expect(kept.length, e.code).toBeGreaterThan(0);
    }
  });

  it('conditions are well formed: listed values are never empty', () => {
    for (const e of CATALOGUE)
      for (const s of e.steps)
        for (const c of s.when === undefined ? [] : Array.isArray(s.when) ? s.when : [s.when]) {
          const values = 'origin' in c ? c.origin : 'owner' in c ? c.owner : 'retry' in c ? c.retry : c.in;
          if (values !== undefined) expect(values.length, e.code).toBeGreaterThan(0);
        }
  });
});

describe('exit codes', () => {
  const base = { interrupted: false, internalErrors: [], diagnoses: [] };
  it('healthy is 0, strict warnings 1, interrupted 130, tool bug 3', () => {
    expect(exitCodeFor(base, false)).toBe(0);
    const warn = { ...base, diagnoses: [{ severity: 'warning' }] } as never;
    expect(exitCodeFor(warn, false)).toBe(0);
    expect(exitCodeFor(warn, true)).toBe(ExitCode.STRICT_WARNINGS);
    expect(exitCodeFor({ ...base, interrupted: true, rootCause: 'DNS_NXDOMAIN' }, false)).toBe(130);
    expect(exitCodeFor({ ...base, internalErrors: [{ stage: 'dns', message: 'x' }], rootCause: 'DNS_NXDOMAIN' }, false)).toBe(3);
  });
  it.each([
    ['DNS_NXDOMAIN', 10],
    ['DNS_TIMEOUT', 10],
    ['TCP_REFUSED', 11],
    ['TLS_INTERCEPTED', 12],
    ['PROXY_AUTH_REQUIRED', 13],
    ['RESET_BEFORE_HEADERS', 14],
    ['HEADERS_TIMEOUT', 14],
    ['MTU_BLACKHOLE_SUSPECTED', 14],
    ['AUTH_INVALID', 15],
    ['AUTH_MISSING', 15],
    ['FORBIDDEN', 15],
    ['REGION_BLOCKED', 15],
    ['RATE_LIMITED', 16],
    ['QUOTA_EXCEEDED', 16],
    ['UPSTREAM_RESET_REPORTED', 17],
    ['GATEWAY_TIMEOUT', 17],
    ['BAD_GATEWAY', 17],
    ['NOT_FOUND', 17],
    ['REQUEST_TOO_LARGE', 17],
    ['SERVER_ERROR', 17],
    ['OVERLOADED', 17],
    ['STREAM_BUFFERED', 18],
    ['STREAM_ERROR_EVENT', 18],
  ])('%s -> %d', (code, exit) => expect(exitCodeForCode(code)).toBe(exit));
});

describe('catalogue', () => {
  // Every code of the contract, with the stage and severity the contract gives it.
  const CONTRACT: Array<[string, StageId, 'error' | 'warning']> = [
    ['DNS_NXDOMAIN', 'dns', 'error'], ['DNS_NO_ADDRESS', 'dns', 'error'], ['DNS_SERVFAIL', 'dns', 'error'], ['DNS_TIMEOUT', 'dns', 'error'],
    ['DNS_MISMATCH', 'dns', 'warning'], ['DNS_HOSTS_OVERRIDE', 'dns', 'warning'], ['DNS_PRIVATE_ADDRESS', 'dns', 'warning'],
    ['TCP_REFUSED', 'tcp', 'error'], ['TCP_TIMEOUT', 'tcp', 'error'], ['TCP_UNREACHABLE', 'tcp', 'error'], ['IPV6_BROKEN', 'tcp', 'warning'],
    ['PROXY_UNREACHABLE', 'proxy', 'error'], ['PROXY_AUTH_REQUIRED', 'proxy', 'error'], ['PROXY_REFUSED', 'proxy', 'error'], ['PROXY_REQUIRED', 'proxy', 'warning'],
    ['PROXY_ENV_CONFLICT', 'env', 'warning'],
    ['TLS_CERT_EXPIRED', 'tls', 'error'], ['TLS_CERT_NOT_YET_VALID', 'tls', 'error'], ['TLS_HOSTNAME_MISMATCH', 'tls', 'error'], ['TLS_UNTRUSTED_CA', 'tls', 'error'],
    ['TLS_INTERCEPTED', 'tls', 'error'], ['TLS_HANDSHAKE_RESET', 'tls', 'error'], ['TLS_HANDSHAKE_TIMEOUT', 'tls', 'error'], ['TLS_PROTOCOL_ERROR', 'tls', 'error'],
    ['TLS_CERT_EXPIRING', 'tls', 'warning'],
    ['RESET_BEFORE_HEADERS', 'http', 'error'], ['HEADERS_TIMEOUT', 'http', 'error'], ['UPSTREAM_RESET_REPORTED', 'http', 'error'], ['GATEWAY_TIMEOUT', 'http', 'error'],
    ['BAD_GATEWAY', 'http', 'error'], ['AUTH_MISSING', 'http', 'error'], ['AUTH_INVALID', 'http', 'error'], ['FORBIDDEN', 'http', 'error'],
    ['REGION_BLOCKED', 'http', 'error'], ['NOT_FOUND', 'http', 'error'], ['REQUEST_TOO_LARGE', 'http', 'error'], ['RATE_LIMITED', 'http', 'error'],
    ['QUOTA_EXCEEDED', 'http', 'error'], ['SERVER_ERROR', 'http', 'error'], ['OVERLOADED', 'http', 'error'], ['CLOCK_SKEW', 'http', 'warning'],
    ['STREAM_BUFFERED', 'stream', 'error'], ['STREAM_TRUNCATED', 'stream', 'error'], ['STREAM_STALLED', 'stream', 'error'], ['STREAM_NOT_SSE', 'stream', 'error'],
    ['STREAM_ERROR_EVENT', 'stream', 'error'], ['MTU_BLACKHOLE_SUSPECTED', 'mtu', 'error'],
  ];

  it.each(CONTRACT)('%s is catalogued with the contract stage and severity', (code, stage, severity) => {
    const e = CATALOGUE.find((x) => x.code === code);
    expect(e, code).toBeDefined();
    expect(e).toMatchObject({ stage, severity });
    expect(severity === 'warning' ? e!.exitCode === 0 : e!.exitCode >= 10).toBe(true);
  });

  it('every entry has an explanation and ordered steps', () => {
    for (const e of CATALOGUE) {
      expect(e.explanation, e.code).not.toBe('TODO');
      expect(e.explanation.length, e.code).toBeGreaterThan(40);
      expect(e.steps.length, e.code).toBeGreaterThan(0);
    }
  });

  it('only errors carry a failing exit code (warnings and info never decide the exit code)', () => {
    for (const e of CATALOGUE) {
      if (e.severity === 'error') expect(e.exitCode, e.code).toBeGreaterThanOrEqual(10);
      else expect(e.exitCode, e.code).toBe(0);
    }
  });

  it('codes are unique', () => {
    expect(new Set(CATALOGUE.map((e) => e.code)).size).toBe(CATALOGUE.length);
  });

  it('never recommends turning certificate checks off', () => {
    // A command may unset or look for the variable, never set it to 0.
    for (const e of CATALOGUE)
      for (const s of e.steps)
        for (const line of (s.command ?? '').split('\n')) {
          if (/^\s*(unset|grep|env\s*-u|#)/.test(line)) continue;
          expect(line, e.code).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0/);
        }
  });
});
