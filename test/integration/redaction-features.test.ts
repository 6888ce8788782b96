/**
 * The redaction audit, extended to the features built after it (review 12): --curl, -v, the
 * fleet (targets on the command line and --config, every format), diagnose serve (/probe,
 * /metrics, the status page), diagnose lint, --gateway, --keepalive, --repeat. The secrets: the
 * key (from a variable, a file, a URL's ?key=), -H secret header values, a proxy password, a
 * --key file's contents, and a key pasted into the YAML config as a value. None of 8 characters
 * of any of them may appear in stdout, stderr, an --output file or an HTTP answer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { freePort } from '../../fixtures/daemon.js';
import { startEchoServer, type EchoFixture } from '../../fixtures/echo-server.js';
import { FORMATS } from '../../src/config.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { startServe } from '../helpers/serve.js';

function makeKey(prefix = 'sk-'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `${prefix}${[...randomBytes(40)].map((b) => alphabet[b % 62]).join('')}`;
}

function leaks(text: string, ...secrets: string[]): string[] {
  const out: string[] = [];
  for (const s of secrets) for (let i = 0; i + 8 <= s.length; i++) if (text.includes(s.slice(i, i + 8))) out.push(s.slice(i, i + 8));
  return out;
}

let echo: EchoFixture;
let ok: EchoFixture;
let dir: string;
beforeAll(async () => {
  echo = await startEchoServer({ status: 401 });
  ok = await startEchoServer({ status: 200 });
  dir = mkdtempSync(join(tmpdir(), 'ud-redaction-features-'));
});
afterAll(async () => {
  await Promise.all([echo?.close(), ok?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('--curl and -v', () => {
  it('--curl: the key, a secret -H value, a proxy password and a ?key= are variables or placeholders, never values', async () => {
    const key = makeKey();
    const header = makeKey('tok_');
    const pass = makeKey('pw');
    const urlKey = makeKey('AIza');
    const run = await runCli(
      [`${echo.url}/v1beta/models?key=${urlKey}`, '--provider', 'gemini', '--api-key-env', 'K', '-H', `X-Custom-Auth: ${header}`, '--proxy', `http://user:${pass}@127.0.0.1:9/`, '--curl'],
      { env: cleanEnv({ K: key }) },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('curl');
    expect(leaks(run.stdout + run.stderr, key, header, pass, urlKey)).toEqual([]);
    // The URL's key is the variable the run reads it from: a pasted command sends the right key.
    expect(run.stdout).toContain('/v1beta/models?key=$K"');
    expect(run.stdout).toContain(`diagnose "${echo.url}/v1beta/models?key=$K"`);
  });

  it('--curl: a credential under a name the code does not list (an API manager\'s subscription-key) is a variable too', async () => {
    const sub = makeKey('');
    const run = await runCli([`${echo.url}/openai?subscription-key=${sub}&api-version=2024-06-01`, '--provider', 'azure-openai', '--curl'], { env: cleanEnv() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('/openai/models?subscription-key=$SUBSCRIPTION_KEY&api-version=2024-06-01"');
    expect(leaks(run.stdout + run.stderr, sub)).toEqual([]);
  });

  it('--curl with -H "Authorization: Bearer ...": the scheme word stays (a [REDACTED] in a printed command would break it)', async () => {
    const header = makeKey();
    const run = await runCli([`${echo.url}/v1`, '--provider', 'openai-compatible', '-H', `Authorization: Bearer ${header}`, '--curl'], { env: cleanEnv() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('-H "Authorization: Bearer $AUTHORIZATION"');
    expect(run.stdout).not.toContain('[REDACTED]');
    expect(leaks(run.stdout + run.stderr, header)).toEqual([]);
  });

  it('several targets: --curl prints each target\'s commands and probes nothing; -q the table only; -v the heads, masked', async () => {
    const key = makeKey();
    const header = makeKey('tok_');
    const before = echo.received().length;
    const curl = await runCli([`${echo.url}/v1`, `${ok.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '-H', `X-Api-Key: ${header}`, '--curl'], { env: cleanEnv({ K: key }) });
    expect(curl.code, curl.stderr).toBe(0);
    expect(curl.stdout).toContain(`# ── ${echo.url}/v1 ──`);
    expect(curl.stdout).toContain(`# ── ${ok.url}/v1 ──`);
    expect(curl.stdout.match(/^curl /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(echo.received().length).toBe(before);
    const quiet = await runCli([`${echo.url}/v1`, `${ok.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '-q', '--timeout', '5s'], { env: cleanEnv({ K: key }) });
    expect(quiet.stdout.trim().split('\n')).toHaveLength(3);
    expect(quiet.stdout).toMatch(/^target\s+verdict\s+exit/);
    const verbose = await runCli([`${echo.url}/v1`, `${ok.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '-H', `X-Api-Key: ${header}`, '-v', '--timeout', '5s'], { env: cleanEnv({ K: key }) });
    expect(verbose.stderr).toContain(`── ${ok.url}/v1 ──`);
    expect(verbose.stderr).toMatch(/> GET \/v1\/models/);
    for (const r of [curl, quiet, verbose]) expect(leaks(r.stdout + r.stderr, key, header)).toEqual([]);
  });

  it('-v: request heads are shown with the key, a secret -H value and the ?key= masked', async () => {
    const key = makeKey();
    const header = makeKey('tok_');
    const run = await runCli([`${echo.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '-H', `X-Api-Key: ${header}`, '-v', '--timeout', '5s'], { env: cleanEnv({ K: key }) });
    expect(run.stderr).toMatch(/> GET|GET \//);
    expect(leaks(run.stdout + run.stderr, key, header)).toEqual([]);
    expect(echo.received()).toContain(key);
    expect(echo.received()).toContain(header);
  });
});

describe('several targets', () => {
  it.each([...FORMATS])('command line, format %s: the key and a secret -H value appear nowhere', async (format) => {
    const key = makeKey();
    const header = makeKey('tok_');
    const out = join(dir, `fleet-args-${format}.out`);
    const summary = join(dir, `fleet-args-${format}.summary`);
    writeFileSync(summary, '');
    const run = await runCli(
      [`${echo.url}/v1`, `${ok.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '-H', `X-Api-Key: ${header}`, '--format', format, '--output', out, '--timeout', '5s'],
      { env: cleanEnv({ K: key, GITHUB_STEP_SUMMARY: summary }) },
    );
    expect(run.stdout.length).toBeGreaterThan(0);
    const places = { stdout: run.stdout, stderr: run.stderr, output: readFileSync(out, 'utf8'), summary: readFileSync(summary, 'utf8') };
    for (const [where, text] of Object.entries(places)) expect(leaks(text, key, header), where).toEqual([]);
    expect(echo.received().some((r) => r.includes(header))).toBe(true);
  });

  it.each([...FORMATS])('--config, format %s: keys from a variable and a file, a ?key= URL, a proxy password', async (format) => {
    const key1 = makeKey();
    const key2 = makeKey();
    const urlKey = makeKey('AIza');
    const pass = makeKey('pw');
    const deadPort = await freePort();
    const keyFile = join(dir, `k2-${format}`);
    writeFileSync(keyFile, `${key2}\n`, { mode: 0o600 });
    const cfg = join(dir, `fleet-${format}.yaml`);
    writeFileSync(
      cfg,
      [
        'defaults:',
        '  timeout: 5s',
        'targets:',
        '  one:',
        `    url: ${echo.url}/v1`,
        '    provider: openai-compatible',
        '    api-key-env: K1',
        '  two:',
        `    url: ${ok.url}/v1`,
        '    provider: openai-compatible',
        `    api-key-file: ${keyFile}`,
        '  three:',
        `    url: ${echo.url}/v1beta/models?key=${urlKey}`,
        '    provider: gemini',
        '  four:',
        `    url: ${ok.url}/v1`,
        `    proxy: http://user:${pass}@127.0.0.1:${deadPort}`,
        '',
      ].join('\n'),
    );
    const out = join(dir, `fleet-config-${format}.out`);
    const run = await runCli(['--config', cfg, '--format', format, '--output', out], { env: cleanEnv({ K1: key1 }) });
    expect(run.stdout.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries({ stdout: run.stdout, stderr: run.stderr, output: readFileSync(out, 'utf8') })) expect(leaks(text, key1, key2, urlKey, pass), where).toEqual([]);
  });
});

/** A key pasted into the targets file, and files built to hurt: one line naming file and line, exit 2, never the value. */
describe('a hostile or mistaken targets file', () => {
  const key = 'sk-proj-' + 'Qx7LmN2pR8sT4vW9yZ3bC6dF1gH5jK0aE';
  const cases: Array<[string, string]> = [
    ['a key as api-key-env', `targets:\n  x:\n    url: http://127.0.0.1:1/\n    api-key-env: ${key}\n`],
    ['a key as api-key-file', `targets:\n  x:\n    url: http://127.0.0.1:1/\n    api-key-file: ${key}\n`],
    ['a key as the model', `targets:\n  x:\n    url: http://127.0.0.1:1/\n    model: ${key}\n`],
    ['a key as a timeout in defaults', `defaults:\n  timeout: ${key}\ntargets:\n  x: http://127.0.0.1:1/\n`],
    ['a key as a resolve item', `targets:\n  x:\n    url: http://127.0.0.1:1/\n    resolve: [ "${key}" ]\n`],
    ['a key as the target itself', `targets:\n  x: ${key}\n`],
    ['a key as a target name', `targets:\n  ${key}: http://127.0.0.1:1/\n`],
    ['a key as an unknown option name', `targets:\n  x:\n    url: http://127.0.0.1:1/\n    ${key}: true\n`],
    ['a key as a name given twice', `targets:\n  ${key}: http://127.0.0.1:1/\n  ${key}: http://127.0.0.1:2/\n`],
    ['a key as a module name', `targets:\n  x: http://127.0.0.1:1/\nmodules:\n  ${key}:\n    timeout: 2s\n`],
  ];
  it.each(cases)('%s: never printed, exit 2', async (_what, text) => {
    const file = join(dir, `pasted-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, text);
    for (const argv of [['--config', file], ['serve', '--listen', '127.0.0.1:1', '--config', file]]) {
      const run = await runCli(argv, { env: cleanEnv() });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(/looks like an API key; it was not printed/);
      expect(leaks(run.stdout + run.stderr, key)).toEqual([]);
    }
  });

  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)];
  const hostile: Array<[string, () => string, RegExp]> = [
    ['a billion laughs inside targets', () => `targets:\n  x:\n    url: http://127.0.0.1:1/\n    resolve: &a ["a:1:127.0.0.1","a:1:127.0.0.1"]\n  y:\n    url: http://127.0.0.1:2/\n    resolve: [*a,*a,*a,*a,*a,*a,*a,*a]\n`, /aliases \(\*name\) are not supported/],
    ['a billion laughs at the top', () => `${laughs.join('\n')}\ntargets:\n  x: http://127.0.0.1:1/\n`, /unknown key "a"|aliases/],
    ['a merge key', () => `defaults: &d\n  timeout: 5s\ntargets:\n  x:\n    url: http://127.0.0.1:1/\n    <<: *d\n`, /aliases/],
    ['duplicate keys', () => 'targets:\n  x: http://127.0.0.1:1/\n  x: http://127.0.0.1:2/\n', /:3: targets: "x" appears twice/],
    ['a 50 MB file', () => `targets:\n${'  # padding padding padding padding padding padding padding padding padding\n'.repeat(680_000)}  x: http://127.0.0.1:1/\n`, /more than 1 MiB/],
  ];
  it.each(hostile)('%s: one line, exit 2', async (_what, make, message) => {
    const file = join(dir, `hostile-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, make());
    for (const argv of [['--config', file], ['serve', '--listen', '127.0.0.1:1', '--config', file]]) {
      const run = await runCli(argv, { env: cleanEnv() });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
    rmSync(file);
  });

  it('/dev/zero as the file, and a key file that is a FIFO nobody writes: one line, exit 2', async () => {
    const zero = await runCli(['--config', '/dev/zero'], { env: cleanEnv() });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/cannot read "\/dev\/zero" \(more than 1 MiB\)/);
    const fifo = join(dir, 'key.fifo');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const file = join(dir, 'fifo-key.yaml');
    writeFileSync(file, `targets:\n  x:\n    url: http://127.0.0.1:1/v1\n    provider: openai-compatible\n    api-key-file: ${fifo}\n`);
    const run = await runCli(['--config', file], { env: cleanEnv() });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/fifo-key\.yaml:5: target "x": api-key-file/);
  });
});

describe('diagnose serve', () => {
  const key = makeKey();
  const urlKey = makeKey('AIza');
  const pass = makeKey('pw');
  const askedKey = makeKey('AIza');
  let serve: Awaited<ReturnType<typeof startServe>>;
  let strict: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    const deadPort = await freePort();
    const cfg = join(dir, 'serve.yaml');
    writeFileSync(
      cfg,
      [
        'defaults:',
        '  timeout: 5s',
        'targets:',
        '  echo:',
        `    url: ${echo.url}/v1`,
        '    provider: openai-compatible',
        '    api-key-env: SERVE_KEY',
        `  gemini: ${echo.url}/v1beta/models?key=${urlKey}`,
        '  proxied:',
        `    url: ${ok.url}/v1`,
        `    proxy: http://ops:${pass}@127.0.0.1:${deadPort}`,
        'modules:',
        '  quick:',
        '    timeout: 3s',
        '',
      ].join('\n'),
    );
    const env = cleanEnv({ SERVE_KEY: key });
    serve = await startServe(['--config', cfg, '--allow-any-target'], env);
    strict = await startServe(['--config', cfg], env);
  });
  afterAll(async () => {
    await serve?.stop();
    await strict?.stop();
  });

  it('/probe, /metrics, / and the refusals never show the key, a ?key=, a proxy password', async () => {
    const texts: string[] = [];
    const get = async (base: string, path: string) => {
      const r = await fetch(`${base}${path}`, { headers: { 'x-prometheus-scrape-timeout-seconds': '6' } });
      const t = await r.text();
      texts.push(`${r.status}\n${t}`); // the answer only: the asker knows the path it asked for
      return { status: r.status, text: t };
    };
    for (const t of ['echo', 'gemini', 'proxied']) expect((await get(serve.base, `/probe?target=${t}&module=quick`)).status).toBe(200);
    // A URL outside the file, with its own ?key=: probed (--allow-any-target), the key not repeated.
    const any = await get(serve.base, `/probe?target=${encodeURIComponent(`${echo.url}/v1beta/models?key=${askedKey}`)}`);
    expect(any.status).toBe(200);
    // Refused: the line quotes the target, not its key.
    const refused = await get(strict.base, `/probe?target=${encodeURIComponent(`${echo.url}/other?key=${askedKey}`)}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/is not in/);
    await get(serve.base, '/metrics');
    const page = await get(serve.base, '/');
    expect(page.text).toContain('gemini');
    const all = texts.join('\n') + serve.stderr() + strict.stderr();
    expect(leaks(all, key, urlKey, pass, askedKey)).toEqual([]);
    expect(echo.received()).toContain(key);
    expect(echo.received()).toContain(urlKey);
  });

  it('hostile requests: a 15 KB target, quotes, newlines and backslashes in a URL; the exposition stays valid', async () => {
    const huge = await fetch(`${strict.base}/probe?target=${'x'.repeat(15_000)}`);
    expect(huge.status).toBe(400);
    const line = await huge.text();
    expect(line.split('\n').filter(Boolean)).toHaveLength(1);
    expect(line.length).toBeLessThan(600);
    const tooHuge = await fetch(`${strict.base}/probe?target=${'x'.repeat(70_000)}`);
    expect(tooHuge.status).toBe(431);
    const { hasCommand, promtoolCheck } = await import('../helpers/consumers.js');
    for (const target of [`${echo.url}/v1/"quoted"\\back`, `${echo.url}/v1/a%0Ab%22c%5C`, `${echo.url}/v1?model=%22%0A%5C`]) {
      const r = await fetch(`${serve.base}/probe?target=${encodeURIComponent(target)}`, { headers: { 'x-prometheus-scrape-timeout-seconds': '5' } });
      const text = await r.text();
      if (r.status === 400) {
        expect(text.split('\n').filter(Boolean)).toHaveLength(1);
        continue;
      }
      expect(r.status).toBe(200);
      if (hasCommand('promtool')) expect(promtoolCheck(text), `${target}\n${text}`).toEqual({ status: 0, output: '' });
    }
    const status = await (await fetch(`${serve.base}/`)).text();
    expect(status).not.toMatch(/<a[^>]*"quoted"/);
    if (hasCommand('promtool')) expect(promtoolCheck(await (await fetch(`${serve.base}/metrics`)).text()).status).toBe(0);
  });

  it('a slow client that never finishes its headers is cut off', async () => {
    const { connect } = await import('node:net');
    const sock = connect(strict.port, '127.0.0.1');
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.write('GET /probe?target=echo HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => sock.write('X-Slow: 1\r\n'), 500);
    await new Promise<void>((r) => sock.once('close', () => r()));
    clearInterval(trickle);
    expect(sock.destroyed).toBe(true);
  }, 40_000);
});

/** diagnose lint quotes the configuration; a key written into it (as gateways do) is never printed. */
describe('diagnose lint', () => {
  const key = 'sk-proj-' + 'Qx7LmN2pR8sT4vW9yZ3bC6dF1gH5jK0aE';
  const gemini = 'AIza' + 'SyQx7LmN2pR8sT4vW9yZ3bC6dF1gH5jK0a';
  const configs: Array<[string, string]> = [
    ['nginx, headers and a ?key= on lines lint quotes', `events {}\nhttp {\n  server {\n    listen 8080;\n    location /v1/ {\n      proxy_pass https://generativelanguage.googleapis.com/v1beta?key=${gemini};\n      proxy_set_header Authorization "Bearer ${key}";\n      proxy_set_header x-api-key ${key};\n      proxy_buffering on;\n      proxy_read_timeout 5s;\n    }\n  }\n}\n`],
    ['nginx, a parse error on the key line', `events {}\nhttp {\n  server {\n    location / {\n      proxy_set_header Authorization "Bearer ${key}"\n    }\n  }\n}\n`],
    ['nginx, the key as a directive', `events {}\nhttp {\n  ${key};\n}\n`],
    ['haproxy', `defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\nfrontend f\n  bind :8080\n  default_backend b\nbackend b\n  http-request set-header Authorization "Bearer ${key}"\n  http-request set-header x-goog-api-key ${gemini}\n  server s api.openai.com:443 ssl verify none\n`],
    ['envoy', `static_resources:\n  listeners: []\n  clusters:\n  - name: openai\n    connect_timeout: 1s\n    type: LOGICAL_DNS\n    load_assignment:\n      cluster_name: openai\n      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: api.openai.com, port_value: 443 } } } }] }]\n    request_headers_to_add:\n    - header: { key: authorization, value: "Bearer ${key}" }\n`],
  ];
  /** Lint's JSON is not a report: run main() without the report checks of runCli. */
  async function lint(argv: string[], stdin?: string) {
    let stdout = '';
    let stderr = '';
    const { Readable } = await import('node:stream');
    const code = await main(['lint', ...argv], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: stdin !== undefined ? Readable.from([stdin]) : undefined,
      env: cleanEnv(),
      stdoutIsTTY: false,
      stderrIsTTY: false,
    });
    return { code, stdout, stderr };
  }
  it.each(configs)('%s: no format shows the key', async (_what, text) => {
    const file = join(dir, `lint-${randomBytes(4).toString('hex')}.conf`);
    writeFileSync(file, text);
    for (const extra of [[], ['--json']]) {
      const run = await lint([file, ...extra]);
      expect(run.stdout + run.stderr).not.toBe('');
      expect(leaks(run.stdout + run.stderr, key, gemini), `${run.stdout}${run.stderr}`).toEqual([]);
      if (extra.length > 0 && run.code !== 2) expect(() => JSON.parse(run.stdout)).not.toThrow();
    }
    const stdin = await lint(['-'], text);
    expect(leaks(stdin.stdout + stdin.stderr, key, gemini)).toEqual([]);
  });
});

/**
 * --capture over plain http records the Authorization header in clear. The engineer asked for the
 * packets, so they are written, but 0600, and both stderr and the report say what the file holds.
 */
describe('--capture with a key over plain http', () => {
  const canCapture = process.getuid?.() === 0 && ['/usr/bin/tcpdump', '/usr/sbin/tcpdump', '/sbin/tcpdump'].some((p) => { try { readFileSync(p); return true; } catch { return false; } });
  it.skipIf(!canCapture)('the pcap holds the key: written 0600, a warning on stderr and in the report', async () => {
    const { statSync } = await import('node:fs');
    const key = makeKey();
    const file = join(dir, 'with-key.pcap');
    const env = cleanEnv({ K: key, PATH: `${process.env.PATH}:/usr/sbin:/sbin` });
    const run = await runCli([`${ok.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '--capture', file, '--json', '--timeout', '5s'], { env });
    expect(run.report!.capture!.file).toBe(file);
    // The warning is true: the key is in the file.
    expect(readFileSync(file).includes(Buffer.from(key))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.report!.capture!.credentialsInClear).toEqual(['the API key (the target is plain http)']);
    expect(run.stderr).toMatch(/^diagnose: warning: --capture: .*with-key\.pcap holds the API key \(the target is plain http\) in clear; it was written readable by you only \(0600\)/m);
    expect(leaks(run.stdout + run.stderr, key)).toEqual([]);
    const human = await runCli([`${ok.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '--capture', file, '--timeout', '5s'], { env });
    expect(human.stdout).toMatch(/holds in clear: the API key/);
  });
  it.skipIf(!canCapture)('no key: no warning, still 0600', async () => {
    const { statSync } = await import('node:fs');
    const file = join(dir, 'no-key.pcap');
    const run = await runCli([`${ok.url}/v1`, '--provider', 'openai-compatible', '--capture', file, '--json', '--timeout', '5s'], { env: cleanEnv({ PATH: `${process.env.PATH}:/usr/sbin:/sbin` }) });
    expect(run.report!.capture!.credentialsInClear).toBeUndefined();
    expect(run.stderr).not.toMatch(/in clear/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

/** The sections added after the audit: --gateway, --keepalive, --repeat (summaries and timelines). */
describe('--gateway, --keepalive, --repeat against an echoing server', () => {
  const runs: Array<[string, string[]]> = [
    ['--gateway', ['--gateway', '--burst', '3', '--origin', 'https://app.example', '--http-port', '9']],
    ['--keepalive', ['--keepalive', '--keepalive-max', '2s']],
    ['--repeat', ['--repeat', '4', '--interval', '10ms', '--reuse']],
  ];
  describe.each(runs)('%s', (_what, extra) => {
    it.each(['json', 'human', 'md', 'openmetrics', 'junit', 'github'] as const)('format %s', async (format) => {
      const key = makeKey();
      const header = makeKey('tok_');
      for (const server of [echo, ok]) {
        const out = join(dir, `sections-${randomBytes(4).toString('hex')}.${format}`);
        const run = await runCli([`${server.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '-H', `X-Api-Key: ${header}`, ...extra, '--format', format, '--output', out, '--timeout', '3s', '-v'], { env: cleanEnv({ K: key }) });
        expect(run.stdout.length, run.stderr).toBeGreaterThan(0);
        const places = { stdout: run.stdout, stderr: run.stderr, output: readFileSync(out, 'utf8') };
        for (const [where, text] of Object.entries(places)) expect(leaks(text, key, header), `${where} ${server.port}`).toEqual([]);
      }
      expect(echo.received()).toContain(key);
    }, 60_000);
  });
});

/** --allow-any-target: a URL the scraper names never receives the key of `defaults`; a module's own key only. */
describe('diagnose serve --allow-any-target and keys', () => {
  it("the defaults' key is not sent to a URL outside the file; a module's own key is", async () => {
    const defaultsKey = makeKey();
    const moduleKey = makeKey();
    const cfg = join(dir, 'any.yaml');
    writeFileSync(cfg, ['defaults:', '  provider: openai-compatible', '  api-key-env: DEFAULTS_KEY', 'targets:', '  mine: http://127.0.0.1:1/v1', 'modules:', '  keyed:', '    api-key-env: MODULE_KEY', ''].join('\n'));
    const serve = await startServe(['--config', cfg, '--allow-any-target'], cleanEnv({ DEFAULTS_KEY: defaultsKey, MODULE_KEY: moduleKey }));
    try {
      const target = encodeURIComponent(`${echo.url}/v1`);
      const before = echo.received().length;
      expect((await fetch(`${serve.base}/probe?target=${target}`)).status).toBe(200);
      expect(echo.received().slice(before)).not.toContain(defaultsKey);
      expect((await fetch(`${serve.base}/probe?target=${target}&module=keyed`)).status).toBe(200);
      expect(echo.received().slice(before)).toContain(moduleKey);
      expect(echo.received().slice(before)).not.toContain(defaultsKey);
    } finally {
      await serve.stop();
    }
  });
});
