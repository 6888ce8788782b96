/**
 * The installed command runs dist/app/ (`npm run build` bundles the CLI and the fast path into one
 * CommonJS file each), falling back to dist/'s ES modules when that copy is missing or older than
 * dist/ (a plain `tsc` after the build must never run stale code). The choice is checked with
 * stand-in modules that say who answered, in a copy of bin/ next to a fake dist/; the real app is
 * checked for what the bundler must keep: ASCII only, the exports bin/ calls, versions written in.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { H2, startH2Server } from '../../fixtures/h2-servers.js';
import { startSseServer } from '../../fixtures/sse-server.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { emptyDir, HEALTHY_KEY, healthyArgs, runProc } from '../helpers/artifact-run.js';
import { runBin } from '../helpers/bin.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const root = join(import.meta.dirname, '..', '..');
const keep = closeAfterAll();
const built = existsSync(join(root, 'dist', 'app', 'diagnose.cjs'));
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A package with the real bin/ and stand-ins for dist/ and dist/app/ that print who answered. */
function fakePackage(): string {
  const dir = emptyDir('diagnose-bin-app-');
  made.push(dir);
  mkdirSync(join(dir, 'bin'));
  for (const f of ['diagnose.js', 'app-code.js', 'package.json']) copyFileSync(join(root, 'bin', f), join(dir, 'bin', f));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; engines: unknown };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake', version: pkg.version, type: 'module', engines: pkg.engines }));
  mkdirSync(join(dir, 'dist', 'app'), { recursive: true });
  const answer = (who: string) => `(_a) => Promise.resolve(_a.length === 2 && _a[0] === '--explain' ? '${who} explains\\n' : undefined)`;
  writeFileSync(join(dir, 'dist', 'quick.js'), `export const quickAnswer = ${answer('esm quick')};\n`);
  writeFileSync(join(dir, 'dist', 'cli.js'), "export function run() { process.stdout.write('esm cli\\n'); }\n");
  writeFileSync(join(dir, 'dist', 'app', 'quick.cjs'), `exports.quickAnswer = ${answer('app quick')};\n`);
  writeFileSync(join(dir, 'dist', 'app', 'diagnose.cjs'), "exports.run = () => process.stdout.write('app cli\\n');\n");
  return dir;
}

function run(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'diagnose.js'), ...args], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** Set a file's modification time, seconds from now. */
function age(file: string, seconds: number): void {
  const t = new Date(Date.now() + seconds * 1000);
  utimesSync(file, t, t);
}

describe('bin/diagnose.js: dist/app/ when it is current, dist/ otherwise', () => {
  it('a current app answers both the run and --explain', () => {
    const dir = fakePackage();
    for (const f of ['quick.js', 'cli.js']) age(join(dir, 'dist', f), -60);
    expect(run(dir, ['https://example.test'])).toBe('app cli\n');
    expect(run(dir, ['--explain', 'X'])).toBe('app quick explains\n');
  });

  it('an app older than dist/ (tsc ran after the build) is passed over', () => {
    const dir = fakePackage();
    for (const f of ['quick.cjs', 'diagnose.cjs']) age(join(dir, 'dist', 'app', f), -60);
    expect(run(dir, ['https://example.test'])).toBe('esm cli\n');
    expect(run(dir, ['--explain', 'X'])).toBe('esm quick explains\n');
  });

  it('no app at all: dist/ answers', () => {
    const dir = fakePackage();
    rmSync(join(dir, 'dist', 'app'), { recursive: true });
    expect(run(dir, ['https://example.test'])).toBe('esm cli\n');
    expect(run(dir, ['--explain', 'X'])).toBe('esm quick explains\n');
  });

  it('a CLI that cannot be loaded (a half-built or damaged install) gets one line and exit 3, not a stack trace; --version still answers', () => {
    const dir = fakePackage();
    for (const f of ['quick.js', 'cli.js']) age(join(dir, 'dist', f), -60);
    writeFileSync(join(dir, 'dist', 'app', 'diagnose.cjs'), "throw new Error('half written');\n");
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'diagnose.js'), 'https://example.test'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([3, '', 'diagnose: cannot load the CLI (half written): the install is damaged or half-built; reinstall it, and report it as a bug of upstream-doctor if that does not help\n']);
    expect(run(dir, ['--version']).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an --explain the fast path declines goes on to the CLI (the app one)', () => {
    const dir = fakePackage();
    for (const f of ['quick.js', 'cli.js']) age(join(dir, 'dist', f), -60);
    expect(run(dir, ['--explain'])).toBe('app cli\n');
  });
});

