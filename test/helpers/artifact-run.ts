/**
 * Runs a shipped artifact (the single file, the standalone executable, an installed tarball) as a
 * process against a healthy HTTPS loopback API, the way a user on another box would: a clean
 * environment, the working directory a temporary folder with nothing else in it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { assertValidReport } from './schema.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HEALTHY_KEY = 'sk-artifact-V3nQ8pLm2XwR7tYb5Kc';

export interface ProcRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report?: Report;
}

/** A fresh empty folder under the system's temp dir. */
export function emptyDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawn `cmd args` with exactly `env` (plus NO_COLOR), in `cwd`; parse a JSON report from stdout. */
export function runProc(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<ProcRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { NO_COLOR: '1', ...(opts.env ?? { PATH: process.env.PATH ?? '' }) },
      cwd: opts.cwd ?? emptyDir('diagnose-cwd-'),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let report: Report | undefined;
      try {
        if (stdout.trimStart().startsWith('{')) {
          report = JSON.parse(stdout) as Report;
          assertValidReport(report);
        }
      } catch (e) {
        // Thrown here, it would escape the promise and leave the test waiting for its timeout.
        reject(new Error(`${(e as Error).message}\nstdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr.slice(0, 2000)}`));
        return;
      }
      resolve({ code, stdout, stderr, report });
    });
  });
}

/** The arguments of a healthy https run against an OpenAI-compatible API listening on `port`. */
export function healthyArgs(port: number): string[] {
  return [`https://localhost:${port}/v1`, '--provider', 'openai-compatible', '--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--json', '--timeout', '20s'];
}

/**
 * A PATH with `node` and nothing else (no ss, ip, curl...): a folder holding a link to the node
 * that runs the tests (its own folder, /usr/bin here, holds everything else too).
 */
export function nodeOnlyPath(): string {
  const dir = emptyDir('diagnose-path-');
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}
