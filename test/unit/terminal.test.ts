import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canShowUnicode, terminalWidth } from '../../src/terminal/caps.js';
import { wrapCommand, wrapProse } from '../../src/terminal/wrap.js';
import { toAscii } from '../../src/terminal/ascii.js';
import { editDistance, listCodes, nearestCodes } from '../../src/explain/list.js';
import { connectTarget, looksLikeKey, parseConnectTo, parseHeader } from '../../src/curlopts/options.js';
import { CATALOGUE } from '../../src/diagnose/catalogue/index.js';

describe('terminal capabilities', () => {
  it('width: stream columns, else COLUMNS, else 80', () => {
    expect(terminalWidth({ columns: 120 }, { COLUMNS: '90' })).toBe(120);
    expect(terminalWidth(undefined, { COLUMNS: '90' })).toBe(90);
    expect(terminalWidth(undefined, { COLUMNS: 'wide' })).toBe(80);
    expect(terminalWidth(undefined, {})).toBe(80);
  });
  it('unicode unless TERM=dumb or a non-UTF-8 locale (LC_ALL before LC_CTYPE before LANG)', () => {
    expect(canShowUnicode({})).toBe(true);
    expect(canShowUnicode({ LANG: 'en_US.UTF-8' })).toBe(true);
    expect(canShowUnicode({ LANG: 'C' })).toBe(false);
    expect(canShowUnicode({ LC_ALL: 'C.UTF-8', LANG: 'C' })).toBe(true);
    expect(canShowUnicode({ LC_CTYPE: 'POSIX', LANG: 'en_US.utf8' })).toBe(false);
    expect(canShowUnicode({ LANG: 'en_US.UTF-8', TERM: 'dumb' })).toBe(false);
    expect(toAscii('✔ ✘ · sk-…abcd │██│')).toBe('+ x - sk-...abcd |##|');
  });
});

describe('wrapping', () => {
  it('prose breaks at spaces with a hanging indent under the list marker', () => {
    const line = `  3. ${'word '.repeat(30).trim()}`;
    const out = wrapProse(line, 40);
    for (const l of out) expect(l.length).toBeLessThanOrEqual(40);
    expect(out.slice(1).every((l) => l.startsWith('     word'))).toBe(true);
    expect(out.join(' ').replace(/\s+/g, ' ')).toBe(line.replace(/\s+/g, ' '));
  });
  it('a shell command wraps with " \\\\" outside quotes, and bash reads it back as the same words', () => {
    const cmd = `curl --resolve api.openai.com:443:127.0.0.1 --cacert /etc/ssl/corp.pem -H "authorization: Bearer $OPENAI_API_KEY" -H 'x y: z w' https://api.openai.com/v1/models   # the key check`;
    const out = wrapCommand(cmd, 7, 60);
    expect(out.length).toBeGreaterThan(2);
    for (const l of out) expect(l.length).toBeLessThanOrEqual(60);
    // bash splits the wrapped text into the same words as the original (curl swapped for printf).
    const words = (text: string) => execFileSync('bash', ['-c', text.replace(/^\s*curl/, "printf '%s\\n'")], { env: { OPENAI_API_KEY: 'K' }, encoding: 'utf8' });
    expect(words(out.join('\n'))).toBe(words(cmd));
    expect(out[out.length - 1]!.trim()).toBe('# the key check');
  });
  it('config snippets are not shell: left whole', () => {
    const snippet = 'circuit_breakers: { thresholds: [{ max_connections: 4096, max_pending_requests: 4096, max_requests: 4096 }] }';
    expect(wrapCommand(snippet, 7, 60)).toEqual([`       ${snippet}`]);
  });
});

describe('--explain helpers', () => {
  it('lists every catalogue code under its stage', () => {
    const text = listCodes();
    for (const e of CATALOGUE) expect(text).toContain(e.code);
    expect(text.indexOf('dns:')).toBeLessThan(text.indexOf('tcp:'));
  });
  it('suggests the nearest codes', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearestCodes('REST_BEFORE_HEADERS')[0]).toBe('RESET_BEFORE_HEADERS');
    expect(nearestCodes('tcp refused')[0]).toBe('TCP_REFUSED');
    expect(nearestCodes('NXDOMAIN')).toContain('DNS_NXDOMAIN');
    expect(nearestCodes('ZZZZZZZZZZZZZZZZZZZZZZZZ')).toEqual([]);
  });
});

describe('curl options', () => {
  it('-H: auth headers and key-looking values are secrets; reserved names refused', () => {
    expect(parseHeader('Authorization: Bearer abc').secret).toBe(true);
    expect(parseHeader('X-Goog-Api-Key: whatever').secret).toBe(true);
    expect(parseHeader('X-Custom: sk-proj-abcdefghijkl').secret).toBe(true);
    expect(parseHeader('OpenAI-Organization: org-42').secret).toBe(false);
    expect(parseHeader('X-Request-Id: 123e4567-e89b-12d3-a456-426614174000').secret).toBe(false);
    expect(looksLikeKey('AIzaSyA1234567890abcdefghijklmnop')).toBe(true);
    expect(() => parseHeader('Host: x')).toThrow(/set by the tool/);
  });
  it('-H: a name with a credential word anywhere is a secret whatever its value (gateways name their own)', () => {
    for (const name of ['X-Custom-Auth', 'Ocp-Apim-Subscription-Key', 'Helicone-Auth', 'cf-aig-authorization', 'X-Session-Token', 'X_Client_Secret', 'X-Portkey-Api-Key', 'x-amz-security-token'])
      expect(parseHeader(`${name}: plainword`).secret, name).toBe(true);
    for (const name of ['OpenAI-Organization', 'anthropic-version', 'X-Request-Id', 'Keep-Alive', 'Accept', 'X-Tokenizer-Mode', 'Monkey'])
      expect(parseHeader(`${name}: plainword`).secret, name).toBe(false);
  });
  it('-H: a long random token without a digit is a secret too (one random 40-character key in a thousand has none)', () => {
    // The value that leaked once: X-Custom-Auth was not a credential name, and the check asked for a digit.
    expect(parseHeader('X-Trace: tok_zgIKFcRYdfwCWhbkweCWdGHUOcFqPIzAzXSEabcd').secret).toBe(true);
    expect(parseHeader('X-Trace: QwErTyUiOpAsDfGhJkLzXcVbNm').secret).toBe(true);
    expect(parseHeader('X-Trace: all-lower-case-words-and-more').secret).toBe(false);
  });
  it('--connect-to: curl semantics, first matching rule, empty parts', () => {
    const rules = [parseConnectTo('api.test:443:127.0.0.1:8443'), parseConnectTo('::gw.internal:')];
    expect(connectTarget(rules, 'api.test', 443)).toMatchObject({ host: '127.0.0.1', port: 8443 });
    expect(connectTarget(rules, 'other.test', 80)).toMatchObject({ host: 'gw.internal', port: 80 });
    expect(parseConnectTo('[::1]:443:[::2]:8443')).toEqual({ host: '::1', port: 443, toHost: '::2', toPort: 8443 });
    expect(() => parseConnectTo('a:1:b')).toThrow(/HOST1:PORT1:HOST2:PORT2/);
    expect(() => parseConnectTo('a:99999:b:1')).toThrow(/out of range/);
  });
});
