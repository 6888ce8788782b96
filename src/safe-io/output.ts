/**
 * Where the `--output` report goes, checked before the run starts (a folder, a missing folder, a
 * read-only file system or /proc are one usage line, not a lost report at the end), and written
 * the right way for what is there: a regular file atomically (temporary file + rename) with the
 * mode the report's purpose calls for; a device, FIFO or /dev/stdout in place (as root,
 * `--output /dev/null` must stay a character device).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, open, rename, stat, unlink, writeFile, sleep } from './fs-async.js';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface OutputTarget {
  path: string;
  /** Written in place (devices, FIFOs, /dev and /proc paths), never renamed over. */
  inPlace: boolean;
  /** The mode of a regular file written (exact, umask not applied). */
  mode: number;
}

/** The mode of a new report file: readable by others only when that is its purpose. */
export function defaultOutputMode(format: string): number {
  // node_exporter's textfile collector runs as another user than the check: .prom is 0644.
  return format === 'openmetrics' ? 0o644 : 0o600;
}

/** `--output-mode 0640` / `640` / `0o640`. */
export function parseOutputMode(text: string): number {
  const m = /^(?:0o?)?([0-7]{3})$/.exec(text.trim());
  if (!m) throw new UsageError(`--output-mode: "${text}" is not an octal file mode (write 600, 640 or 644)`);
  return parseInt(m[1]!, 8);
}

function code(err: unknown): string {
  return (err as { code?: string }).code ?? 'error';
}

/** Can files be created in this folder? Tried for real: access() says yes to root on a read-only mount. */
async function probeFolder(dir: string): Promise<string | undefined> {
  const probe = join(dir, `.upstream-doctor-probe.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(probe, 'wx', 0o600);
    await fh.close();
    await unlink(probe).catch(() => undefined);
    return undefined;
  } catch (err) {
    return code(err);
  }
}

/**
 * Check the --output path now; the mode is --output-mode's, else that of the file being replaced
 * (its owner chose it), else the format's default.
 */
export async function checkOutput(file: string, explicitMode: number | undefined, format: string): Promise<OutputTarget> {
  const what = `--output ${file}`;
  const abs = resolve(file);
  const st = await stat(abs).catch((err: unknown) => (code(err) === 'ENOENT' ? undefined : Promise.reject(err))).catch((err: unknown) => {
    throw new UsageError(`${what}: cannot be written (${code(err)})`);
  });
  const mode = explicitMode ?? (st?.isFile() ? st.mode & 0o777 : defaultOutputMode(format));
  if (st?.isDirectory()) throw new UsageError(`${what}: is a directory; give a file name, e.g. ${join(file, 'report.json')}`);
  const special = st !== undefined && !st.isFile();
  if (special || abs.startsWith('/dev/') || abs.startsWith('/proc/')) {
    if (st === undefined) throw new UsageError(`${what}: does not exist, and files cannot be created there`);
    try {
      await access(abs, constants.W_OK);
    } catch (err) {
      throw new UsageError(`${what}: cannot be written (${code(err)})`);
    }
    return { path: abs, inPlace: true, mode };
  }
  const dir = dirname(abs);
  const dst = await stat(dir).catch(() => undefined);
  if (!dst) throw new UsageError(`${what}: the folder ${dirname(file)} does not exist`);
  if (!dst.isDirectory()) throw new UsageError(`${what}: ${dirname(file)} is not a folder`);
  const problem = await probeFolder(dir);
  if (problem === undefined) return { path: abs, inPlace: false, mode };
  // A file that exists and may be written, in a folder that may not: written in place.
  if (st !== undefined && (await access(abs, constants.W_OK).then(() => true, () => false)) && problem !== 'EROFS') {
    return { path: abs, inPlace: true, mode };
  }
  throw new UsageError(`${what}: cannot be written: files cannot be created in ${dirname(file)} (${problem})`);
}

/** How long a FIFO given as --output may go without a reader, or with one that does not read. */
const FIFO_WAIT_MS = 10_000;

/**
 * Write a FIFO without blocking forever: opened non-blocking (ENXIO while nobody reads: wait a
 * little for a reader, as `diagnose --output p & cat p` needs), then written through that same
 * descriptor (closing a probe would hand the reader an end of file).
 */
async function writeFifo(path: string, content: string): Promise<void> {
  const deadline = Date.now() + FIFO_WAIT_MS;
  let fh;
  for (;;) {
    try {
      fh = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
      break;
    } catch (err) {
      if (code(err) !== 'ENXIO' || Date.now() >= deadline) throw err;
      await sleep(50);
    }
  }
  try {
    const buf = Buffer.from(content);
    let at = 0;
    while (at < buf.length) {
      try {
        at += (await fh.write(buf, at, buf.length - at)).bytesWritten;
      } catch (err) {
        if (code(err) !== 'EAGAIN' || Date.now() >= deadline) throw err;
        await sleep(10);
      }
    }
  } finally {
    await fh.close();
  }
}

async function writeInPlace(path: string, content: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isFIFO()) return writeFifo(path, content);
  // /dev/stdout onto a file the shell redirected to: append, never truncate what stdout wrote.
  const append = path.startsWith('/dev/') || path.startsWith('/proc/') || !st?.isFile();
  await writeFile(path, content, { flag: append ? 'a' : 'w' });
}

export async function writeOutput(target: OutputTarget, content: string): Promise<void> {
  if (target.inPlace) return writeInPlace(target.path, content);
  const file = target.path;
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content, { mode: target.mode });
    await chmod(tmp, target.mode); // exact: the umask does not decide who may read a report
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
