/**
 * Timestamps where the bytes arrive. undici reads a socket from its 'readable' handler and parses
 * what it read right there, so anything stamped from a listener or from the response callbacks
 * comes after the parser handled the bytes (and after a 'readable' that Node defers to the next
 * tick). The socket's `push` is where Node hands each read (decrypted, for TLS) to the stream: a
 * stamp taken there is the moment the bytes reached the process.
 */
import type { Readable } from 'node:stream';

/**
 * Call `cb` synchronously for every non-empty chunk pushed into `sock` from now on (before any
 * reader sees it). Returns the undo; flow and data are untouched.
 */
export function onArrival(sock: Readable, cb: (bytes: number) => void): () => void {
  const own = Object.prototype.hasOwnProperty.call(sock, 'push');
  const original = sock.push;
  const stamped = function (this: Readable, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null && chunk !== undefined) {
      const n = (chunk as { length?: number }).length ?? 0;
      if (n > 0) cb(n);
    }
    return original.call(this, chunk, encoding);
  };
  sock.push = stamped;
  return () => {
    if (sock.push !== stamped) return;
    if (own) sock.push = original;
    else delete (sock as { push?: unknown }).push;
  };
}
