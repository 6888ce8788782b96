/** The keep-alive probe's pure parts: response framing, the search and wait rules, client races, findings. */
import { describe, expect, it } from 'vitest';
import { CLIENT_POOL_DEFAULTS, effectiveIdleSeconds, raceVerdicts } from '../../src/diagnose/keepalive/clients.js';
import { keepaliveFindings } from '../../src/diagnose/keepalive/rules.js';
import { compose } from '../../src/diagnose/compose.js';
import { ResponseFramer, keepAliveHint, persistent } from '../../src/net/keepalive/frame.js';
import { nextSearchStep, replyWaitMs } from '../../src/net/keepalive/probe.js';
import type { KeepaliveSection } from '../../src/net/keepalive/section.js';
import { parseHead } from '../../src/net/http/head.js';

const feed = (method: string, ...parts: string[]) => {
  const f = new ResponseFramer(method);
  let st = f.push(Buffer.alloc(0));
  for (const p of parts) st = f.push(Buffer.from(p, 'latin1'));
  return st;
};

describe('ResponseFramer', () => {
  it('content-length, split anywhere', () => {
    const whole = 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello';
    for (let i = 1; i < whole.length; i++) {
      expect(feed('GET', whole.slice(0, i), whole.slice(i))).toMatchObject({ kind: 'done', keepAlive: true, rest: 0 });
    }
    expect(feed('GET', whole.slice(0, -1)).kind).toBe('more');
  });
  it('chunked with extensions and trailers', () => {
    expect(feed('GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nx-t: 1\r\n\r\n')).toMatchObject({ kind: 'done' });
    expect(feed('GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n').kind).toBe('more');
    expect(feed('GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n').kind).toBe('invalid');
  });
  it('no body for HEAD, 204 and 304; interim 100 skipped; close-delimited body cannot be reused', () => {
    expect(feed('HEAD', 'HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n').kind).toBe('done');
    expect(feed('GET', 'HTTP/1.1 204 No Content\r\n\r\n').kind).toBe('done');
    expect(feed('GET', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')).toMatchObject({ kind: 'done', head: { status: 200 } });
    expect(feed('GET', 'HTTP/1.1 200 OK\r\n\r\nbody').kind).toBe('until-close');
  });
  it('refuses what is not HTTP, conflicting lengths, and heads without end', () => {
    expect(feed('GET', 'SSH-2.0-OpenSSH\r\n\r\n').kind).toBe('invalid');
    expect(feed('GET', 'HTTP/1.1 200 OK\r\ncontent-length: 1, 2\r\n\r\n').kind).toBe('invalid');
    expect(feed('GET', 'HTTP/1.1 200 OK\r\n', 'x'.repeat(70_000)).kind).toBe('invalid');
  });
  it('persistence by version and Connection; the Keep-Alive hint', () => {
    expect(persistent(parseHead('HTTP/1.1 200 OK\r\nConnection: close')!)).toBe(false);
    expect(persistent(parseHead('HTTP/1.0 200 OK')!)).toBe(false);
    expect(persistent(parseHead('HTTP/1.0 200 OK\r\nConnection: keep-alive')!)).toBe(true);
    expect(keepAliveHint(parseHead('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100')!)).toBe(5);
    expect(keepAliveHint(parseHead('HTTP/1.1 200 OK')!)).toBeUndefined();
  });
});

describe('search and wait', () => {
  it('binary search halves the bracket until it is within 10 % (or 0.2 s)', () => {
    expect(nextSearchStep(1.5, 3)).toBe(2.25);
    expect(nextSearchStep(2, 2.2)).toBeUndefined();
    expect(nextSearchStep(60, 64)).toBeUndefined();
    expect(nextSearchStep(3, 3)).toBeUndefined();
    expect(nextSearchStep(3, 1)).toBeUndefined();
  });
  it('the reply wait follows the first answer, between 1 s and the stage budget', () => {
    expect(replyWaitMs(5, 10_000)).toBe(1000);
    expect(replyWaitMs(400, 10_000)).toBe(2100);
    expect(replyWaitMs(5000, 3000)).toBe(3000);
  });
});

describe('client races', () => {
  it('undici follows the server hint minus 1 s, capped at 600 s', () => {
    const undici = CLIENT_POOL_DEFAULTS.find((c) => c.client.startsWith('undici'))!;
    expect(effectiveIdleSeconds(undici, undefined)).toBe(4);
    expect(effectiveIdleSeconds(undici, 30)).toBe(29);
    expect(effectiveIdleSeconds(undici, 10_000)).toBe(600);
  });
  it('a 2 s close is raced by every default pool; a 10 s close only by Envoy and 5-minute pools', () => {
    expect(raceVerdicts(2).every((v) => v.races)).toBe(true);
    expect(raceVerdicts(10).filter((v) => v.races).map((v) => v.idleSeconds).sort((a, b) => a - b)).toEqual([300, 3600]);
  });
});

const base: KeepaliveSection = { outcome: 'closed', idleMaxSeconds: 10, replyWaitMs: 1000, budgetMs: 40_000, trials: [], durationMs: 5000 };

describe('keepaliveFindings', () => {
  it('closed by FIN after 5 s -> STALE_KEEPALIVE naming the pools that race it', () => {
    const [f] = keepaliveFindings({ ...base, closedBy: 'fin', idleTimeoutSeconds: 5, survivedSeconds: 2.5 });
    expect(f).toMatchObject({ code: 'STALE_KEEPALIVE', details: { idleTimeoutSeconds: 5, closedBy: 'fin' } });
    expect(f!.details!.racingClients).toContain('Python httpx (openai-python, anthropic-python)');
    expect(f!.details!.safeClients).toContain('openai-node v4 (agentkeepalive)');
    const d = compose([{ ...f!, stage: 'http' }], { url: 'http://x' }).diagnoses[0]!;
    expect(d.severity).toBe('warning');
    expect(d.remediation.map((r) => r.command ?? '').join('\n')).toContain('keepalive_expiry=4');
  });
  it('a reset met by the reuse is an upper bound ("at most")', () => {
    const [f] = keepaliveFindings({ ...base, closedBy: 'rst-on-reuse', idleTimeoutSeconds: 2.25 });
    expect(f!.evidence[0]).toContain('at most 2.25 s');
  });
  it('dropped -> IDLE_CONNECTION_DROPPED, error, exit 14 as root cause', () => {
    const [f] = keepaliveFindings({ ...base, outcome: 'dropped', droppedAfterSeconds: 2.25, survivedSeconds: 1.88 }, { proxy: 'http://p:3128' });
    expect(f).toMatchObject({ code: 'IDLE_CONNECTION_DROPPED', details: { idleSeconds: 2.25, survivedSeconds: 1.88 } });
    expect(f!.evidence[0]).toContain('through the proxy http://p:3128');
    const c = compose([{ ...f!, stage: 'http' }]);
    expect(c.rootCause).toBe('IDLE_CONNECTION_DROPPED');
  });
  it('survived, no keep-alive and inconclusive make no finding', () => {
    for (const outcome of ['survived', 'no-keepalive', 'inconclusive'] as const) expect(keepaliveFindings({ ...base, outcome })).toEqual([]);
  });
});
