/**
 * The raw side of an MTU probe: a TCP connection whose every byte in and out is counted, with the
 * moments of the first byte, the peer's FIN and a reset. TLS hides raw reads once it owns a
 * net.Socket, so TLS probes run over `CountingStream`, a Duplex in front of the socket.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { errorFacts } from '../failure.js';

/** What the probe saw on its raw connection; all times in ms since the probe started. */
export interface RawTrace {
  localPort?: number;
  connectMs?: number;
  bytesWritten: number;
  bytesRead: number;
  /** Size of the first write (for a TLS probe: the ClientHello record). */
  firstWriteBytes?: number;
  firstByteMs?: number;
  /** The first byte the peer sent (0x15 starts a TLS alert record, 0x16 a handshake record). */
  firstByte?: number;
  /** The peer closed its side (FIN). */
  finMs?: number;
  /** The connection failed or was reset: the error code (ECONNRESET ...). */
  errorCode?: string;
  errorMs?: number;
  /** http-target probes: when the verified handshake completed (ms since start). */
  handshakeMs?: number;
  /** http-target probes: decrypted response bytes. */
  appBytesRead?: number;
  /** body probes: raw bytes written before the request (the handshake); the request follows. */
  requestStartBytes?: number;
  /** body probes: the request's body size. */
  bodyBytes?: number;
  /** body probes: the status code of the answer, once its first line arrived. */
  status?: number;
}

/** An open probe connection: the socket, its trace, and a Duplex that counts for TLS on top. */
export interface ProbeConn {
  socket: Socket;
  trace: RawTrace;
  /** Resolves at the first sign of life from the peer: a byte, a FIN, a reset. */
  reacted: Promise<void>;
}

/**
 * Connect and start counting. Rejects with the socket error (code kept) or on abort. `halfOpen`
 * keeps our side open after the peer's FIN, so the socket (and its counters) is still there for ss
 * when a server answered and closed.
 */
export function openProbeConn(address: string, port: number, signal: AbortSignal, now: () => number, halfOpen = false): Promise<ProbeConn> {
  const t0 = now();
  const trace: RawTrace = { bytesWritten: 0, bytesRead: 0 };
  let react: () => void = () => undefined;
  const reacted = new Promise<void>((r) => (react = r));
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = netConnect({ host: address, port, allowHalfOpen: halfOpen });
    // Counting starts before 'connect' so nothing is missed; reads never pause the kernel queue.
    socket.on('data', (chunk: Buffer) => {
      if (trace.bytesRead === 0) {
        trace.firstByteMs = now() - t0;
        trace.firstByte = chunk[0];
      }
      trace.bytesRead += chunk.length;
      react();
    });
    socket.on('end', () => {
      trace.finMs ??= now() - t0;
      react();
    });
    const onAbort = () => {
      socket.destroy();
      reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => {
      trace.errorCode ??= errorFacts(err).code ?? 'ERROR';
      trace.errorMs ??= now() - t0;
      react();
      if (trace.connectMs === undefined) {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      }
    });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      trace.connectMs = now() - t0;
      trace.localPort = socket.localPort;
      resolve({ socket, trace, reacted });
    });
  });
}

/** Write through the probe connection, counting. */
export function probeWrite(conn: ProbeConn, data: Buffer): void {
  conn.trace.firstWriteBytes ??= data.length;
  conn.trace.bytesWritten += data.length;
  conn.socket.write(data);
}

/**
 * A Duplex over the probe connection for `tls.connect({ socket })`: writes are counted, reads are
 * handed on. The raw 'data' listener stays the counter; this only forwards.
 */
export class CountingStream extends Duplex {
  constructor(private readonly conn: ProbeConn) {
    super();
    conn.socket.on('data', (chunk: Buffer) => this.push(chunk));
    conn.socket.on('end', () => this.push(null));
    conn.socket.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    // Reads flow from the socket's 'data' events; the probe never applies back-pressure.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.conn.trace.firstWriteBytes ??= chunk.length;
    this.conn.trace.bytesWritten += chunk.length;
    this.conn.socket.write(chunk, (err) => cb(err ?? null));
  }

  /**
   * TLS hands over one flight as several chunks (its buffers start at 1 KiB) inside a cork: write
   * them as one, as a native socket would, so the packets the probes send are as large as the
   * flight (a 1 KiB first piece would slip through a path that loses the full-size ones).
   */
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'binary', cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.conn.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    // The raw socket stays open: the kernel's view of it (ss) is read after every probe settled,
    // and the caller destroys it then.
    cb(err);
  }
}