describe.skipIf(!built)('the built dist/app/', () => {
  const require = createRequire(import.meta.url);

  it('is ASCII only (V8 would hold a source with one wider character at two bytes a character)', () => {
    for (const f of ['diagnose.cjs', 'quick.cjs']) expect(readFileSync(join(root, 'dist', 'app', f), 'latin1')).not.toMatch(/[^\x00-\x7f]/);
  });

  it('exports what bin/ calls, and reports the versions written in at build time', async () => {
    const app = require(join(root, 'dist', 'app', 'diagnose.cjs')) as { run: unknown };
    const quick = require(join(root, 'dist', 'app', 'quick.cjs')) as { quickAnswer: (a: string[], e: object, tty: boolean) => Promise<string | undefined> };
    expect(typeof app.run).toBe('function');
    expect(await quick.quickAnswer(['--explain', 'RESET_BEFORE_HEADERS'], {}, false)).toMatch(/^RESET_BEFORE_HEADERS \(error/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await quick.quickAnswer(['--version'], {}, false)).toBe(`${pkg.version}\n`);
  });

  // The app loads undici's HTTP/2 half only on the first h2 connection (scripts/bundle.mjs, lazyH2).
  it('speaks HTTP/2 when asked (--http2), and reads an h2 error frame by its code', async () => {
    const env = { PATH: process.env.PATH, NO_COLOR: '1', OPENAI_API_KEY: 'sk-test-h2-0000000000abcd' };
    const args = (port: number) => [`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--provider', 'openai-compatible', '--json', '--timeout', '3s', '--http2'];
    const ok = await keep(startH2Server());
    const r = await runBin(args(ok.port), { env });
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(0);
    expect(report.stages.find((s) => s.id === 'http')!.data).toMatchObject({ httpVersion: '2', status: 200 });
    const rst = await keep(startH2Server({ behaviour: { kind: 'rst', code: H2.NGHTTP2_REFUSED_STREAM } }));
    const bad = JSON.parse((await runBin(args(rst.port), { env })).stdout) as Report;
    expect(bad.diagnoses.map((d) => d.code)).toContain('HTTP2_STREAM_ERROR');
  });
});


/**
 * The code cache: `npm run build` writes dist/app/diagnose.cjs.v8cache (V8's compiled form of the
 * CLI's file and of the functions its training runs called, made under V8's default flags), and
 * bin/ compiles the file with it when the cache names this Node, this file's size and its build id.
 * V8's flags of a one-shot run are set only after that, when the CLI calls back before probing (a
 * flag changed earlier would make V8 refuse this cache and that of Node's own modules).
 * What bin did is seen from outside: a preload wraps vm.Script and v8.setFlagsFromString and lists
 * on stderr, in order, each compilation (with a cache or not, taken by V8 or not) and each flag
 * change (bin/ uses require() when it does not use the cache).
 */
describe('bin/diagnose.js, the code cache of dist/app/diagnose.cjs and V8 flags', () => {
  function spyDir(): string {
    const dir = emptyDir('diagnose-cache-spy-');
    made.push(dir);
    writeFileSync(
      join(dir, 'spy.cjs'),
      [
        "const vm = require('vm');",
        "const v8 = require('v8');",
        'const events = [];',
        'const Orig = vm.Script;',
        'vm.Script = function (code, opts) {',
        '  const script = new Orig(code, opts);',
        '  events.push(`compiled cache=${Boolean(opts && opts.cachedData)} rejected=${script.cachedDataRejected}`);',
        '  return script;',
        '};',
        'const set = v8.setFlagsFromString;',
        'v8.setFlagsFromString = function (flags) {',
        '  events.push(`flags ${flags}`);',
        '  return set.call(this, flags);',
        '};',
        "process.on('exit', () => process.stderr.write(events.map((e) => `${e}\\n`).join('')));",
        '',
      ].join('\n'),
    );
    return join(dir, 'spy.cjs');
  }
  const spy = spyDir();
  function spied(dir: string, args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }) {
    const r = spawnSync(process.execPath, ['--require', spy, join(dir, 'bin', 'diagnose.js'), ...args], { env, encoding: 'utf8' });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status };
  }
  /** writeCodeCache of scripts/bundle.mjs, run as the build runs it. */
  function makeCache(file: string, id: string): void {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(root, 'scripts', 'bundle.mjs'))}); m.writeCodeCache(${JSON.stringify(file)}, ${JSON.stringify(id)});`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
  /** The stand-in package, its app CLI (which calls back before it "probes") ending with a build id, and a cache made for it. */
  function cachedPackage(): { dir: string; app: string } {
    const dir = fakePackage();
    for (const f of ['quick.js', 'cli.js']) age(join(dir, 'dist', f), -60);
    const app = join(dir, 'dist', 'app', 'diagnose.cjs');
    writeFileSync(app, "exports.run = (o) => { o.beforeRun(); process.stdout.write('app cli\\n'); };\n// upstream-doctor build 0123456789abcdef\n");
    makeCache(app, '0123456789abcdef');
    return { dir, app };
  }
  const ONE_SHOT = 'flags --no-opt --semi-space-growth-factor=1 --no-regexp-optimization\n';
  const SAMPLED = 'flags --optimize-for-size --semi-space-growth-factor=1\n';
  const TAKEN = 'compiled cache=true rejected=false\n';

  it('a cache for this file and this Node: compiled with it under the default flags, V8 takes it, and the one-shot flags come after', () => {
    const { dir } = cachedPackage();
    expect(spied(dir, ['https://example.test'])).toEqual({ stdout: 'app cli\n', stderr: TAKEN + ONE_SHOT, code: 0 });
    // serve and --keepalive keep V8's defaults throughout, and use the cache too.
    expect(spied(dir, ['https://example.test', '--keepalive'])).toEqual({ stdout: 'app cli\n', stderr: TAKEN, code: 0 });
  });

  it('a sampled run (its flags set first) and a run under --enable-source-maps require the file as usual', () => {
    const { dir } = cachedPackage();
    expect(spied(dir, ['https://example.test', '--repeat', '3'])).toEqual({ stdout: 'app cli\n', stderr: SAMPLED, code: 0 });
    const r = spawnSync(process.execPath, ['--enable-source-maps', '--require', spy, join(dir, 'bin', 'diagnose.js'), 'https://example.test'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect([r.stdout, r.stderr]).toEqual(['app cli\n', ONE_SHOT]);
  });

  it('a cache for another build, another Node or another size is not used; a damaged one V8 refuses: the file runs anyway', () => {
    const { dir, app } = cachedPackage();
    const cache = `${app}.v8cache`;
    const good = readFileSync(cache);
    const nl = good.indexOf(10);
    const head = JSON.parse(good.subarray(0, nl).toString()) as { node: string; size: number; build: string };
    const withHead = (h: object, body = good.subarray(nl + 1)) => writeFileSync(cache, Buffer.concat([Buffer.from(`${JSON.stringify(h)}\n`), body]));
    for (const h of [{ ...head, build: 'fedcba9876543210' }, { ...head, node: 'v20.0.0' }, { ...head, size: head.size + 1 }]) {
      withHead(h);
      expect(spied(dir, ['https://example.test']), JSON.stringify(h)).toEqual({ stdout: 'app cli\n', stderr: ONE_SHOT, code: 0 });
    }
    withHead(head, Buffer.from('not a code cache at all, but long enough to be read as one........'));
    expect(spied(dir, ['https://example.test'])).toEqual({ stdout: 'app cli\n', stderr: 'compiled cache=true rejected=true\n' + ONE_SHOT, code: 0 });
    writeFileSync(cache, 'garbage without a head line');
    expect(spied(dir, ['https://example.test'])).toEqual({ stdout: 'app cli\n', stderr: ONE_SHOT, code: 0 });
  });

  it.skipIf(!built)('the cache holds what the training runs compiled (several times the top level alone), and those runs ended well', () => {
    const dir = emptyDir('diagnose-cache-train-');
    made.push(dir);
    const app = join(dir, 'diagnose.cjs');
    copyFileSync(join(root, 'dist', 'app', 'diagnose.cjs'), app);
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'code-cache.cjs'), app, 'feedfacefeedface'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const trained = readFileSync(`${app}.v8cache`).length;
    // The cache of the top level alone: the same text compiled, not run.
    const code = join(root, 'bin', 'app-code.js');
    const top = spawnSync(process.execPath, ['-e', `const c = require(${JSON.stringify(code)}); process.stdout.write(String(c.compileWrapped(c.readWrapped(${JSON.stringify(app)}).text, 'x').createCachedData().length));`], { encoding: 'utf8' });
    expect(top.stderr).toBe('');
    expect(trained).toBeGreaterThan(3 * Number(top.stdout));
  });

  it('training that cannot run costs the cache its coverage, not the build: a warning, the cache of what was compiled, exit 0', () => {
    const dir = emptyDir('diagnose-cache-untrained-');
    made.push(dir);
    const app = join(dir, 'diagnose.cjs');
    writeFileSync(app, "exports.main = () => Promise.reject(new Error('no loopback here'));\n");
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'code-cache.cjs'), app, 'feedfacefeedface'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, 'code-cache: the training runs could not run (no loopback here); the cache covers less\n']);
    expect(readFileSync(`${app}.v8cache`, 'latin1').split('\n')[0]).toBe(JSON.stringify({ node: process.version, size: readFileSync(app).length, build: 'feedfacefeedface' }));
  });

  it.skipIf(!built)('the build made one for the real CLI; a healthy run compiles with it, then sets the one-shot flags, then Liftoff and eager WebAssembly compiling as the tls stage starts the parser', async () => {
    const raw = readFileSync(join(root, 'dist', 'app', 'diagnose.cjs.v8cache'));
    const head = JSON.parse(raw.subarray(0, raw.indexOf(10)).toString()) as { node: string; size: number; build: string };
    const source = readFileSync(join(root, 'dist', 'app', 'diagnose.cjs'), 'latin1');
    expect(head).toEqual({ node: process.version, size: source.length, build: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(source).toContain(`// upstream-doctor build ${head.build}\n`);
    // A bad target: the CLI loads, says what is wrong, exit 2 (no run, no flags).
    const bad = spied(root, ['https://']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^diagnose: target: .*\ncompiled cache=true rejected=false\n$/);
    const api = await keep(startSseServer({ mode: 'openai', events: 3, periodMs: 10, tls: loadCert('valid') }));
    const ok = await runProc(process.execPath, ['--require', spy, join(root, 'bin', 'diagnose.js'), ...healthyArgs(api.port)], { env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: HEALTHY_KEY } });
    expect([ok.code, ok.report?.verdict]).toEqual([0, 'ok']);
    expect(ok.stderr).toBe(TAKEN + ONE_SHOT + 'flags --liftoff-only\nflags --no-wasm-lazy-compilation\n');
  });

  it.skipIf(!built)("a healthy run loads none of Node's modules it has no use for (child_process, dgram, the ES module loader, http2, perf_hooks, assert, http, fs/promises, timers/promises, and dns with the address pinned)", async () => {
    const api = await keep(startSseServer({ mode: 'openai', events: 3, periodMs: 10, tls: loadCert('valid') }));
    const dir = emptyDir('ud-modules-');
    const list = join(dir, 'modules.cjs');
    writeFileSync(list, "process.on('exit', () => process.stderr.write(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(',')));\n");
    const ok = await runProc(process.execPath, ['--require', list, join(root, 'bin', 'diagnose.js'), ...healthyArgs(api.port)], { env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: HEALTHY_KEY } });
    expect([ok.code, ok.report?.verdict]).toEqual([0, 'ok']);
    const loaded = ok.stderr.split(',');
    expect(loaded).toContain('tls');
    for (const unused of ['child_process', 'dgram', 'module', 'internal/modules/esm/loader', 'http2', 'perf_hooks', 'assert', 'http', 'fs/promises', 'timers/promises', 'dns']) expect(loaded).not.toContain(unused);
  });
});
