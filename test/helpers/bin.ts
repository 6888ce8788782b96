/** Run the built bin (dist/, via bin/diagnose.js) as a user does, with a hard kill as a safety net. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The bin under test; UD_TEST_BIN points at another build (to show that a test fails before a fix). */
export const BIN = process.env.UD_TEST_BIN ?? join(import.meta.dirname, '..', '..', 'bin', 'diagnose.js');

export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The bin did not finish by itself: the safety net killed it. */
  killed: boolean;
}

export interface BinOptions {
  env?: Record<string, string | undefined>;
  /** Send this signal once stderr or stdout shows `when` (or after `afterMs`). */
  signal?: { name: NodeJS.Signals; when?: RegExp; afterMs?: number };
  /** Where stdout goes: 'pipe' (default) or an fd / stream for the child. */
  stdout?: 'pipe' | 'ignore' | number;
  /** Close our end of stdout after the first chunk (`| head -1`). */
  closeStdoutAfterFirstChunk?: boolean;
  /** Kill after this long (the hang detector; default 60 s). */
  killAfterMs?: number;
}

export function runBin(args: string[], opts: BinOptions = {}): Promise<BinRun> {
  return new Promise((resolve) => {
    const env = opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
    const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let signalled = false;
    const maybeSignal = () => {
      if (!opts.signal || signalled || !opts.signal.when) return;
      if (opts.signal.when.test(stderr) || opts.signal.when.test(stdout)) {
        signalled = true;
        child.kill(opts.signal.name);
      }
    };
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.closeStdoutAfterFirstChunk) child.stdout!.destroy();
      maybeSignal();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      maybeSignal();
    });
    if (opts.signal?.afterMs !== undefined) {
      setTimeout(() => {
        if (!signalled) {
          signalled = true;
          child.kill(opts.signal!.name);
        }
      }, opts.signal.afterMs);
    }
    const net = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.killAfterMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(net);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}
