/**
 * Run the built CLI (`node bin/diagnose.js`) as a child process and measure it from outside: wall
 * time from spawn to exit, and the peak resident memory read from /proc/<pid>/status (VmHWM, the
 * kernel's high-water mark, so the last read before exit is the peak up to that moment).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from <root>/bench or from its transpiled copy under node_modules/.cache. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const BIN = join(ROOT, 'bin', 'diagnose.js');

function findRoot(from: string): string {
  const i = from.lastIndexOf('/node_modules/');
  return i >= 0 ? from.slice(0, i) : join(from, '..');
}

/** One run of the CLI, measured. */
export interface ChildRun {
  /** Milliseconds from spawn to the process's exit (Node start included). */
  wallMs: number;
  /** Highest VmHWM seen, in kB (0 when the process ended before the first read). */
  peakRssKb: number;
  /** How many times /proc was read while the process ran. */
  samples: number;
  /**
   * Milliseconds from spawn to the last output chunk (0 when nothing was printed). What lies
   * between this and `wallMs` is the process's own teardown after it printed.
   */
  lastOutputMs: number;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the bench had to kill the child (it outlived its hard limit). */
  killed: boolean;
}

export interface ChildOptions {
  env: Record<string, string | undefined>;
  /** Kill the child after this long: a run that never ends must not hang the bench. */
  hardLimitMs: number;
  /** How often to read VmHWM, in ms. */
  pollMs?: number;
  /** The script to run instead of the CLI (the bench's own tests check the instrument with it). */
  script?: string;
  /** A program to run instead of node (curl, for the reference rows); `args` are all its arguments. */
  exec?: string;
  /** Arguments for node before the script (e.g. -e 0 with script ''). */
  nodeArgs?: string[];
}

/** VmHWM of a live process in kB; undefined once it is gone. */
function readHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GNU time, when installed: it reports the child's peak RSS from the kernel's own account at exit
 * (getrusage's ru_maxrss), which polling VmHWM misses when the peak comes in the last milliseconds
 * (a healthy run peaks while it renders and writes its report: about 1.5 MB above the last poll).
 */
const GNU_TIME = '/usr/bin/time';
let gnuTime: boolean | undefined;
function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
    gnuTime = r.status === 0;
  }
  return gnuTime;
}

/** How the peak RSS figures were taken, for the report. */
export function rssMethod(): string {
  return hasGnuTime() ? 'getrusage ru_maxrss at exit (GNU time)' : 'VmHWM polled every 5 ms (GNU time not installed: a peak in the last milliseconds can be missed)';
}

/** Keep only the first MiB of an output stream: a broken CLI must not make the bench itself balloon. */
const OUTPUT_CAP = 1 << 20;

export function runChild(args: string[], opts: ChildOptions): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const argv = opts.exec !== undefined ? args : [...(opts.nodeArgs ?? []), ...(opts.script === '' ? [] : [opts.script ?? BIN]), ...args];
    const program = opts.exec ?? process.execPath;
    // Under GNU time (its own process, so the child runs in a process group of its own and the
    // hard limit kills the group).
    const timed = hasGnuTime() ? mkdtempSync(`${tmpdir()}/ud-bench-rss-`) : undefined;
    const started = performance.now();
    const child = timed
      ? spawn(GNU_TIME, ['-f', '%M', '-o', `${timed}/rss`, program, ...argv], { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(program, argv, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lastOutputMs = 0;
    child.stdout.on('data', (d: Buffer) => {
      lastOutputMs = performance.now() - started;
      if (stdout.length < OUTPUT_CAP) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      lastOutputMs = performance.now() - started;
      if (stderr.length < OUTPUT_CAP) stderr += d.toString('utf8');
    });
    let peak = 0;
    let samples = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      const kb = readHwmKb(child.pid);
      if (kb === undefined) return;
      samples++;
      peak = Math.max(peak, kb);
    };
    sample();
    const poll = setInterval(sample, opts.pollMs ?? 5);
    let killed = false;
    const limit = setTimeout(() => {
      killed = true;
      try {
        if (timed && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }, opts.hardLimitMs);
    let wallMs = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    // 'exit' marks the end of the process; 'close' follows once its pipes are drained.
    child.on('exit', (code, signal) => {
      wallMs = performance.now() - started;
      exit = { code, signal };
      clearInterval(poll);
      clearTimeout(limit);
    });
    child.on('error', (err) => {
      clearInterval(poll);
      clearTimeout(limit);
      reject(err);
    });
    child.on('close', () => {
      if (timed) {
        // GNU time's last line is %M (a line before it says when the command failed).
        try {
          const kb = Number(readFileSync(`${timed}/rss`, 'utf8').trim().split('\n').pop());
          if (Number.isFinite(kb)) peak = Math.max(peak, kb);
        } catch {
          // killed before it wrote: the polled figure stands
        }
        rmSync(timed, { recursive: true, force: true });
      }
      resolve({ wallMs, lastOutputMs, peakRssKb: peak, samples, ...exit, stdout, stderr, killed });
    });
  });
}
