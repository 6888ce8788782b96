/**
 * The Node version check every entry point runs first: a pure function of the version string,
 * table-tested; the entry point under a faked version; and, only when an older Node really is
 * installed here (never downloaded), the entry point under it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE } from '../../src/preflight/node-version.js';
import { emptyDir, ROOT, runProc } from '../helpers/artifact-run.js';

describe('nodeVersionProblem', () => {
  it('the required version is the engines field of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${REQUIRED_NODE}`);
  });

  it.each([
    ['20.18.1', undefined],
    ['v20.18.1', undefined],
    ['20.18.2', undefined],
    ['20.19.0', undefined],
    ['22.0.0', undefined],
    ['24.11.1', undefined],
    ['20.18.0', 'v20.18.0'],
    ['20.9.0', 'v20.9.0'],
    ['18.20.4', 'v18.20.4'],
    ['v16.20.2', 'v16.20.2'],
    ['12.22.12', 'v12.22.12'],
  ])('%s', (found, shown) => {
    const problem = nodeVersionProblem(found);
    if (shown === undefined) {
      expect(problem).toBeUndefined();
    } else {
      expect(problem).toBe(
        `diagnose: needs Node.js >= 20.18.1, found ${shown}; install a newer Node, or use the standalone executable (npm run sea), which needs no Node at all`,
      );
      expect(problem).not.toContain('\n');
    }
  });

  it('a version it cannot read is let through (a real error later beats refusing a working Node)', () => {
    expect(nodeVersionProblem('')).toBeUndefined();
    expect(nodeVersionProblem('nightly')).toBeUndefined();
  });

  it('compares against the version it is given', () => {
    expect(nodeVersionProblem('20.18.1', '22.0.0')).toMatch(/needs Node\.js >= 22\.0\.0, found v20\.18\.1/);
  });
});

describe('bin/diagnose.js on an old Node', () => {
  const bin = join(ROOT, 'bin', 'diagnose.js');

  it('with the version faked to 18.20.4: one line, exit 2', async () => {
    const dir = emptyDir('diagnose-fake-');
    const fake = join(dir, 'old-node.cjs');
    writeFileSync(fake, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.20.4' } });\n");
    const r = await runProc(process.execPath, ['--require', fake, bin, 'api.openai.com', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^diagnose: needs Node\.js >= 20\.18\.1, found v18\.20\.4; .*standalone executable.*needs no Node/)]);
  });

  // Only an older Node already on this machine: none is downloaded. OLD_NODE names one explicitly.
  const candidates = [process.env.OLD_NODE, 'node18', 'nodejs18', 'node16', '/usr/lib/nodejs18/bin/node'].filter((c): c is string => !!c);
  const old = candidates.find((c) => {
    const r = spawnSync(c, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    return r.status === 0 && nodeVersionProblem(r.stdout.trim()) !== undefined;
  });

  it.skipIf(old === undefined)('under a real older Node: the same line, exit 2', () => {
    const version = execFileSync(old!, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const r = spawnSync(old!, [bin, 'api.openai.com'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(nodeVersionProblem(version));
  });
});
