/**
 * Property tests of the input layer: whatever a user types, parsing either succeeds with a
 * coherent result or fails with a UsageError (one line, exit 2) — never any other error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildConfig, parseDuration, parseResolvePin, parseResolver } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { parseTarget } from '../../src/target.js';

function usageOrValue<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain('\n');
    return undefined;
  }
}

// Strings that look like targets: pieces of hosts, ports, schemes, brackets and paths.
const targetish = fc
  .array(fc.constantFrom('https://', 'http://', 'ftp://', 'api', '.', 'openai', 'com', ':', '443', '99999', '[', ']', '::1', '/', 'v1', '@', 'user', '?', 'x=1', '#', ' ', '-', '_', '%', '127.0.0.1', '0'), { maxLength: 10 })
  .map((parts) => parts.join(''));

describe('input properties', () => {
  it('parseTarget: a coherent target or a UsageError, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), targetish), (text) => {
        const t = usageOrValue(() => parseTarget(text));
        if (!t) return;
        expect(t.port).toBeGreaterThanOrEqual(1);
        expect(t.port).toBeLessThanOrEqual(65535);
        expect(['http', 'https']).toContain(t.scheme);
        expect(t.host).not.toMatch(/[[\]\s/@]/);
        expect(t.host).toBe(t.host.toLowerCase());
        const u = new URL(t.url);
        expect(u.protocol).toBe(`${t.scheme}:`);
        expect(u.username + u.password).toBe('');
      }),
      { numRuns: 2000 },
    );
  });

  it('the normalised URL parses back to the same target', () => {
    fc.assert(
      fc.property(targetish, (text) => {
        const t = usageOrValue(() => parseTarget(text));
        if (!t) return;
        const again = parseTarget(t.url);
        expect({ ...again, input: '', query: '' }).toEqual({ ...t, input: '', query: '' });
      }),
      { numRuns: 2000 },
    );
  });

  it('durations, resolvers and pins: a value or a UsageError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = usageOrValue(() => parseDuration(text));
        if (ms !== undefined) expect(ms).toBeGreaterThanOrEqual(1);
        usageOrValue(() => parseResolver(text));
        usageOrValue(() => parseResolvePin(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('buildConfig: any option values give a Config or a UsageError', () => {
    const opt = fc.option(fc.oneof(fc.string(), targetish), { nil: undefined });
    fc.assert(
      fc.property(targetish, opt, opt, opt, opt, fc.boolean(), (target, provider, timeout, format, output, json) => {
        usageOrValue(() => buildConfig(target, { provider, timeout, format, output, json }));
      }),
      { numRuns: 1000 },
    );
  });
});
