/**
 * ClientHellos of a chosen size, made by node:tls itself: the ALPN list is padded with dummy
 * protocol names after `http/1.1`. A server must read the whole hello before it answers, so any
 * answer to a padded hello proves that the client's large packets reached it.
 */
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/** The longest ALPN protocol name TLS allows. */
const MAX_NAME = 255;

/** Dummy ALPN names that add `extra` bytes to the hello (each name costs its length + 1). */
export function alpnPadding(extra: number): string[] {
  const names: string[] = [];
  let left = extra;
  let i = 0;
  while (left >= 2) {
    // Never leave a remainder of 1 byte, which no name can fill.
    let len = Math.min(MAX_NAME, left - 1);
    if (left - (len + 1) === 1) len -= 1;
    const tag = `pad${i++}-`;
    names.push((tag + 'x'.repeat(MAX_NAME)).slice(0, Math.max(len, 1)));
    left -= len + 1;
  }
  return names;
}

/**
 * The size in bytes of the ClientHello record node:tls writes for these options, found by letting
 * it write into a local stream (no network).
 */
export function measureHello(servername: string | undefined, alpn: string[]): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const sink = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        if (!done) {
          done = true;
          resolve(chunk.length);
          queueMicrotask(() => tls.destroy());
        }
        cb();
      },
    });
    const tls = tlsConnect({ socket: sink, servername, ALPNProtocols: alpn, rejectUnauthorized: false });
    tls.on('error', () => undefined);
  });
}

/** The ALPN list that makes the hello about `target` bytes (never smaller than the natural one). */
export async function alpnForHelloSize(servername: string | undefined, target: number): Promise<string[]> {
  const base = ['http/1.1'];
  const natural = await measureHello(servername, base);
  // The ALPN extension already exists, so each added name costs exactly its length + 1.
  return [...base, ...alpnPadding(target - natural)];
}
