import { describe, expect, it } from 'vitest';
import { hostsEntriesFor, parseHosts } from '../../src/net/dns/hosts.js';
import { parseResolvConf } from '../../src/net/dns/resolvconf.js';
import { isWellKnownApiHost } from '../../src/diagnose/well-known-hosts.js';

describe('hosts file', () => {
  const text = '# comment\n127.0.0.1 localhost\n\n10.0.0.5  API.openai.com  openai # pinned\n::1 localhost ip6-localhost\n';
  it('parses lines, lower-cases names and keeps line numbers', () => {
    const entries = parseHosts(text);
    expect(hostsEntriesFor(entries, 'api.openai.com')).toEqual([{ address: '10.0.0.5', names: ['api.openai.com', 'openai'], line: 4 }]);
    expect(hostsEntriesFor(entries, 'localhost').map((e) => e.line)).toEqual([2, 5]);
    expect(hostsEntriesFor(entries, 'api.anthropic.com')).toEqual([]);
  });
});

describe('resolv.conf', () => {
  it('reads nameservers, search and options, ignoring comments and zone ids', () => {
    const conf = parseResolvConf('# x\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nsearch corp.example lab.example\noptions ndots:2 timeout:1 ; c\n');
    expect(conf).toEqual({ nameservers: ['127.0.0.53', 'fe80::1'], search: ['corp.example', 'lab.example'], options: ['ndots:2', 'timeout:1'] });
  });
  it('an empty file has no nameservers', () => {
    expect(parseResolvConf('').nameservers).toEqual([]);
  });
});

describe('well-known API names', () => {
  it.each([
    ['api.openai.com', true],
    ['API.OpenAI.com.', true],
    ['myres.openai.azure.com', true],
    ['openai.azure.com', false],
    ['us-central1-aiplatform.googleapis.com', true],
    ['api.openai.com.evil.test', false],
    ['llm-gateway.corp.example', false],
  ])('%s -> %s', (host, expected) => {
    expect(isWellKnownApiHost(host)).toBe(expected);
  });
});
