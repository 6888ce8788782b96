/**
 * The tarball path of the README: `npm pack`, then `npm install -g` of the tarball with no dev
 * dependencies (no TypeScript at install time), then the installed `diagnose` runs: --version and a
 * healthy https run against a loopback API. Packed from a copy of the package's files, so the
 * pack's own build and manifest rewrite never touch the tree other tests read.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSseServer } from '../../fixtures/sse-server.js';
import { loadCert } from '../../fixtures/tls-server.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { emptyDir, HEALTHY_KEY, healthyArgs, ROOT, runProc } from '../helpers/artifact-run.js';

const keep = closeAfterAll();

function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', [...args, '--no-audit', '--no-fund'], { cwd, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`npm ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout + stderr),
    );
  });
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

let port = 0;
let prefix = '';
let installLog = '';
let packedFiles: string[] = [];

beforeAll(async () => {
  const api = await keep(startSseServer({ mode: 'openai', events: 3, periodMs: 10, tls: loadCert('valid') }));
  port = api.port;
  const src = emptyDir('diagnose-pack-src-');
  made.push(src);
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'bin', 'src', 'schema', 'scripts']) {
    cpSync(join(ROOT, f), join(src, f), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const out = emptyDir('diagnose-pack-out-');
  made.push(out);
  const listing = await npm(['pack', '--pack-destination', out], src);
  packedFiles = [...listing.matchAll(/npm notice [\d.]+k?B\s+(\S+)/g)].map((m) => m[1]!);
  const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
  prefix = emptyDir('diagnose-prefix-');
  made.push(prefix);
  installLog = await npm(['install', '-g', '--prefix', prefix, '--omit=dev', '--prefer-offline', join(out, tarball)], out);
}, 600_000);

describe('npm pack, then npm install -g of the tarball with --omit=dev', () => {
  it('the tarball holds the built CLI and no build step for install time', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['bin/diagnose.js', 'dist/cli.js', 'dist/preflight/node-version.js', 'schema/report.schema.json', 'LICENSE']));
    expect(packedFiles.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f === 'dist/diagnose.mjs' || f.startsWith('dist/diagnose-'))).toEqual([]);
    expect(installLog).not.toMatch(/prepare|install-scripts|tsc/);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'upstream-doctor', 'node_modules', 'typescript'))).toBe(false);
  });

  it('the installed diagnose prints its version and passes a healthy https run, exit 0', async () => {
    const bin = join(prefix, 'bin', 'diagnose');
    const v = await runProc(bin, ['--version']);
    expect(v).toMatchObject({ code: 0, stderr: '' });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const r = await runProc(bin, healthyArgs(port), { env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: HEALTHY_KEY } });
    expect(r.report).toMatchObject({ verdict: 'ok', exitCode: 0, diagnoses: [], tool: { version: v.stdout.trim() } });
    expect(r.report?.stages.find((s) => s.id === 'http')?.status).toBe('pass');
    expect(r.code).toBe(0);
  });
});
