/**
 * diagnose serve, in-process, against loopback servers: /probe answers in Prometheus's text format
 * with blackbox's names, bad probes get a one-line 400 and probe nothing, the number of probes in
 * flight is bounded, the scrape-timeout header bounds a probe, and stopping drains running probes.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../fixtures/daemon.js';
import { startCanned, startOpenAiCompatible, type HttpFixture } from '../../fixtures/http-api.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck } from '../helpers/consumers.js';
import { startServe } from '../helpers/serve.js';

const KEY = 'sk-serve-test-key-abcdef0123456789';

describe('diagnose serve', () => {
  let healthy: HttpFixture;
  let slow: HttpFixture;
  let closedPort: number;
  let dir: string;
  let config: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  const env = cleanEnv({ SERVE_KEY: KEY });

  beforeAll(async () => {
    healthy = await startOpenAiCompatible({ key: KEY });
    slow = await startCanned({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[]}' }, { delayMs: 800 });
    closedPort = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'ud-serve-'));
    config = join(dir, 'serve.yaml');
    await writeFile(
      config,
      [
        'defaults:',
        '  provider: openai-compatible',
        '  api-key-env: SERVE_KEY',
        'targets:',
        `  healthy: ${healthy.url}/v1`,
        `  closed: http://127.0.0.1:${closedPort}/v1`,
        `  slow: ${slow.url}/v1`,
        'modules:',
        '  quick:',
        '    timeout: 2s',
        '',
      ].join('\n'),
    );
    serve = await startServe(['--config', config, '--max-in-flight', '2'], env);
  });
  afterAll(async () => {
    await serve?.stop();
    await healthy.close();
    await slow.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('probes a healthy target: probe_success 1 and blackbox names, valid for promtool', async () => {
    const res = await fetch(`${serve.base}/probe?target=healthy&module=quick`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^probe_success 1$/m);
    expect(text).toMatch(/^probe_http_status_code 200$/m);
    expect(text).toMatch(/^probe_duration_seconds \d/m);
    expect(text).toMatch(/^probe_dns_lookup_time_seconds \d/m);
    expect(text).toMatch(/^probe_http_duration_seconds\{phase="processing"\} \d/m);
    expect(text).toMatch(/^upstream_doctor_exit_code 0$/m);
    expect(text).toMatch(/^probe_timeout_seconds 4\.5$/m);
    expect(text).not.toContain('target=');
    expect(text).not.toContain(KEY);
    if (hasCommand('promtool')) expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });

  it('probes a failing target by its URL: probe_success 0 and the diagnosis', async () => {
    const text = await (await fetch(`${serve.base}/probe?target=${encodeURIComponent(`http://127.0.0.1:${closedPort}/v1`)}`)).text();
    expect(text).toMatch(/^probe_success 0$/m);
    expect(text).toMatch(/^upstream_doctor_diagnosis\{code="TCP_REFUSED",stage="tcp",severity="error"\} 1$/m);
    expect(text).toMatch(/^upstream_doctor_exit_code 11$/m);
  });

  it('bad probes: HTTP 400 with one line, nothing probed', async () => {
    const before = healthy.requests.length;
    const cases: Array<[string, RegExp]> = [
      ['/probe?target=healthy&module=nope', /^unknown module "nope" \(configured: quick\)\n$/],
      ['/probe?target=http://127.0.0.1:1/v1', /^target "http:\/\/127.0.0.1:1\/v1" is not in .*serve\.yaml; add it there, or start with --allow-any-target\n$/],
      ['/probe?module=quick', /^target parameter is missing\n$/],
    ];
    for (const [path, body] of cases) {
      const res = await fetch(`${serve.base}${path}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(body);
    }
    const res = await fetch(`${serve.base}/probe?target=healthy`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': 'soon' } });
    expect(res.status).toBe(400);
    expect(healthy.requests.length).toBe(before);
  });

  it('a key never comes from the URL: an api-key parameter is ignored, the configured key is used', async () => {
    const text = await (await fetch(`${serve.base}/probe?target=healthy&api_key=sk-from-the-url-0000`)).text();
    expect(text).toMatch(/^probe_success 1$/m);
    expect(healthy.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('the scrape timeout header bounds the probe: a slow answer fails it in time', async () => {
    const text = await (await fetch(`${serve.base}/probe?target=slow`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '0.8' } })).text();
    expect(text).toMatch(/^probe_success 0$/m);
    expect(text).toMatch(/^probe_timeout_seconds 0\.3$/m);
  });

  it('bounds probes in flight (503 beyond --max-in-flight) and counts everything in /metrics', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`${serve.base}/probe?target=slow`).then((r) => r.status)));
    expect(answers.filter((s) => s === 200)).toHaveLength(2);
    expect(answers.filter((s) => s === 503)).toHaveLength(2);
    const metrics = await (await fetch(`${serve.base}/metrics`)).text();
    expect(metrics).toMatch(/^upstream_doctor_exporter_requests_refused_total\{reason="overloaded"\} 2$/m);
    expect(metrics).toMatch(/^upstream_doctor_exporter_requests_refused_total\{reason="bad_request"\} 4$/m);
    expect(metrics).toMatch(/^upstream_doctor_exporter_probes_total\{module="quick",result="success"\} 1$/m);
    expect(metrics).toMatch(/^upstream_doctor_exporter_probes_in_flight 0$/m);
    expect(metrics).toMatch(/^upstream_doctor_exporter_probe_duration_seconds_count \d+$/m);
    if (hasCommand('promtool')) expect(promtoolCheck(metrics).status).toBe(0);
    const page = await (await fetch(`${serve.base}/`)).text();
    expect(page).toContain('<a href="/probe?target=healthy">healthy</a>');
    expect(page).toContain('TCP_REFUSED');
  });

  it('--allow-any-target probes URLs outside the file with the module\'s options, and still refuses bad ones', async () => {
    const any = await startServe(['--config', config, '--allow-any-target'], env);
    try {
      const url = encodeURIComponent(`${healthy.url}/v1/`);
      const ok = await (await fetch(`${any.base}/probe?target=${url}&module=quick`)).text();
      expect(ok).toMatch(/^probe_success 1$/m);
      const outside = await (await fetch(`${any.base}/probe?target=${encodeURIComponent(`http://127.0.0.1:${closedPort}/elsewhere`)}`)).text();
      expect(outside).toMatch(/^upstream_doctor_exit_code 11$/m);
      const bad = await fetch(`${any.base}/probe?target=${encodeURIComponent('ftp://127.0.0.1/')}`);
      expect(bad.status).toBe(400);
      expect((await bad.text()).trim().split('\n')).toHaveLength(1);
    } finally {
      await any.stop();
    }
  });

  it('stopping drains: a probe in flight is still answered, then the server closes', async () => {
    const other = await startServe(['--config', config], env);
    const pending = fetch(`${other.base}/probe?target=slow`).then(async (r) => [r.status, await r.text()] as const);
    // Stop only once the probe is running (the exporter's own gauge says so).
    while (!/^upstream_doctor_exporter_probes_in_flight 1$/m.test(await (await fetch(`${other.base}/metrics`)).text())) await new Promise((r) => setTimeout(r, 20));
    const code = await other.stop();
    expect(code).toBe(0);
    const [status, text] = await pending;
    expect(status).toBe(200);
    expect(text).toMatch(/^probe_success 1$/m);
    expect(other.stderr()).toContain('draining 1 probe(s) in flight');
    await expect(fetch(`${other.base}/metrics`)).rejects.toThrow();
  });
});

describe('diagnose serve: bad start-up, exit 2 and one line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ud-serve-bad-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cases: Array<[string, string | undefined, string[], RegExp]> = [
    ['no --config', undefined, [], /--config <file> is required/],
    ['missing key file', 'targets:\n  a:\n    url: http://127.0.0.1:1/v1\n    api-key-file: /nonexistent/key\n', [], /:4: target "a": api-key-file: cannot read/],
    ['unknown key in a module', 'targets:\n  a: http://127.0.0.1:1/v1\nmodules:\n  m:\n    timeot: 1s\n', [], /:5: module "m": unknown key "timeot"/],
    ['duplicate module', 'targets:\n  a: http://127.0.0.1:1/v1\nmodules:\n  m: {}\n  m: {}\n', [], /:5: modules: "m" appears twice/],
    ['bad --listen', 'targets:\n  a: http://127.0.0.1:1/v1\n', ['--listen', 'nowhere'], /--listen: "nowhere" has no port/],
    ['bad --max-in-flight', 'targets:\n  a: http://127.0.0.1:1/v1\n', ['--max-in-flight', '0'], /--max-in-flight: "0" is not a whole number from 1 to 1024/],
  ];
  for (const [what, text, args, message] of cases) {
    it(what, async () => {
      const file = join(dir, `${what.replace(/\W+/g, '-')}.yaml`);
      if (text !== undefined) await writeFile(file, text);
      const r = await runCli(['serve', ...(text !== undefined ? ['--config', file] : []), ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^diagnose serve: /);
    });
  }
});

describe('diagnose serve: a rotated key file is used by the next probe, no restart', () => {
  const OLD = 'sk-rotate-old-key-0123456789abcdef';
  const NEW = 'sk-rotate-new-key-fedcba9876543210';
  const THIRD = 'sk-rotate-third-key-00112233445566';
  let api: HttpFixture;
  let dir: string;
  let keyFile: string;
  let serve: Awaited<ReturnType<typeof startServe>>;

  beforeAll(async () => {
    // The server accepts only the new key, and echoes a wrong one whole in its 401 (as some gateways do).
    api = await startOpenAiCompatible({ key: NEW, echoKey: 'whole' });
    dir = await mkdtemp(join(tmpdir(), 'ud-serve-rotate-'));
    keyFile = join(dir, 'key');
    await writeFile(keyFile, `${OLD}\n`, { mode: 0o600 });
    const config = join(dir, 'serve.yaml');
    await writeFile(config, ['targets:', '  api:', `    url: ${api.url}/v1`, '    provider: openai-compatible', `    api-key-file: ${keyFile}`, ''].join('\n'));
    serve = await startServe(['--config', config], cleanEnv({}));
  });
  afterAll(async () => {
    await serve?.stop();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  const probe = async () => {
    const res = await fetch(`${serve.base}/probe?target=api`);
    return { status: res.status, text: await res.text() };
  };
  const noKeys = (text: string) => {
    for (const k of [OLD, NEW, THIRD]) expect(text).not.toContain(k);
  };

  it('old key: refused; rotated by rename: accepted with the new key; rewritten in place: the third key is sent', async () => {
    const before = await probe();
    expect(before.text).toMatch(/^probe_success 0$/m);
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OLD}`);
    noKeys(before.text);

    // Rotation as a secret mount does it: a new file renamed over the old one.
    await writeFile(`${keyFile}.tmp`, `${NEW}\n`, { mode: 0o600 });
    await rename(`${keyFile}.tmp`, keyFile);
    const after = await probe();
    expect(after.status).toBe(200);
    expect(after.text).toMatch(/^probe_success 1$/m);
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${NEW}`);
    noKeys(after.text);

    // Rewritten in place (same inode): still seen; the server echoes this wrong key whole, and
    // neither the probe's answer nor the status page repeats it.
    await writeFile(keyFile, `${THIRD}\n`);
    const third = await probe();
    expect(third.text).toMatch(/^probe_success 0$/m);
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${THIRD}`);
    noKeys(third.text);
    const page = await (await fetch(`${serve.base}/`)).text();
    noKeys(page);
  });

  it('a key file gone at probe time: HTTP 500 with one line, nothing probed, counted in /metrics', async () => {
    const before = api.requests.length;
    await rm(keyFile);
    const gone = await probe();
    expect(gone.status).toBe(500);
    expect(gone.text).toMatch(/^api-key-file "[^"]+" cannot be read now \(ENOENT\); the probe was not run\n$/);
    expect(api.requests.length).toBe(before);
    const metrics = await (await fetch(`${serve.base}/metrics`)).text();
    expect(metrics).toMatch(/^upstream_doctor_exporter_requests_refused_total\{reason="key_file"\} 1$/m);
    // Back again: the next probe reads it.
    await writeFile(keyFile, `${NEW}\n`, { mode: 0o600 });
    expect((await probe()).text).toMatch(/^probe_success 1$/m);
  });
});
