import { describe, expect, it } from 'vitest';
import { classifyTransport } from '../../src/diagnose/http/transport-rules.js';
import { matchIdleDefault, reusedIdleEvidence } from '../../src/diagnose/http/idle-timeouts.js';

const reset = { fact: 'reset' as const, code: 'ECONNRESET', codes: ['ECONNRESET'], phase: 'wait' as const, timedOut: false, bytesWritten: 120, bytesRead: 0, sinceRequestMs: 3, sinceStartMs: 3 };

describe('the idle time of a reused connection against well-known idle timeouts', () => {
  it('5.03 s matches the 5 s of Node/uvicorn; 60.4 s the ALB; 75.2 s nginx; 12 s and 4.5 s nothing', () => {
    expect(matchIdleDefault(5030)?.seconds).toBe(5);
    expect(matchIdleDefault(4800)?.seconds).toBe(5);
    expect(matchIdleDefault(60_400)?.who).toMatch(/ALB/);
    expect(matchIdleDefault(75_200)?.who).toMatch(/nginx's keepalive_timeout/);
    expect(matchIdleDefault(12_000)).toBeUndefined();
    expect(matchIdleDefault(4500)).toBeUndefined();
  });

  it('a match names the race and the pools that keep connections that long', () => {
    const ev = reusedIdleEvidence(5040);
    expect(ev[0]).toBe("the connection had sat idle 5.04 s in the pool before this request went out on it, which matches the 5 s idle timeout of Node's http.Server keepAliveTimeout, uvicorn's timeout_keep_alive (vLLM, FastAPI) or Apache httpd's KeepAliveTimeout: the far side closed it just as the request was sent (a keep-alive race)");
    expect(ev[1]).toContain('Python httpx (openai-python, anthropic-python)');
    expect(ev[1]).not.toContain('openai-node v4');
  });

  it('RESET_BEFORE_HEADERS: reused -> the idle time; fresh -> the time since the request, as before', () => {
    const reused = classifyTransport({ ...reset, fresh: false, reusedIdleMs: 5020 });
    expect(reused.code).toBe('RESET_BEFORE_HEADERS');
    expect(reused.details).toMatchObject({ fresh: false, reusedIdleMs: 5020 });
    expect(reused.evidence.join('\n')).toMatch(/sat idle 5\.02 s .* matches the 5 s idle timeout/);
    expect(reused.evidence.join('\n')).not.toMatch(/cut after/);
    const fresh = classifyTransport({ ...reset, fresh: true, reusedIdleMs: undefined });
    expect(fresh.evidence.join('\n')).toMatch(/the connection was cut after 0\.0 s, which matches no well-known default/);
  });
});
