/**
 * Configurations written the way production ones are (not the shapes the rules were built on):
 * map-based WebSocket headers, upstream pools, regex locations, variables in proxy_pass,
 * settings inherited from http or server level. Each must get the verdict an nginx expert gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLint, wrapHttp } from '../helpers/lint.js';

const dir = mkdtempSync(join(tmpdir(), 'lint-ho-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
async function lint(http: string) {
  const f = join(dir, `c${n++}.conf`);
  writeFileSync(f, wrapHttp(http));
  const r = await runLint([f, '--json']);
  return r.json!.lint.findings.map((x) => `${x.code}:${x.severity}:${x.line - 2}`);
}

describe('held-out nginx configurations', () => {
  it('WebSocket headers from a map ($connection_upgrade) and settings inherited from server level are seen', async () => {
    const got = await lint(`
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
server {
  listen 80;
  client_max_body_size 20m;
  proxy_http_version 1.1;
  proxy_read_timeout 3600s;
  location /realtime {
    proxy_pass http://127.0.0.1:9000;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
  }
}`);
    expect(got).toEqual([]);
  });

  it('a location that sets one proxy_set_header loses the server\'s Upgrade headers (nginx replaces, not merges)', async () => {
    const got = await lint(`
server {
  listen 80;
  client_max_body_size 20m;
  proxy_http_version 1.1;
  proxy_read_timeout 3600s;
  proxy_set_header Upgrade $http_upgrade;
  proxy_set_header Connection "upgrade";
  location /ws/ {
    proxy_set_header X-Real-IP $remote_addr;
    proxy_pass http://127.0.0.1:9000;
  }
}`);
    expect(got).toEqual(['CONFIG_WEBSOCKET_HEADERS_MISSING:error:9']);
  });

  it('a regex location to the OpenAI API through a variable: buffering and SNI are caught, DNS is not pinned (resolver + variable)', async () => {
    const got = await lint(`
resolver 127.0.0.53 valid=30s;
server {
  listen 80;
  client_max_body_size 20m;
  location ~* ^/v1/(chat/completions|responses)$ {
    set $llm api.openai.com;
    proxy_pass https://$llm;
    proxy_http_version 1.1;
    proxy_read_timeout 600s;
  }
}`);
    expect(got).toEqual(['CONFIG_SSE_BUFFERED:warning:6', 'CONFIG_UPSTREAM_SNI_OFF:error:8']);
  });

  it('an upstream pool to an app container (keepalive, default 60 s idle) races the app\'s 5 s keep-alive; a named provider in proxy_pass is pinned', async () => {
    const got = await lint(`
proxy_ssl_server_name on;
upstream app { server app:8000; keepalive 32; }
server {
  listen 80;
  client_max_body_size 20m;
  proxy_http_version 1.1;
  proxy_read_timeout 600s;
  proxy_buffering off;
  location /api/chat/ { proxy_pass http://app; proxy_set_header Connection ""; }
  location /v1/ { proxy_pass https://api.anthropic.com; }
}`);
    expect(got).toEqual(['CONFIG_KEEPALIVE_RACE:warning:3', 'CONFIG_UPSTREAM_DNS_PINNED:warning:11']);
  });

  it('gzip set once at http level reaches a streaming location deep inside; proxy_buffering off there makes it a warning', async () => {
    const got = await lint(`
gzip on;
gzip_types text/plain application/json text/event-stream;
client_max_body_size 20m;
proxy_http_version 1.1;
proxy_read_timeout 600s;
server {
  listen 80;
  location /api/ {
    location /api/stream/ { proxy_pass http://127.0.0.1:3000; proxy_buffering off; }
  }
}`);
    expect(got).toEqual(['CONFIG_GZIP_EVENT_STREAM:warning:3']);
  });
});
