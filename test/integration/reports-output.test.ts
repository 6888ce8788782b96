/**
 * --output (atomic, format from --format or the extension) and GITHUB_STEP_SUMMARY, on real
 * runs against a refused loopback port.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/tcp-servers.js';
import type { Fixture } from '../../fixtures/types.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';
import { assertValidReport } from '../helpers/schema.js';

let refused: Fixture;
let dir: string;
let n = 0;

beforeAll(async () => {
  refused = await closedPort();
  dir = mkdtempSync(join(tmpdir(), 'ud-output-'));
});
afterAll(async () => {
  await refused?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh sub-folder, so leftovers of one test cannot hide in another's listing. */
function folder(): string {
  const d = join(dir, String(++n));
  mkdirSync(d);
  return d;
}

const target = () => [`http://127.0.0.1:${refused.port}/v1`, '--timeout', '3s'];

describe('--output', () => {
  it.each([
    ['report.json', [], 'json'],
    ['report.md', [], 'md'],
    ['report.xml', [], 'junit'],
    ['report.prom', [], 'openmetrics'],
    ['report.txt', [], 'json'],
    ['report.md', ['--format', 'junit'], 'junit'],
    ['report.json', ['--format', 'github'], 'json'],
    ['report.xml', ['--format', 'github'], 'junit'],
    ['report.txt', ['--format', 'md'], 'md'],
  ])('%s with %j is written as %s, in addition to stdout', async (name, flags, want) => {
    const file = join(folder(), name);
    const run = await runCli([...target(), ...flags, '--output', file], { env: cleanEnv() });
    expect(run.code).toBe(11);
    expect(run.stdout.length).toBeGreaterThan(0);
    const text = readFileSync(file, 'utf8');
    switch (want) {
      case 'json': {
        const report = JSON.parse(text) as Report;
        assertValidReport(report);
        expect(report.rootCause).toBe('TCP_REFUSED');
        break;
      }
      case 'md':
        expect(text).toMatch(/^## upstream-doctor: ❌ FAILED/);
        break;
      case 'junit':
        expect(text).toMatch(/^<\?xml/);
        if (hasCommand('xmllint')) expect(xmllintJunit(text).status).toBe(0);
        break;
      case 'openmetrics':
        expect(text).toMatch(/^# HELP probe_success /);
        if (hasCommand('promtool')) expect(promtoolCheck(text).status).toBe(0);
        break;
    }
  });

  it('replaces an existing file by rename (a new inode), keeps its mode, leaves no temporary file', async () => {
    const d = folder();
    const file = join(d, 'doctor.prom');
    writeFileSync(file, 'old content\n');
    chmodSync(file, 0o640);
    const before = statSync(file);
    const run = await runCli([...target(), '--output', file], { env: cleanEnv() });
    expect(run.code).toBe(11);
    const after = statSync(file);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o640);
    expect(readFileSync(file, 'utf8')).toMatch(/^# HELP probe_success/);
    expect(readdirSync(d)).toEqual(['doctor.prom']);
  });

  it('a new file is 0600, except openmetrics (node_exporter runs as another user): 0644; --output-mode sets it exactly', async () => {
    const file = join(folder(), 'new.json');
    await runCli([...target(), '--output', file], { env: cleanEnv() });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const prom = join(folder(), 'new.prom');
    await runCli([...target(), '--output', prom], { env: cleanEnv() });
    expect(statSync(prom).mode & 0o777).toBe(0o644);
    const explicit = join(folder(), 'explicit.json');
    await runCli([...target(), '--output', explicit, '--output-mode', '640'], { env: cleanEnv() });
    expect(statSync(explicit).mode & 0o777).toBe(0o640);
    const bad = await runCli([...target(), '--output', explicit, '--output-mode', 'rw-r--r--'], { env: cleanEnv() });
    expect(bad.code).toBe(2);
  });

  it('an --output that cannot be written is found before the run: one line, exit 2, nothing left behind', async () => {
    const d = folder();
    const blocker = join(d, 'taken');
    mkdirSync(blocker);
    const run = await runCli([...target(), '--json', '--output', blocker], { env: cleanEnv() });
    expect(run.stderr).toMatch(/^diagnose: --output .*taken: is a directory/);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(readdirSync(d)).toEqual(['taken']);
    const missing = await runCli([...target(), '--output', join(d, 'no', 'such', 'dir.json')], { env: cleanEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the folder .*no\/such does not exist/);
  });
});

describe('GITHUB_STEP_SUMMARY', () => {
  it('with --format github the Markdown report is appended to the file it names', async () => {
    const summary = join(folder(), 'step-summary.md');
    writeFileSync(summary, '# earlier step\n\n');
    const run = await runCli([...target(), '--format', 'github'], { env: cleanEnv({ GITHUB_STEP_SUMMARY: summary }) });
    expect(run.code).toBe(11);
    expect(run.stdout).toMatch(/^::error title=TCP_REFUSED \(tcp%2C root cause\)::/);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n\n## upstream-doctor: ❌ FAILED')).toBe(true);
    expect(text).toContain('`TCP_REFUSED` (root cause)');
    expect(text).toContain('<details><summary>JSON report</summary>');
  });

  it('other formats leave it alone; a summary that cannot be written is reported, not fatal', async () => {
    const summary = join(folder(), 'step-summary.md');
    writeFileSync(summary, 'untouched\n');
    await runCli([...target(), '--format', 'junit'], { env: cleanEnv({ GITHUB_STEP_SUMMARY: summary }) });
    expect(readFileSync(summary, 'utf8')).toBe('untouched\n');
    const run = await runCli([...target(), '--format', 'github'], { env: cleanEnv({ GITHUB_STEP_SUMMARY: join(folder(), 'missing', 's.md') }) });
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(/could not append to GITHUB_STEP_SUMMARY .*ENOENT/);
  });
});
