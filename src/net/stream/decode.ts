/**
 * Incremental body decoding (gzip, deflate, br) that keeps arrival times: every decoded piece is
 * credited to the network read that carried its compressed bytes, not to the moment zlib's
 * thread pool handed it back. zlib transforms one input at a time and pushes that input's output
 * before its write callback runs, so a FIFO of pending writes names the read each piece belongs to.
 */
import type { Transform } from 'node:stream';
import { constants as zc, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

/** Called with each decoded piece and the read (time, index) it came from. */
export type PieceSink = (piece: Buffer, at: number, chunk: number) => void;

export interface BodyDecoder {
  write(raw: Buffer, at: number, chunk: number): void;
  /** The body ended: flush what the decompressor holds; resolves when it has. */
  end(): Promise<void>;
  /** Stop decoding (the probe is done). */
  destroy(): void;
  /** Set when the compressed data was corrupt or the encoding is unknown. */
  error?: string;
}

function decompressorFor(encoding: string, first: Buffer): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip({ finishFlush: zc.Z_SYNC_FLUSH });
    case 'deflate':
      // RFC 9110 says zlib-wrapped; some servers send raw deflate. A zlib header's low nibble is 8.
      return (first[0]! & 0x0f) === 8 ? createInflate({ finishFlush: zc.Z_SYNC_FLUSH }) : createInflateRaw({ finishFlush: zc.Z_SYNC_FLUSH });
    case 'br':
      return createBrotliDecompress({ finishFlush: zc.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

/** A decoder for the given content-encoding ('' or `identity` passes bytes through). */
export function createBodyDecoder(contentEncoding: string | undefined, sink: PieceSink): BodyDecoder {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') {
    return { write: (raw, at, chunk) => sink(raw, at, chunk), end: async () => {}, destroy: () => {} };
  }
  const pending: Array<{ at: number; chunk: number }> = [];
  let last = { at: 0, chunk: 0 };
  let z: Transform | undefined;
  let ended: Promise<void> | undefined;
  const decoder: BodyDecoder = {
    write(raw, at, chunk) {
      last = { at, chunk };
      if (decoder.error) return;
      if (!z) {
        z = decompressorFor(encoding, raw);
        if (!z) {
          decoder.error = `unsupported content-encoding ${encoding}`;
          return;
        }
        z.on('data', (piece: Buffer) => {
          const from = pending[0] ?? last;
          sink(piece, from.at, from.chunk);
        });
        z.on('error', (err: Error & { code?: string }) => {
          decoder.error = `${encoding} data could not be decoded (${err.code ?? err.message})`;
        });
      }
      pending.push({ at, chunk });
      z.write(raw, () => pending.shift());
    },
    end() {
      if (!z || decoder.error) return Promise.resolve();
      ended ??= new Promise<void>((resolve) => {
        z!.once('end', resolve);
        z!.once('error', () => resolve());
        z!.once('close', resolve);
        z!.end();
      });
      return ended;
    },
    destroy() {
      z?.destroy();
    },
  };
  return decoder;
}
