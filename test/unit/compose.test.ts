import { describe, expect, it } from 'vitest';
import { compose, verdictOf } from '../../src/diagnose/compose.js';
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

  it('an unknown code is a bug, not a silent pass', () => {
    expect(() => compose([f('NOT_A_CODE', 'http')])).toThrow(/NOT_A_CODE/);
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
