/**
 * Every command of the catalogue, filled for a run with pins, --ca, a client certificate, -H and a
 * proxy with credentials, carries what the run used (no `<target>`-style placeholder, no example
 * host, no secret value).
 */
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { CATALOGUE, fillTemplate } from '../../src/diagnose/catalogue/index.js';
import { targetParams } from '../../src/doctor.js';
import { proxyOf } from '../../src/commands/params.js';

const PASSWORD = 'pr0xy-S3cret-pw';
const HEADER_KEY = 'sk-hdr-9f8e7d6c5b4a3210zz';

/** Values a finding adds to the base ones (what the rules put in `params`). */
const FINDING_PARAMS = {
  server: '10.0.0.53', variable: 'HTTPS_PROXY', flag: '--allow-insecure-key', envoyFlags: 'UF|URX', clientIdleMs: 30000, clientIdleSeconds: 30,
  idleSeconds: 60, idleTimeoutSeconds: 60, iface: 'wg0', mtu: 1380, address: '127.0.0.1', systemBundle: '/etc/ssl/certs/ca-certificates.crt', resolver: '10.0.0.53', httpPort: 80, origin: 'https://app.example.com', wsUrl: 'wss://api.openai.com:8443/v1/realtime',
  schemes: 'Basic', status: 407, lower: 'https_proxy', upper: 'HTTPS_PROXY',
};

function commandsFor(args: string[], env: Record<string, string>) {
  const config = buildConfig(args[0], parse(args.slice(1)));
  const params = { ...targetParams(config, proxyOf(config, env)), ...FINDING_PARAMS };
  const out: Array<{ code: string; command: string }> = [];
  for (const e of CATALOGUE) for (const s of e.steps) if (s.command) out.push({ code: e.code, command: fillTemplate(s.command, params) });
  return out;
}

/** A tiny argv reader for the options this test uses (the CLI's own parser is tested elsewhere). */
function parse(argv: string[]) {
  const raw: Record<string, unknown> = {};
  const multi = new Set(['resolve', 'header', 'connectTo']);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!.replace(/^--?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^H$/, 'header');
    if (multi.has(k)) raw[k] = [...((raw[k] as string[]) ?? []), argv[i + 1]];
    else raw[k] = argv[i + 1];
  }
  return raw;
}

const PLACEHOLDER = /<[a-z][a-z0-9_-]*>|\{[a-zA-Z][a-zA-Z0-9]*\}|USER:PASSWORD|proxy\.example|=\.\.\./;

