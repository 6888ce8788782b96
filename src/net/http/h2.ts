/**
 * HTTP/2 facts of a failed exchange: which frame ended it (GOAWAY or RST_STREAM) and its error code,
 * and whether an HTTP/1.1 answer was really an HTTP/2 frame. undici and Node's http2 put these codes
 * only into their messages ("GOAWAY" frame received with code 11, "Stream closed with error code
 * NGHTTP2_REFUSED_STREAM"), so they are read from there, in this one place.
 */
import { causeChain } from '../failure.js';

/** HTTP/2 error codes (RFC 9113 section 7), by number. */
export const H2_ERROR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR',
  'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
] as const;

/** The frame that ended an HTTP/2 exchange and its error code. */
export interface H2Facts {
  frame: 'GOAWAY' | 'RST_STREAM';
  code: number;
  /** The code's name (REFUSED_STREAM ...), or `0xNN` for one RFC 9113 does not define. */
  name: string;
  /** Set when the code was not reported but follows from how the stream ended. */
  inferred?: string;
}

const nameOf = (code: number) => H2_ERROR_NAMES[code] ?? `0x${code.toString(16)}`;

export function h2Facts(err: unknown): H2Facts | undefined {
  for (const e of causeChain(err)) {
    const msg = typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : '';
    let m = /"GOAWAY" frame received with code (\d+)/.exec(msg) ?? /Session closed with error code (\d+)/.exec(msg);
    if (m) return { frame: 'GOAWAY', code: Number(m[1]), name: nameOf(Number(m[1])) };
    m = /"stream error" received - code (\d+)/.exec(msg);
    if (m) return { frame: 'RST_STREAM', code: Number(m[1]), name: nameOf(Number(m[1])) };
    // Node's http2 reports a RST_STREAM with CANCEL (or NO_ERROR) as a bare close, no error: undici
    // then says only that the stream closed before the response was complete.
    if (/HTTP\/2: stream closed before the response was complete/.test(msg)) {
      return { frame: 'RST_STREAM', code: 8, name: 'CANCEL', inferred: 'Node reports a RST_STREAM with CANCEL (or NO_ERROR) only as a bare close of the stream, without the code' };
    }
    m = /Stream closed with error code NGHTTP2_([A-Z0-9_]+)/.exec(msg);
    if (m) {
      const code = (H2_ERROR_NAMES as readonly string[]).indexOf(m[1]!);
      return { frame: 'RST_STREAM', code: code >= 0 ? code : -1, name: m[1]! };
    }
  }
  return undefined;
}

/**
 * Do these bytes, read where an HTTP/1.1 status line was expected, start with an HTTP/2 frame? A
 * server that speaks only HTTP/2 answers an HTTP/1.1 request with its SETTINGS frame (type 4 on
 * stream 0) and usually a GOAWAY (type 7).
 */
export function looksLikeH2Frame(data: string | undefined): boolean {
  if (!data || data.length < 9) return false;
  const b = Buffer.from(data, 'latin1');
  const type = b[3]!;
  const stream0 = b.readUInt32BE(5) === 0;
  return stream0 && (type === 0x04 || type === 0x07) && b[0] === 0;
}

/** The parser's data (the bytes at the error), from undici's HTTPParserError along the cause chain. */
export function parserData(err: unknown): { data?: string; message?: string } {
  for (const e of causeChain(err)) {
    const o = e as { name?: unknown; data?: unknown; message?: unknown };
    if (o?.name === 'HTTPParserError') return { data: typeof o.data === 'string' ? o.data : undefined, message: typeof o.message === 'string' ? o.message : undefined };
  }
  return {};
}
