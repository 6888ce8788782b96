/**
 * Bench-local servers on 127.0.0.1 port 0 for the hostile cases the shared fixtures do not have:
 * a slow-loris that dribbles a header one byte at a time, a header flood, a 1 GiB body sent as fast
 * as the reader takes it, and a TLS terminator that puts https in front of a plain-http fixture.
 * Each returns the fixtures' `{ url, port, close }` handle.
 */
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterRequestHead } from '../fixtures/http-scripted.js';
import { listenFixture } from '../fixtures/listen.js';
import type { KeyPair } from '../fixtures/tls-server.js';
import type { Fixture } from '../fixtures/types.js';

/** Write `next()` for as long as the reader keeps taking it and `more()` says so. */
function pump(socket: Socket, next: () => Buffer, more: () => boolean = () => true): void {
  const go = () => {
    while (!socket.destroyed && more()) {
      if (!socket.write(next())) return;
    }
    if (!more()) socket.end();
  };
  socket.on('drain', go);
  go();
}

/**
 * A slow-loris: answers the status line, then one byte of a header every `everyMs`, never
 * finishing the head. Every byte resets a naive per-read idle timer; only a real deadline ends it.
 */
export function startSlowLoris(everyMs = 50): Promise<Fixture> {
  const server = createServer((socket) => {
    afterRequestHead(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\nx-slow: ');
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write('a');
      }, everyMs);
      socket.on('close', () => clearInterval(timer));
    });
  });
  return listenFixture(server);
}

/**
 * A body slow-loris: a complete head announcing 1 MiB, then one body byte every `everyMs`. The
 * response is "answered", so only the reader's own deadline ends the wait for the rest.
 */
export function startSlowBody(everyMs = 50): Promise<Fixture> {
  const server = createServer((socket) => {
    afterRequestHead(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1048576\r\n\r\n{');
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write(' ');
      }, everyMs);
      socket.on('close', () => clearInterval(timer));
    });
  });
  return listenFixture(server);
}

/**
 * A TLS slow-loris: the header of a 16 KiB handshake record, then one byte of it every `everyMs`.
 * The handshake has begun and bytes keep coming, yet it can never finish in time.
 */
export function startTlsDrip(everyMs = 50): Promise<Fixture> {
  const server = createServer((socket) => {
    socket.resume();
    socket.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(Buffer.from([0x02]));
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  });
  return listenFixture(server, { scheme: 'https' });
}

/** A header flood: a status line, then header lines of 1 KiB without end, as fast as they are read. */
export function startHeaderFlood(): Promise<Fixture> {
  const server = createServer((socket) => {
    afterRequestHead(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n');
      let n = 0;
      pump(socket, () => Buffer.from(`x-flood-${++n}: ${'f'.repeat(1000)}\r\n`, 'latin1'));
    });
  });
  return listenFixture(server);
}

/** How many bytes the endless-body server announces and sends. */
export const HUGE_BODY_BYTES = 1024 ** 3;

/**
 * 200 with `content-length: 1 GiB` and the body written in 64 KiB chunks as fast as the reader
 * takes it: a tool that buffers bodies would grow by a gigabyte.
 */
export function startHugeBody(): Promise<Fixture & { bytesSent(): number }> {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  const server = createServer((socket) => {
    afterRequestHead(socket, () => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${HUGE_BODY_BYTES}\r\n\r\n`);
      let left = HUGE_BODY_BYTES;
      pump(
        socket,
        () => {
          const b = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= b.length;
          sent += b.length;
          return b;
        },
        () => left > 0,
      );
    });
  });
  return listenFixture(server).then((f) => ({ ...f, bytesSent: () => sent }));
}

/**
 * TLS in front of a plain-http server on loopback (what a load balancer or nginx does): each
 * decrypted connection is piped to `upstreamPort`. The url names localhost, which the test
 * certificates cover; the CLI pins it with --resolve so nothing asks DNS.
 */
export async function startTlsFront(pair: KeyPair, upstreamPort: number): Promise<Fixture> {
  const server = createTlsServer({ ...pair, ALPNProtocols: ['http/1.1'] }, (tls: TLSSocket) => {
    const up = connect(upstreamPort, '127.0.0.1');
    // TCP_NODELAY both ways, as nginx, haproxy and Envoy set it: without it, the response segment
    // written right after the session tickets waits for the client's delayed ACK (about 40 ms for
    // a Node client; curl happened not to hit it), which measured the front, not the client.
    tls.setNoDelay(true);
    up.setNoDelay(true);
    up.on('error', () => tls.destroy());
    tls.on('error', () => up.destroy());
    tls.pipe(up).pipe(tls);
  });
  // A client that gives up mid-handshake is expected; it must not take the bench down.
  server.on('tlsClientError', () => undefined);
  const f = await listenFixture(server, { scheme: 'https' });
  return { ...f, url: `https://localhost:${f.port}` };
}