describe('catalogue commands carry the run', () => {
  const env = { OPENAI_API_KEY: 'sk-test-abcdefghijklmnop1234' };
  const pinned = ['https://api.openai.com:8443/v1', '--resolve', 'api.openai.com:8443:127.0.0.1', '--ca', '/etc/corp/ca.pem', '--cert', '/etc/corp/client.pem', '--key', '/etc/corp/client.key', '-H', `X-Api-Key: ${HEADER_KEY}`, '-H', 'OpenAI-Organization: org-42'];

  it('direct with a pin: curl --resolve/--cacert/--cert, openssl -connect ADDR -servername -CAfile, diagnose with every option', () => {
    const cmds = commandsFor(pinned, env);
    expect(cmds.length).toBeGreaterThan(80);
    for (const { code, command } of cmds) {
      const where = `${code}: ${command}`;
      expect(command, where).not.toMatch(PLACEHOLDER);
      expect(command, where).not.toContain(HEADER_KEY);
      expect(command, where).not.toContain(env.OPENAI_API_KEY);
      for (const line of command.split(/\n|;|&&|\|/)) {
        const l = line.trim();
        if (/^curl\b/.test(l) && !/ifconfig\.me|ipinfo\.io|localhost:(8001|9901|8080)|\$UPSTREAM/.test(l)) {
          expect(l, where).toContain('--resolve api.openai.com:8443:127.0.0.1');
          expect(l, where).toContain('--cacert /etc/corp/ca.pem');
          expect(l, where).toContain('--cert /etc/corp/client.pem --key /etc/corp/client.key');
          expect(l, where).toContain('-H "X-Api-Key: $X_API_KEY"');
          expect(l, where).toContain("-H 'OpenAI-Organization: org-42'");
          expect(l, where).toMatch(/api\.openai\.com:8443/);
        }
        if (/^openssl s_client\b/.test(l) && !l.includes('$UPSTREAM')) {
          expect(l, where).toContain('-connect 127.0.0.1:8443');
          expect(l, where).toMatch(/-servername (api\.openai\.com|example\.invalid)|-noservername/);
          expect(l, where).toContain('-CAfile /etc/corp/ca.pem');
          expect(l, where).toContain('-cert /etc/corp/client.pem -key /etc/corp/client.key');
        }
        if (/^diagnose\b/.test(l)) {
          expect(l, where).toMatch(/^diagnose (https:\/\/api\.openai\.com:8443\/v1|https:\/\/api\.openai\.com\/v1) /);
          expect(l, where).toContain('--resolve api.openai.com:8443:127.0.0.1');
          expect(l, where).toContain('--ca /etc/corp/ca.pem');
        }
        if (/^(nc|tcpdump)\b/.test(l)) expect(l, where).toMatch(/127\.0\.0\.1.*8443/);
      }
      if (/\bcurl\b.*\/v1\/models|\{keyHeaders\}/.test(command) && command.includes('api.openai.com')) expect(command.toLowerCase(), where).toContain('"authorization: bearer $openai_api_key"');
    }
  });

  it('through a proxy with credentials: curl -x with the credentials as variables, openssl -proxy, never the password', () => {
    const args = [...pinned, '--proxy', `http://alice:${PASSWORD}@proxy.corp.test:3128`];
    const cmds = commandsFor(args, env);
    for (const { code, command } of cmds) {
      const where = `${code}: ${command}`;
      expect(command, where).not.toMatch(PLACEHOLDER);
      expect(command, where).not.toContain(PASSWORD);
      expect(command, where).not.toContain('alice');
      for (const line of command.split(/\n|;|&&|\|/)) {
        const l = line.trim();
        if (/^curl\b/.test(l) && !/localhost:(8001|9901|8080)|\$UPSTREAM/.test(l)) {
          expect(l, where).toContain('-x http://proxy.corp.test:3128 --proxy-user "$PROXY_USER:$PROXY_PASS"');
        }
        if (/^openssl s_client\b/.test(l) && !l.includes('$UPSTREAM')) {
          // Through the proxy the name resolves there: -connect names the host, -proxy the proxy.
          expect(l, where).toContain('-connect api.openai.com:8443 -proxy proxy.corp.test:3128 -proxy_user "$PROXY_USER" -proxy_pass env:PROXY_PASS');
          expect(l, where).toContain('-CAfile /etc/corp/ca.pem');
        }
        if (/^diagnose\b/.test(l)) expect(l, where).toContain('--proxy "http://$PROXY_USER:$PROXY_PASS@proxy.corp.test:3128"');
      }
    }
    expect(cmds.some((c) => c.code === 'PROXY_AUTH_REQUIRED' && c.command.includes('export HTTPS_PROXY="http://$PROXY_USER:$PROXY_PASS@proxy.corp.test:3128"'))).toBe(true);
  });

  it('a proxy from HTTPS_PROXY is passed as that variable; the key from a file as $(cat file); anthropic headers', () => {
    const cmds = commandsFor(['https://api.anthropic.com/v1', '--api-key-file', '/run/secrets/anthropic'], { HTTPS_PROXY: `http://bob:${PASSWORD}@10.1.1.1:8080` });
    for (const { command } of cmds) expect(command).not.toContain(PASSWORD);
    const check = cmds.find((c) => c.code === 'PROXY_UNREACHABLE' && c.command.startsWith('curl'));
    expect(check?.command).toBe(`curl -x "$HTTPS_PROXY" -v -H 'anthropic-version: 2023-06-01' -H "x-api-key: $(cat /run/secrets/anthropic)" https://api.anthropic.com/v1/models`);
    expect(cmds.some((c) => c.command.includes('diagnose https://api.anthropic.com/v1 --api-key-file /run/secrets/anthropic --proxy "$HTTPS_PROXY"'))).toBe(true);
  });

  it('TLS_CLIENT_CERT_REQUIRED names --cert and --key for curl and for this tool', () => {
    const cmds = commandsFor(['https://gw.corp.test:9443'], {}).filter((c) => c.code === 'TLS_CLIENT_CERT_REQUIRED');
    expect(cmds.some((c) => c.command.startsWith('curl -sv --cert client.pem --key client-key.pem'))).toBe(true);
    expect(cmds.some((c) => c.command === 'diagnose https://gw.corp.test:9443 --cert client.pem --key client-key.pem')).toBe(true);
  });
});
