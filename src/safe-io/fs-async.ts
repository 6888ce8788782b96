/**
 * The promise forms of the file calls a one-shot run makes, over node:fs's callbacks.
 *
 * node:fs/promises is the same calls, but it loads eight more of Node's modules at its import (its
 * FileHandle, directory and watcher classes, readline for readLines): about 0.8 ms of every run.
 * node:timers/promises likewise, for one sleep. `open` gives a handle with the four methods of
 * FileHandle the code uses; unlike a FileHandle it is not closed by the garbage collector, so every
 * caller closes it in a `finally`. Commands that run long (serve, --repeat, fleets) may use
 * node:fs/promises directly.
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const stat = promisify(fs.stat);
export const access = promisify(fs.access);
export const chmod = promisify(fs.chmod);
export const rename = promisify(fs.rename);
export const unlink = promisify(fs.unlink);
export const readFile = promisify(fs.readFile);
export const writeFile = promisify(fs.writeFile);
export const appendFile = promisify(fs.appendFile);
export const readdir = promisify(fs.readdir);

const openFd = promisify(fs.open);
const readFd = promisify(fs.read);
const writeFd = promisify(fs.write);
const fstat = promisify(fs.fstat);
const closeFd = promisify(fs.close);

/** An open file: the part of FileHandle's interface this code uses. */
export class FdHandle {
  constructor(readonly fd: number) {}

  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }> {
    return readFd(this.fd, buffer, offset, length, position);
  }

  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }> {
    return writeFd(this.fd, buffer, offset, length);
  }

  stat(): Promise<fs.Stats> {
    return fstat(this.fd);
  }

  close(): Promise<void> {
    return closeFd(this.fd);
  }
}

export async function open(path: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode): Promise<FdHandle> {
  return new FdHandle(await openFd(path, flags, mode));
}

/** Wait `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
