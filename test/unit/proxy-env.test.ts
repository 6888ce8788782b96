import { describe, expect, it } from 'vitest';
import { caseConflicts, chooseProxy, displayProxy, isLocalHost, parseProxyUrl, proxyCredentials, type ProxyQuery } from '../../src/net/proxy/env.js';
import { noProxyMatch } from '../../src/net/proxy/no-proxy.js';

const https = (host = 'api.openai.com', port = 443): ProxyQuery => ({ scheme: 'https', host, port, ignoreEnv: false });
const http = (host = 'localhost', port = 11434): ProxyQuery => ({ scheme: 'http', host, port, ignoreEnv: false });

describe('NO_PROXY matching as curl does it', () => {
  const cases: Array<[list: string, host: string, port: number, expected: string | undefined]> = [
    ['*', 'api.openai.com', 443, 'wildcard'],
    ['api.openai.com', 'api.openai.com', 443, 'exact'],
    ['API.OpenAI.com', 'api.openai.com', 443, 'exact'],
    ['openai.com', 'api.openai.com', 443, 'suffix'],
    ['.openai.com', 'api.openai.com', 443, 'suffix'],
    ['.openai.com', 'openai.com', 443, 'exact'], // curl drops the leading dot
    ['*.openai.com', 'api.openai.com', 443, 'suffix'],
    ['penai.com', 'api.openai.com', 443, undefined], // label boundary
    ['ai.com', 'api.openai.com', 443, undefined],
    ['openai.com.', 'api.openai.com', 443, 'suffix'],
    ['api.openai.com', 'api.openai.com.', 443, 'exact'],
    ['localhost, 127.0.0.1 ,api.openai.com', 'api.openai.com', 443, 'exact'],
    ['localhost 127.0.0.1', '127.0.0.1', 443, 'exact'],
    ['example.com,,', 'api.openai.com', 443, undefined],
    ['api.openai.com:443', 'api.openai.com', 443, 'exact'],
    ['api.openai.com:8443', 'api.openai.com', 443, undefined],
    ['127.0.0.1', '127.0.0.1', 8080, 'exact'],
    ['127.0.0.1', '127.0.0.2', 8080, undefined],
    ['127.0.0.0/8', '127.1.2.3', 80, 'cidr'],
    ['10.0.0.0/8', '11.0.0.1', 80, undefined],
    ['192.168.0.0/16', '192.168.44.1', 80, 'cidr'],
    ['::1', '::1', 443, 'exact'],
    ['[::1]', '::1', 443, 'exact'],
    ['[::1]:443', '::1', 443, 'exact'],
    ['[::1]:80', '::1', 443, undefined],
    ['fd00::/8', 'fd12:3456::1', 443, 'cidr'],
    ['fd00::/8', 'fe80::1', 443, undefined],
    ['127.0.0.0/8', '::1', 443, undefined], // families never mix
    ['127.0.0.1', 'localhost', 443, undefined], // names are not resolved
    ['openai.com', '1.2.3.4', 443, undefined],
  ];
  it.each(cases)('%s vs %s:%i -> %s', (list, host, port, expected) => {
    expect(noProxyMatch(list, host, port)?.kind).toBe(expected);
  });
});

