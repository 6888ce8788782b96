/** Facts the report formats read out of stage data: tables of the shapes stages may use. */
import { describe, expect, it } from 'vitest';
import {
  earliestCertExpiryOf,
  egressAddressOf,
  httpStatusOf,
  httpTimingsOf,
  httpVersionOf,
  requestIdsOf,
  unixSeconds,
} from '../../src/render/facts.js';
import type { StageId } from '../../src/report.js';
import { buildReport, healthyReport } from '../helpers/reports.js';

const withData = (id: StageId, data: Record<string, unknown>) => buildReport({ stages: { [id]: { data } } });

describe('request ids', () => {
  it('reads requestIds maps, header maps, header pair lists and bare lists, deduplicated', () => {
    expect(requestIdsOf(healthyReport()).map((r) => [r.name, r.value, r.stage])).toEqual([
      ['x-request-id', 'req_abc123', 'http'],
      ['cf-ray', '8c1f2e3d4a5b6c7d-FRA', 'http'],
    ]);
    const r = buildReport({
      stages: {
        http: { data: { headers: [['CF-Ray', 'a-FRA'], ['Server', 'cloudflare'], ['X-Request-Id', 'r1']], requestIds: { 'x-request-id': 'r1' }, requestId: 'r1' } },
        stream: { data: { requestIds: ['s1', 's1'], cfRay: 'b-AMS', requestId: 's2' } },
      },
    });
    expect(requestIdsOf(r).map((x) => `${x.stage}:${x.name}=${x.value}`)).toEqual([
      'http:x-request-id=r1',
      'http:cf-ray=a-FRA',
      'stream:request-id=s1',
      'stream:request-id=s2',
      'stream:cf-ray=b-AMS',
    ]);
  });

  it('ignores skipped stages, other headers and values that are not text', () => {
    const r = buildReport({
      stages: {
        http: { data: { headers: { server: 'envoy', 'x-request-id': { nested: true }, 'request-id': ['a', 'b'] } } },
        stream: { status: 'skip', data: { requestIds: { 'x-request-id': 'never' } } },
      },
    });
    expect(requestIdsOf(r).map((x) => x.value)).toEqual(['a', 'b']);
  });
});

describe('stage facts', () => {
  it.each([
    ['tcp', { localAddress: '10.0.0.5' }, '10.0.0.5'],
    ['tcp', { local: { address: '::1', port: 5 } }, '::1'],
    ['http', { egressAddress: '203.0.113.9' }, '203.0.113.9'],
    ['tls', {}, undefined],
    [
      'tcp',
      {
        attempts: [
          { address: '::1', outcome: 'refused' },
          { address: '10.9.9.9', outcome: 'ok', localAddress: '10.0.0.8' },
          { address: '127.0.0.1', outcome: 'ok', localAddress: '127.0.0.1' },
        ],
        chosen: { address: '127.0.0.1' },
      },
      '127.0.0.1',
    ],
    ['tcp', { attempts: [{ address: '10.9.9.9', outcome: 'ok', localAddress: '10.0.0.8' }] }, '10.0.0.8'],
  ] as const)('egress address from %s %j', (id, data, want) => {
    expect(egressAddressOf(withData(id, data))).toBe(want);
  });

  it.each([
    [{ status: 200 }, 200],
    [{ statusCode: 429 }, 429],
    [{ status: '200' }, undefined],
    [{ status: 42 }, undefined],
  ])('http status from %j', (data, want) => {
    expect(httpStatusOf(withData('http', data))).toBe(want);
  });

  it.each([
    ['2', 2],
    ['1.1', 1.1],
    ['HTTP/1.0', 1],
    ['h2', 2],
    [2, 2],
    ['banana', undefined],
  ] as const)('http version %j', (v, want) => {
    expect(httpVersionOf(withData('http', { httpVersion: v }))).toBe(want);
  });

  it('falls back to the ALPN the TLS stage saw for the http version', () => {
    expect(httpVersionOf(withData('tls', { alpn: 'http/1.1' }))).toBe(1.1);
  });

  it('keeps only numeric, non-negative timings', () => {
    expect(httpTimingsOf(withData('http', { timings: { connect: 1.5, tls: -1, firstByte: 'x', total: 9 } }))).toEqual({ connect: 1.5, total: 9 });
    expect(httpTimingsOf(withData('http', { timings: [1, 2] }))).toBeUndefined();
  });

  it('takes the earliest certificate expiry of the chain, in unix seconds', () => {
    expect(earliestCertExpiryOf(healthyReport())).toBe(Date.UTC(2027, 0, 1) / 1000);
    expect(earliestCertExpiryOf(withData('tls', { chain: [{ validTo: 2_000_000_000 }, { notAfter: 'garbage' }], cert: { validTo: 1_900_000_000_000 } }))).toBe(1_900_000_000);
    expect(earliestCertExpiryOf(withData('tls', { chain: 'nope' }))).toBeUndefined();
  });

  it.each([
    ['Jan  1 00:00:00 2030 GMT', 1893456000],
    ['2030-01-01T00:00:00Z', 1893456000],
    [1893456000000, 1893456000],
    [1893456000, 1893456000],
    ['soon', undefined],
  ] as const)('unixSeconds(%j)', (v, want) => {
    expect(unixSeconds(v)).toBe(want);
  });
});
