/**
 * The single file (`npm run bundle` -> dist/diagnose.mjs) and the standalone executable
 * (`npm run sea`), each built once into a temporary folder and copied to another one where no
 * node_modules is in reach, then run against a healthy HTTPS loopback API. The executable also
 * runs with no `node` on PATH at all.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSseServer } from '../../fixtures/sse-server.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { emptyDir, HEALTHY_KEY, healthyArgs, ROOT, runProc } from '../helpers/artifact-run.js';

const keep = closeAfterAll();
const built = existsSync(join(ROOT, 'dist', 'cli.js'));

function script(name: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'scripts', name), ...args], { cwd: ROOT, timeout: 300_000, maxBuffer: 16 << 20 }, (err, _out, stderr) =>
      err ? reject(new Error(`${name}: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
}

let port = 0;
let single = '';
let exe = '';
const made: string[] = [];
// The executable is a copy of node (about 100 MB): do not leave them behind.
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

beforeAll(async () => {
  const api = await keep(startSseServer({ mode: 'openai', events: 3, periodMs: 10, tls: loadCert('valid') }));
  port = api.port;
  if (!built) return;
  const out = emptyDir('diagnose-artifacts-');
  made.push(out);
  await script('bundle.mjs', ['--out', join(out, 'diagnose.mjs')]);
  await script('sea.mjs', ['--out', join(out, 'diagnose-linux-x64')]);
  // Copied where no node_modules (and no package.json) is in reach of either.
  const box = emptyDir('diagnose-box-');
  made.push(box);
  single = join(box, 'diagnose.mjs');
  exe = join(box, 'diagnose');
  copyFileSync(join(out, 'diagnose.mjs'), single);
  copyFileSync(join(out, 'diagnose-linux-x64'), exe);
}, 600_000);

describe.skipIf(!built)('the single file, dist/diagnose.mjs', () => {
  it('runs with node and nothing beside it: version, then a healthy https run, exit 0', async () => {
    const v = await runProc(process.execPath, [single, '--version']);
    expect(v).toMatchObject({ code: 0, stderr: '' });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const r = await runProc(process.execPath, [single, ...healthyArgs(port)], { env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: HEALTHY_KEY } });
    expect(r.report?.stages.filter((s) => s.status === 'fail')).toEqual([]);
    expect(r.report).toMatchObject({ verdict: 'ok', exitCode: 0, diagnoses: [] });
    // The versions were put in at build time: nothing next to the file to read them from.
    expect(r.report?.tool.version).toBe(v.stdout.trim());
    expect(r.report?.stages.find((s) => s.id === 'env')?.summary).toMatch(/undici \d+\.\d+\.\d+/);
    expect(r.code).toBe(0);
  });

  it('carries its code compressed (well under 1 MB); --explain, a YAML config and bad input work with nothing beside it', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(single).size).toBeLessThan(1 << 20);
    const e = await runProc(process.execPath, [single, '--explain', 'RESET_BEFORE_HEADERS']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/RESET_BEFORE_HEADERS/);
    // yaml, a dependency, is inside the file too.
    const dir = emptyDir('diagnose-config-');
    const config = join(dir, 'fleet.yaml');
    writeFileSync(config, `defaults:\n  timeout: 20s\ntargets:\n  local:\n    url: https://localhost:${port}/v1\n    provider: openai-compatible\n    resolve: [ "localhost:${port}:127.0.0.1" ]\n    ca: ${TEST_CA_PATH}\n`);
    // Markdown: runProc reads a JSON stdout as one report, and a fleet's JSON holds several.
    const f = await runProc(process.execPath, [single, '--config', config, '--format', 'md'], { env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: HEALTHY_KEY } });
    expect(f.stderr).toBe('');
    expect(f.stdout).toMatch(/^\| local \| OK \| 0 \|/m);
    expect(f.code).toBe(0);
    const bad = await runProc(process.execPath, [single, 'https://', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it("its require() gives Node's own modules and throws as require() does for any other name (ws tries the optional bufferutil so); a WebSocket check runs inside it", async () => {
    const { readFileSync } = await import('node:fs');
    const banner = readFileSync(single, 'utf8').split('\n').find((l) => l.startsWith('const require = '));
    expect(banner).toBeDefined();
    const req = new Function(`${banner}\nreturn require;`)() as (id: string) => unknown;
    expect(req('node:fs')).toBe(await import('node:fs').then((m) => m.default));
    expect(req('zlib')).toBe(await import('node:zlib').then((m) => m.default));
    for (const missing of ['bufferutil', 'utf-8-validate', 'node:no-such-module']) expect(() => req(missing), missing).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }));
    // The healthy API answers the upgrade with a plain HTTP answer: the check runs and says so.
    const r = await runProc(process.execPath, [single, `wss://localhost:${port}/v1/realtime`, '--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--provider', 'openai-compatible', '--gateway', '--ws-idle', '1s', '--timeout', '5s', '--json'], { env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: HEALTHY_KEY } });
    expect(r.stderr).toBe('');
    expect(r.report?.diagnoses.map((d) => d.code)).toContain('WEBSOCKET_UPGRADE_FAILED');
    expect(r.report?.internalErrors ?? []).toEqual([]);
  });

  it('on a Node older than the engines field: one line saying what is needed and what was found, exit 2', async () => {
    // The version the check reads is faked before the file loads; nothing else of the CLI runs.
    const fake = join(emptyDir('diagnose-fake-'), 'old-node.cjs');
    writeFileSync(fake, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.20.4' } });\n");
    const r = await runProc(process.execPath, ['--require', fake, single, 'api.openai.com']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs Node\.js >= 20\.18\.1, found v18\.20\.4/);
    expect(r.stderr).toMatch(/standalone executable .*needs no Node/);
  });
});

describe.skipIf(!built || process.platform !== 'linux')('the standalone executable (npm run sea)', () => {
  it('runs with no node on PATH and no node_modules: version, then a healthy https run, exit 0', async () => {
    const noNode = emptyDir('diagnose-empty-path-');
    const v = await runProc(exe, ['--version'], { env: { PATH: noNode } });
    expect(v).toMatchObject({ code: 0, stderr: '' });
    const r = await runProc(exe, [...healthyArgs(port), '--stream'], { env: { PATH: noNode, OPENAI_API_KEY: HEALTHY_KEY } });
    expect(r.stderr).not.toMatch(/ExperimentalWarning|single-executable/i);
    expect(r.report).toMatchObject({ verdict: 'ok', exitCode: 0, diagnoses: [] });
    expect(r.report?.stages.find((s) => s.id === 'stream')?.status).toBe('pass');
    expect(r.report?.tool.version).toBe(v.stdout.trim());
    expect(r.stdout + r.stderr).not.toContain(HEALTHY_KEY);
    expect(r.code).toBe(0);
  });
});