describe('which proxy variable wins (curl order)', () => {
  it('https: lower case before upper case, then all_proxy, ALL_PROXY', () => {
    expect(chooseProxy(https(), { https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }).proxy?.display).toBe('http://a:1');
    expect(chooseProxy(https(), { HTTPS_PROXY: 'http://b:2', all_proxy: 'http://c:3' }).from).toBe('HTTPS_PROXY');
    expect(chooseProxy(https(), { all_proxy: 'http://c:3', ALL_PROXY: 'http://d:4' }).from).toBe('all_proxy');
    expect(chooseProxy(https(), { ALL_PROXY: 'http://d:4' }).from).toBe('ALL_PROXY');
  });
  it('https ignores http_proxy and HTTP_PROXY', () => {
    const d = chooseProxy(https(), { http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2' });
    expect(d.proxy).toBeUndefined();
    expect(d.reason).toMatch(/^direct/);
  });
  it('http reads only lower-case http_proxy; upper-case HTTP_PROXY is ignored, as curl does', () => {
    expect(chooseProxy(http(), { http_proxy: 'http://a:1' }).from).toBe('http_proxy');
    const d = chooseProxy(http(), { HTTP_PROXY: 'http://b:2' });
    expect(d.proxy).toBeUndefined();
    expect(d.reason).toContain('HTTP_PROXY');
    expect(chooseProxy(http(), { HTTP_PROXY: 'http://b:2', ALL_PROXY: 'http://d:4' }).from).toBe('ALL_PROXY');
  });
  it('an empty variable counts as unset', () => {
    expect(chooseProxy(https(), { https_proxy: '', HTTPS_PROXY: 'http://b:2' }).from).toBe('HTTPS_PROXY');
  });
  it('NO_PROXY sends the run direct and says which entry', () => {
    const d = chooseProxy(https(), { HTTPS_PROXY: 'http://b:2', no_proxy: '.openai.com' });
    expect(d.proxy).toBeUndefined();
    expect(d.noProxy).toMatchObject({ variable: 'no_proxy', entry: '.openai.com', kind: 'suffix' });
    expect(d.from).toBe('HTTPS_PROXY');
  });
  it('no_proxy is read before NO_PROXY', () => {
    const d = chooseProxy(https(), { HTTPS_PROXY: 'http://b:2', no_proxy: 'example.com', NO_PROXY: 'openai.com' });
    expect(d.proxy?.display).toBe('http://b:2');
  });
  it('--proxy wins over the variables and over NO_PROXY (reported), --proxy "" turns proxies off', () => {
    const env = { HTTPS_PROXY: 'http://b:2', NO_PROXY: '*' };
    const d = chooseProxy({ ...https(), explicit: 'http://x:9' }, env);
    expect(d.proxy?.display).toBe('http://x:9');
    expect(d.from).toBe('--proxy');
    expect(d.noProxy?.kind).toBe('wildcard');
    expect(chooseProxy({ ...https(), explicit: '' }, env).proxy).toBeUndefined();
  });
  it('--no-proxy ignores every variable', () => {
    expect(chooseProxy({ ...https(), ignoreEnv: true }, { HTTPS_PROXY: 'http://b:2' }).proxy).toBeUndefined();
  });
  it('an unusable value goes direct and says why, without repeating the value', () => {
    const d = chooseProxy(https(), { HTTPS_PROXY: 'socks5://user:secretpw@h:1080' });
    expect(d.proxy).toBeUndefined();
    expect(d.invalid?.from).toBe('HTTPS_PROXY');
    expect(JSON.stringify(d)).not.toContain('secretpw');
  });
});

describe('proxy URLs', () => {
  it('a missing scheme means http://; the display drops credentials', () => {
    const p = parseProxyUrl('user:pa%40ss@proxy.corp:3128');
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.url.protocol).toBe('http:');
    expect(displayProxy(p.url)).toBe('http://proxy.corp:3128');
    expect(proxyCredentials(p.url)).toEqual({ user: 'user', password: 'pa@ss', basic: Buffer.from('user:pa@ss').toString('base64') });
  });
  it.each([
    ['', false],
    ['ftp://p:21', false],
    ['socks5h://p:1080', false],
    ['https://p:443', true],
    ['http://[::1]:3128', true],
    ['http://', false],
  ])('%s -> ok=%s', (text, ok) => {
    expect(parseProxyUrl(text).ok).toBe(ok);
  });
});

describe('case conflicts and local hosts', () => {
  it('finds pairs that differ, ignoring equal or one-sided ones', () => {
    expect(caseConflicts({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', http_proxy: 'x', HTTP_PROXY: 'x', ALL_PROXY: 'y' })).toEqual([
      { lower: 'https_proxy', upper: 'HTTPS_PROXY' },
    ]);
    expect(caseConflicts({ no_proxy: 'a', NO_PROXY: 'b' })).toEqual([{ lower: 'no_proxy', upper: 'NO_PROXY' }]);
  });
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['172.32.0.1', false],
    ['::1', true],
    ['ollama', true],
    ['api.openai.com', false],
    ['8.8.8.8', false],
  ])('%s local=%s', (host, local) => {
    expect(isLocalHost(host)).toBe(local);
  });
});
