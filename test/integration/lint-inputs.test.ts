/**
 * `diagnose lint` on real files: includes and `nginx -T` dumps, HAProxy and Envoy, and the bad
 * inputs (unknown kind, binary, include loop, missing include, 50 MB) that must end in one line
 * on stderr and exit 2.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nginxPath } from '../../fixtures/nginx.js';
import { codes, runLint } from '../helpers/lint.js';

const dir = mkdtempSync(join(tmpdir(), 'lint-in-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};

describe('nginx with includes', () => {
  it('follows include globs relative to the main file and names the included file and line', async () => {
    const main = file('inc/nginx.conf', 'events {}\nhttp {\n  include conf.d/*.conf;\n}\n');
    file('inc/conf.d/a.conf', 'server {\n  listen 80;\n  location /v1/ {\n    proxy_pass https://api.openai.com;\n  }\n}\n');
    const r = await runLint([main, '--json']);
    expect(r.code).toBe(1);
    expect(r.json!.lint.files).toEqual([main, join(dir, 'inc/conf.d/a.conf')]);
    const sni = r.json!.lint.findings.find((f) => f.code === 'CONFIG_UPSTREAM_SNI_OFF')!;
    expect(sni).toMatchObject({ file: join(dir, 'inc/conf.d/a.conf'), line: 4, severity: 'error' });
    expect(codes(r)).toEqual(expect.arrayContaining(['CONFIG_SSE_BUFFERED', 'CONFIG_UPSTREAM_DNS_PINNED', 'CONFIG_BODY_LIMIT_LOW', 'CONFIG_TIMEOUT_TOO_SHORT']));
  });

  it('reads the output of nginx -T (here of real nginx), from stdin too, with the dumped file names', async () => {
    const bin = nginxPath();
    const prefix = join(dir, 'dump');
    const main = file('dump/nginx.conf', `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n  include ${prefix}/site.conf;\n}\n`);
    file('dump/site.conf', `gzip on;\ngzip_types text/event-stream;\nserver {\n  listen 127.0.0.1:9;\n  location /stream/ {\n    proxy_pass http://127.0.0.1:3000;\n    proxy_http_version 1.1;\n  }\n}\n`);
    const dump = bin
      ? execFileSync(bin, ['-p', prefix, '-c', main, '-T'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      : `# configuration file ${main}:\nevents {}\nhttp { include ${prefix}/site.conf; }\n\n# configuration file ${prefix}/site.conf:\n${'gzip on;\ngzip_types text/event-stream;\nserver { listen 80; location /stream/ { proxy_pass http://127.0.0.1:3000; proxy_http_version 1.1; } }'}\n`;
    const r = await runLint(['-', '--json'], dump);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json!.lint.file).toBe('stdin');
    const gz = r.json!.lint.findings.find((f) => f.code === 'CONFIG_GZIP_EVENT_STREAM')!;
    expect(gz).toMatchObject({ file: `${prefix}/site.conf`, line: 2, severity: 'error' });
  });
});

describe('HAProxy and Envoy', () => {
  it('HAProxy: timeout server in milliseconds, ssl without sni, a name without resolvers, http-response headers, a 403 rate limit', async () => {
    const cfg = file('haproxy.cfg', `global\n  daemon\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30000\nfrontend fe\n  bind :8080\n  http-request track-sc0 src table be\n  http-request deny if { sc_http_req_rate(0) gt 20 }\n  http-response set-header Access-Control-Allow-Origin https://app.example.com\n  default_backend be\nbackend be\n  stick-table type ip size 1m expire 10s store http_req_rate(10s)\n  server api api.openai.com:443 ssl verify required ca-file /etc/ssl/certs/ca-certificates.crt\n`);
    const r = await runLint([cfg, '--json']);
    expect(r.json!.lint.kind).toBe('haproxy');
    const by = Object.fromEntries(r.json!.lint.findings.map((f) => [f.code, f]));
    expect(by.CONFIG_TIMEOUT_TOO_SHORT).toMatchObject({ line: 7, severity: 'error', details: { directive: 'timeout server', seconds: 30 } });
    expect(by.CONFIG_UPSTREAM_SNI_OFF).toMatchObject({ line: 16 });
    expect(by.CONFIG_UPSTREAM_DNS_PINNED).toMatchObject({ line: 16 });
    expect(by.CONFIG_ADD_HEADER_NOT_ALWAYS).toMatchObject({ line: 12 });
    expect(by.CONFIG_RATE_LIMIT_503).toMatchObject({ line: 11, details: { status: 403 } });
    expect(r.code).toBe(1);
  });

  const ENVOY = `static_resources:
  listeners:
  - name: l
    address: { socket_address: { address: 0.0.0.0, port_value: 8080 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/v1/" }
                route: { cluster: openai }
              - match: { prefix: "/realtime" }
                route: { cluster: app, timeout: 0s }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
  - name: openai
    type: LOGICAL_DNS
    load_assignment:
      cluster_name: openai
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: api.openai.com, port_value: 443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
  - name: app
    type: STATIC
    load_assignment:
      cluster_name: app
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 3000 } } }
`;

  it('Envoy YAML: the 15 s default route timeout, a WebSocket route without upgrade_configs, TLS without sni, an hour-long idle pool to a local app', async () => {
    const r = await runLint([file('envoy.yaml', ENVOY), '--json']);
    expect(r.json!.lint.kind).toBe('envoy');
    const by = Object.fromEntries(r.json!.lint.findings.map((f) => [f.code, f]));
    expect(by.CONFIG_TIMEOUT_TOO_SHORT).toMatchObject({ line: 17, severity: 'error', details: { directive: 'route.timeout', seconds: 15 } });
    expect(by.CONFIG_WEBSOCKET_HEADERS_MISSING).toMatchObject({ line: 18 });
    expect(by.CONFIG_UPSTREAM_SNI_OFF).toMatchObject({ line: 31 }); // the transport_socket: key's own line
    expect(by.CONFIG_KEEPALIVE_RACE).toMatchObject({ details: { idleTimeoutSeconds: 3600 } });
    expect(r.code).toBe(1);
  });

  it('Envoy as JSON reads the same, with lines', async () => {
    const { parse } = await import('yaml');
    const r = await runLint([file('envoy.json', JSON.stringify(parse(ENVOY), null, 2)), '--json']);
    expect(r.json!.lint.kind).toBe('envoy');
    expect(codes(r)).toEqual(expect.arrayContaining(['CONFIG_TIMEOUT_TOO_SHORT', 'CONFIG_WEBSOCKET_HEADERS_MISSING', 'CONFIG_UPSTREAM_SNI_OFF']));
    expect(r.json!.lint.findings.every((f) => f.line > 1)).toBe(true);
  });

  it('fixed as the remediation says, the Envoy config lints clean', async () => {
    const fixed = ENVOY.replace('route: { cluster: openai }', 'route: { cluster: openai, timeout: 600s }')
      .replace('stat_prefix: ingress', 'stat_prefix: ingress\n          upgrade_configs:\n          - upgrade_type: websocket')
      .replace('tls.v3.UpstreamTlsContext\n', 'tls.v3.UpstreamTlsContext\n        sni: api.openai.com\n')
      .replace('  - name: app\n    type: STATIC\n', '  - name: app\n    type: STATIC\n    typed_extension_protocol_options:\n      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n        common_http_protocol_options: { idle_timeout: 4s }\n        explicit_http_config: { http_protocol_options: {} }\n');
    const r = await runLint([file('envoy-fixed.yaml', fixed), '--json']);
    expect(r.json!.lint.findings, r.stdout).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('bad input: one line on stderr, exit 2', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['a file of no known kind', () => file('notes.txt', 'Dear team,\nthe proxy is slow.\n'), /not a configuration lint knows/],
    ['YAML that is not an Envoy bootstrap', () => file('k8s.yaml', 'apiVersion: v1\nkind: Pod\n'), /not an Envoy bootstrap|not a configuration/],
    ['a binary file', () => file('blob.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3])), /binary/],
    ['text that is not UTF-8', () => file('latin.conf', Buffer.from([0x68, 0x74, 0x74, 0x70, 0x20, 0xff, 0xfe, 0x7b])), /not UTF-8/],
    ['an include loop', () => { file('loop/b.conf', 'include a.conf;\n'); return file('loop/a.conf', 'events {}\ninclude b.conf;\n'); }, /include loop: .*a\.conf -> .*b\.conf -> .*a\.conf/],
    ['a missing include', () => file('miss/nginx.conf', 'events {}\nhttp {\n  include sites/api.conf;\n}\n'), /nginx\.conf:3: include sites\/api\.conf: no such file/],
    ['an unclosed block', () => file('open.conf', 'events {}\nhttp {\n  server {\n    listen 80;\n'), /open\.conf:\d+: this block is never closed/],
    ['a file that does not exist', () => join(dir, 'nope.conf'), /no such file/],
    ['a directory', () => dir, /a directory/],
    ['a 50 MB file', () => { const p = file('big.conf', 'events {}\n'); truncateSync(p, 50 * 1024 * 1024); return p; }, /too large/],
  ];
  it.each(cases)('%s', async (_name, make, message) => {
    const r = await runLint([make(), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('50 MB on stdin is refused without holding it', async () => {
    const r = await runLint(['-'], 'x'.repeat(50 * 1024 * 1024));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stdin: more than 8\.0 MiB/);
  });

  it('no file, an unknown option, a wrong --kind: usage, exit 2', async () => {
    for (const args of [[], ['--bogus', 'x'], ['x.conf', '--kind', 'apache']]) {
      const r = await runLint(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^diagnose lint: /);
    }
  });
});

describe('output', () => {
  it('human output reads like a linter: file:line severity CODE, evidence, fix with the snippet; --strict fails on warnings', async () => {
    const p = file('warn.conf', 'events {}\nhttp {\n  client_max_body_size 10m;\n  server {\n    listen 80;\n    add_header X-Frame-Options DENY;\n  }\n}\n');
    const r = await runLint([p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${p}:6  warning  CONFIG_ADD_HEADER_NOT_ALWAYS`);
    expect(r.stdout).toMatch(/fix: Add "always"/);
    expect(r.stdout).toMatch(/1 problem \(0 errors, 1 warning\)/);
    expect((await runLint([p, '--strict'])).code).toBe(1);
  });
});
