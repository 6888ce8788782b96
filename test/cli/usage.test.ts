import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';

// Every usage error: one line on stderr, exit 2, nothing on stdout, no stack trace.
describe('usage errors', () => {
  it.each([
    [[]],
    [['']],
    [['api openai.com']],
    [['ftp://api.openai.com']],
    [['https://u:p@api.openai.com']],
    [['api.openai.com:99999']],
    [['api.openai.com', '--bogus']],
    [['api.openai.com', '--timeout']],
    [['api.openai.com', '--timeout', 'soon']],
    [['api.openai.com', '--provider', 'nope']],
    [['api.openai.com', '--format', 'xml']],
    [['api.openai.com', '--json', '--format', 'md']],
    [['api.openai.com', '--resolver', 'dns.google']],
    [['api.openai.com', '--resolve', 'api.openai.com:443']],
    [['api.openai.com', '--api-key-env', 'sk-abcdef']],
    [['api.openai.com', '--api-key-env', 'UNSET_VARIABLE_X']],
    [['api.openai.com', '--api-key-file', '/nonexistent/key']],
    [['api.openai.com', '--ca', '/nonexistent/ca.pem']],
    // Several targets: a bad one stops the run before any is probed.
    [['api.openai.com', 'extra arg']],
    [['api.openai.com', 'api.openai.com']],
    [['api.openai.com', 'localhost', '--parallel', '0']],
    [['--config', '/nonexistent/targets.yaml']],
    [['--explain', 'NOT_A_CODE']],
    [['api.openai.com', '--api-key', 'sk-abc']],
  ])('%j', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^diagnose: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an empty key file is a usage error', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'ud-key-'));
    await writeFile(join(dir, 'k'), '\n\n');
    const r = await runCli(['127.0.0.1:9', '--api-key-file', join(dir, 'k')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is empty/);
  });

  it('a key on stdin is read, and never printed', async () => {
    const key = 'sk-test-STDINKEY-0123456789abcdef';
    const r = await runCli(['127.0.0.1:9', '--api-key-file', '-', '--json', '--timeout', '1s'], { stdin: `${key}\n`, env: cleanEnv() });
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(r.report?.key).toEqual({ source: 'stdin', fingerprint: 'sk-…cdef' });
  });
});

describe('--help, --version, --explain', () => {
  it('--help lists the options and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const o of ['--provider', '--api-key-env', '--resolver', '--resolve', '--timeout', '--json', '--format', '--output', '--strict']) {
      expect(r.stdout).toContain(o);
    }
  });
  it('--version prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('--explain prints a catalogue entry without a target', async () => {
    const r = await runCli(['--explain', 'reset_before_headers']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^RESET_BEFORE_HEADERS \(error, stage http, exit 14\)/);
    expect(r.stdout).toMatch(/1\. \[/);
  });
});
