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
import { TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { emptyDir } from '../helpers/artifact-run.js';
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
  copyFileSync(join(root, 'bin', 'diagnose.js'), join(dir, 'bin', 'diagnose.js'));
  copyFileSync(join(root, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
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

