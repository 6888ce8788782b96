/**
 * Helpers of the lint tests: run `diagnose lint` in-process (its JSON validated against
 * schema/lint.schema.json), the reference document's nginx setup adapted to loopback, and real
 * nginx started on a config file lint can read (checked with `nginx -t` first).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { main } from '../../src/cli.js';
import { nginxPath, writeNginxConf } from '../../fixtures/nginx.js';
import { removeDir, startOnFreePort, tempDir } from '../../fixtures/daemon.js';

const run = promisify(execFile);
export const LINT_SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../schema/lint.schema.json', import.meta.url)), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(LINT_SCHEMA);
const CERTS = fileURLToPath(new URL('../../fixtures/certs/', import.meta.url));

export interface LintJson {
  schemaVersion: 1;
  lint: {
    file: string;
    kind: string;
    files: string[];
    findings: Array<{ code: string; severity: string; file: string; line: number; directive: string; evidence: string[]; remediation: Array<{ text: string; command?: string }>; details: Record<string, unknown> }>;
  };
}

export interface LintRun {
  code: number;
  stdout: string;
  stderr: string;
  json?: LintJson;
}

/** `diagnose lint ARGS` in-process; with --json the output must match the published schema. */
export async function runLint(args: string[], stdin?: string): Promise<LintRun> {
  let stdout = '';
  let stderr = '';
  const { Readable } = await import('node:stream');
  const code = await main(['lint', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: stdin !== undefined ? Readable.from([stdin]) : undefined,
    env: { NO_COLOR: '1' },
    stdoutIsTTY: false,
    stderrIsTTY: false,
  });
  let json: LintJson | undefined;
  if (args.includes('--json') && code !== 2) {
    json = JSON.parse(stdout) as LintJson;
    if (!validate(json)) throw new Error(`lint JSON does not match schema/lint.schema.json: ${JSON.stringify(validate.errors)}`);
  }
  return { code, stdout, stderr, json };
}

export const codes = (r: LintRun) => (r.json?.lint.findings ?? []).map((f) => f.code);

/**
 * The reference document's setup (../shared/reference/nginx-ai-api-proxy.txt), every block of it,
 * adapted to loopback: listen on 127.0.0.1 ports, the fixture certificate, the upstream on `up`,
 * the two /api/ blocks (rate limit, CORS) merged into one, as nginx allows one location per path.
 */
export function referenceHttp(o: { port: number; redirectPort: number; up: number; logDir: string }): string {
  return `
  limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;
  limit_req_zone $binary_remote_addr zone=ai:10m rate=2r/s;
  log_format api '$remote_addr - $remote_user [$time_local] '
                 '"$request" $status $body_bytes_sent '
                 '"$http_referer" $request_time';
  client_max_body_size 10m;

  server {
    listen 127.0.0.1:${o.redirectPort};
    server_name api.stevecv.com;
    return 301 https://$server_name$request_uri;
  }

  server {
    listen 127.0.0.1:${o.port} ssl;
    server_name api.stevecv.com;
    ssl_certificate ${join(CERTS, 'valid.pem')};
    ssl_certificate_key ${join(CERTS, 'valid-key.pem')};
    access_log ${o.logDir}/api.access.log api;

    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;
    add_header X-XSS-Protection "1; mode=block" always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Content-Security-Policy "default-src 'self'" always;

    location / {
      proxy_pass http://127.0.0.1:${o.up};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }

    location /api/ {
      limit_req zone=api burst=20 nodelay;
      add_header Access-Control-Allow-Origin "https://stevecv.com" always;
      add_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;
      add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
      add_header Access-Control-Max-Age 86400 always;
      if ($request_method = OPTIONS) {
        return 204;
      }
      proxy_pass http://127.0.0.1:${o.up};
    }

    location /api/generate/ {
      limit_req zone=ai burst=5 nodelay;
      proxy_pass http://127.0.0.1:${o.up};
    }

    location /api/stream/ {
      proxy_pass http://127.0.0.1:${o.up};
      proxy_http_version 1.1;
      proxy_set_header Connection '';
      proxy_buffering off;
      proxy_cache off;
      chunked_transfer_encoding off;
    }

    location /ws/ {
      proxy_pass http://127.0.0.1:${o.up};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 86400s;
      proxy_send_timeout 86400s;
    }

    location /api/upload/ {
      client_max_body_size 100m;
      proxy_pass http://127.0.0.1:${o.up};
      proxy_read_timeout 300s; # Allow long processing times
    }
  }
`;
}

/** A whole nginx.conf around an http block, for lint-only tests (no daemon). */
export const wrapHttp = (http: string) => `events { worker_connections 64; }\nhttp {\n${http}\n}\n`;

export interface NginxRun {
  url: string;
  port: number;
  /** The nginx.conf nginx runs with: lint reads this very file. */
  confPath: string;
  close(): Promise<void>;
}

/** `nginx -t` on the config, then nginx itself; `http(port)` is the http block's content. */
export async function startCheckedNginx(http: (port: number) => string): Promise<NginxRun> {
  const bin = nginxPath();
  if (!bin) throw new Error('nginx is not installed');
  const prefix = await tempDir('lint-nginx');
  const confPath = join(prefix, 'nginx.conf');
  try {
    const { daemon, port } = await startOnFreePort({
      name: 'nginx',
      bin,
      configure: async (port) => {
        const args = await writeNginxConf(prefix, http(port));
        await run(bin, [...args, '-t']); // throws with nginx's message when the config is refused
        return args;
      },
      log: () => Promise.resolve(readFileSync(join(prefix, 'error.log'), 'utf8')),
      portTaken: /Address already in use/,
    });
    return { url: `http://127.0.0.1:${port}`, port, confPath, close: async () => { await daemon.stop(); await removeDir(prefix); } };
  } catch (e) {
    await removeDir(prefix);
    throw e;
  }
}

/** `nginx -t` of a whole http block under a scratch prefix; resolves with nginx's verdict. */
export async function nginxTest(http: string): Promise<{ ok: boolean; output: string }> {
  const bin = nginxPath()!;
  const prefix = await tempDir('lint-nginx-t');
  try {
    const args = await writeNginxConf(prefix, http);
    try {
      const r = await run(bin, [...args, '-t']);
      return { ok: true, output: r.stderr };
    } catch (e) {
      return { ok: false, output: String((e as { stderr?: string }).stderr ?? e) };
    }
  } finally {
    await removeDir(prefix);
  }
}
