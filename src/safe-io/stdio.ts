/**
 * stdout and stderr of the CLI, written with write(2) on fds 1 and 2.
 *
 * process.stdout and process.stderr are streams Node builds at their first touch (a socket over a
 * pipe, a synchronous file stream over a file): about a millisecond for the two, and a tenth of a
 * one-shot run's cost beyond Node's own start is what is left to save. A one-shot run writes its
 * report once, at the end, and a synchronous write is also flushed the moment it returns. So:
 * - a terminal gets the stream (the checklist and the human report use its width and colours);
 * - elsewhere each write goes straight to the fd, all of it before it returns;
 * - an fd that would block (EAGAIN: a non-blocking pipe that is full) hands the rest, and every
 *   later write, to the stream, which queues them in order; finish() waits for it to drain;
 * - a reader that went away (EPIPE) or an fd that is not open (EBADF) ends the output silently:
 *   the run goes on and keeps its exit code, as the stream's swallowed 'error' did before.
 */
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface StdWriter {
  /** Write now (or queue on the stream once the fd has refused to block). */
  write(text: string): boolean;
  /** Whether the fd is a terminal. */
  readonly isTTY: boolean;
  /** The stream, when the fd is a terminal (for its columns); undefined otherwise. */
  readonly tty: NodeJS.WriteStream | undefined;
  /** Call `done` once everything written is out (at once unless the stream holds some). */
  flush(done: () => void): void;
}

export function stdWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream, fdIsTTY: (fd: number) => boolean = isatty): StdWriter {
  const isTTY = fdIsTTY(fd);
  let s: NodeJS.WriteStream | undefined;
  let gone = false;
  const open = (): NodeJS.WriteStream => {
    if (!s) {
      s = stream();
      s.on('error', () => {
        gone = true;
      });
    }
    return s;
  };
  if (isTTY) open();
  return {
    isTTY,
    get tty() {
      return isTTY ? open() : undefined;
    },
    write(text: string): boolean {
      if (gone || text === '') return true;
      if (s) {
        s.write(text);
        return true;
      }
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      try {
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') open().write(buf.subarray(off));
        else gone = true;
      }
      return true;
    },
    flush(done: () => void): void {
      if (s && !s.destroyed && !s.errored) s.write('', done);
      else done();
    },
  };
}
