/**
 * Rules added in the second round, read offline: Envoy rate limits that answer something else
 * than 429 and its SNI finding on the `transport_socket:` line; HAProxy WebSockets without
 * `timeout tunnel`, keep-alive pools kept past the app server's idle time; nginx add_header levels.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLint, wrapHttp } from '../helpers/lint.js';

const dir = mkdtempSync(join(tmpdir(), 'lint-r2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
async function lint(text: string, ext: string) {
  const f = join(dir, `c${n++}.${ext}`);
  writeFileSync(f, text);
  const r = await runLint([f, '--json']);
  return { r, findings: r.json!.lint.findings, lines: text.split('\n') };
}
const lineOf = (lines: string[], needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;

const envoy = (limit: string) => `static_resources:
  listeners:
  - name: main
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
              - match: { prefix: "/" }
                route: { cluster: openai, timeout: 600s }
          http_filters:
          - name: envoy.filters.http.local_ratelimit
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
              stat_prefix: rl
${limit}              token_bucket: { max_tokens: 10, tokens_per_fill: 10, fill_interval: 1s }
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
`;

describe('second-round lint rules', () => {
  it('Envoy: a local rate limit answering ServiceUnavailable is CONFIG_RATE_LIMIT_503 on its code line; the default (429) and TooManyRequests are not', async () => {
    const bad = await lint(envoy('              status: { code: ServiceUnavailable }\n'), 'yaml');
    const f = bad.findings.find((x) => x.code === 'CONFIG_RATE_LIMIT_503');
    expect(f, bad.r.stdout).toMatchObject({ directive: 'status', line: lineOf(bad.lines, 'ServiceUnavailable'), details: { status: 503 } });
    expect(f!.remediation[0]!.command).toContain('TooManyRequests');
    for (const ok of ['', '              status: { code: TooManyRequests }\n']) {
      const good = await lint(envoy(ok), 'yaml');
      expect(good.findings.map((x) => x.code)).not.toContain('CONFIG_RATE_LIMIT_503');
    }
  });

  it('Envoy: the SNI finding sits on the transport_socket: line of its cluster', async () => {
    const { findings, lines } = await lint(envoy(''), 'yaml');
    expect(findings.find((x) => x.code === 'CONFIG_UPSTREAM_SNI_OFF')).toMatchObject({ line: lineOf(lines, 'transport_socket:') });
  });

  const hap = (extra: string) => `defaults
  mode http
  timeout connect 5s
  timeout client 300s
  timeout server 300s
${extra}frontend fe
  bind :80
  acl is_ws hdr(Upgrade) -i websocket
  use_backend ws if is_ws
  default_backend app
backend ws
  server w1 127.0.0.1:4000
backend app
  server a1 127.0.0.1:3000
`;

  it('HAProxy: WebSockets routed without timeout tunnel live only as long as timeout client/server; 1h tunnel is clean', async () => {
    const shortIdle = await lint(hap('').replace(/300s/g, '50s'), 'cfg');
    const f = shortIdle.findings.filter((x) => x.directive === 'timeout tunnel');
    expect(f.length, shortIdle.r.stdout).toBeGreaterThan(0);
    expect(f[0]).toMatchObject({ code: 'CONFIG_TIMEOUT_TOO_SHORT', severity: 'error', details: { seconds: 50 } });
    const fixed = await lint(hap('  timeout tunnel 1h\n').replace(/300s/g, '50s'), 'cfg');
    expect(fixed.findings.filter((x) => x.directive === 'timeout tunnel')).toEqual([]);
    const long = await lint(hap(''), 'cfg');
    expect(long.findings, long.r.stdout).toEqual([]);
  });

  it('HAProxy: pool-purge-delay 30s to an app server of our own is CONFIG_KEEPALIVE_RACE; 2s is clean', async () => {
    const bad = await lint(hap('').replace('server a1 127.0.0.1:3000', 'server a1 127.0.0.1:3000 pool-purge-delay 30s'), 'cfg');
    expect(bad.findings.find((x) => x.code === 'CONFIG_KEEPALIVE_RACE')).toMatchObject({ directive: 'pool-purge-delay', details: { idleTimeoutSeconds: 30 } });
    const good = await lint(hap('').replace('server a1 127.0.0.1:3000', 'server a1 127.0.0.1:3000 pool-purge-delay 2s'), 'cfg');
    expect(good.findings).toEqual([]);
  });

  it('nginx: a nested location with add_header of its own drops its parent location\'s headers; http-level headers reach servers without add_header', async () => {
    const text = wrapHttp(`  add_header X-Frame-Options DENY always;
  server {
    listen 8080;
    location /api/ {
      add_header X-Content-Type-Options nosniff always;
      proxy_pass http://127.0.0.1:3000;
      proxy_http_version 1.1;
      location /api/cors/ {
        add_header Access-Control-Allow-Origin "https://a.example" always;
        proxy_pass http://127.0.0.1:3000;
        proxy_http_version 1.1;
      }
    }
  }`);
    const { findings, lines } = await lint(text, 'conf');
    const dropped = findings.filter((x) => x.code === 'CONFIG_ADD_HEADER_NOT_INHERITED').map((x) => [x.line, x.details.dropped]);
    expect(dropped).toEqual([[lineOf(lines, 'nosniff'), 'X-Frame-Options'], [lineOf(lines, 'Access-Control'), 'X-Content-Type-Options']]);
  });
});
