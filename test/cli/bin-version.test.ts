/**
 * bin/diagnose.js answers `--version` itself, from package.json alone (CommonJS, so Node starts it
 * sooner), but only on a Node plainly new enough for the engines field: on an older one the real
 * check (dist/preflight/node-version.js) speaks, whatever the arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDir } from '../helpers/artifact-run.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'diagnose.js');
const built = existsSync(join(root, 'dist', 'cli.js'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function run(args: string[], nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fakeNode(version: string): string {
  const f = join(emptyDir('diagnose-fake-'), 'node.cjs');
  writeFileSync(f, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n`);
  return f;
}

describe.skipIf(!built)('bin/diagnose.js --version', () => {
  it('prints the version of package.json, and nothing else, exit 0', () => {
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('--explain CODE and a bad target still reach dist/quick.js and the full command line', () => {
    const e = run(['--explain', 'RESET_BEFORE_HEADERS']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^RESET_BEFORE_HEADERS \(error, stage http, exit 14\)/);
    const bad = run(['ftp://example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('on a Node older than the engines field the Node check answers, not the version', () => {
    const r = run(['--version'], ['--require', fakeNode('20.18.0')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/needs Node\.js >= 20\.18\.1, found v20\.18\.0/);
  });

  it('on exactly the lowest Node of the engines field it answers', () => {
    const r = run(['--version'], ['--require', fakeNode('20.18.1')]);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--explain on an old Node: the Node check answers', () => {
    const r = run(['--explain', 'RESET_BEFORE_HEADERS'], ['--require', fakeNode('18.20.4')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/needs Node\.js >= 20\.18\.1, found v18\.20\.4/);
  });
});
