/**
 * Where one HTTP/1.x response ends on a connection that stays open (pure, bounded): the head,
 * then a body framed by content-length, by chunked encoding, or by the close of the connection.
 * The keep-alive probe must know the exact end of an answer, or it cannot tell an idle
 * connection from one still carrying the last response.
 */
import { parseHead, type ParsedHead } from '../http/head.js';

/** The most bytes a response head may take. */
const MAX_HEAD = 64 * 1024;
/** The most bytes of one response the probe reads before giving up on it (never kept). */
export const MAX_RESPONSE = 8 * 1024 * 1024;
/** The longest chunk-size line (with extensions) or trailer line. */
const MAX_LINE = 4096;

export type FrameState =
  | { kind: 'more' }
  /** The response is complete; `rest` holds bytes after it (a peer that sent more than one answer). */
  | { kind: 'done'; head: ParsedHead; keepAlive: boolean; rest: number }
  /** The body runs until the peer closes: no reuse is possible. */
  | { kind: 'until-close'; head: ParsedHead }
  | { kind: 'invalid'; reason: string };

/** Whether a response leaves the connection open for another request (RFC 9112 section 9.3). */
export function persistent(head: ParsedHead): boolean {
  const tokens = (head.headers['connection'] ?? '').toLowerCase().split(',').map((t) => t.trim());
  if (tokens.includes('close')) return false;
  if (head.httpVersion === 'HTTP/1.0') return tokens.includes('keep-alive');
  return true;
}

/** The seconds of a `Keep-Alive: timeout=N` hint, when the server sent one. */
export function keepAliveHint(head: ParsedHead): number | undefined {
  const m = /(?:^|[,;\s])timeout\s*=\s*"?(\d+(?:\.\d+)?)/i.exec(head.headers['keep-alive'] ?? '');
  return m ? Number(m[1]) : undefined;
}

type BodyMode = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

function bodyMode(head: ParsedHead, method: string): BodyMode | { kind: 'invalid'; reason: string } {
  if (method === 'HEAD' || head.status === 204 || head.status === 304) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) return /(^|,)\s*chunked\s*$/i.test(te) ? { kind: 'chunked' } : { kind: 'close' };
  const cl = head.headers['content-length'];
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const only = [...values][0]!;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only)) return { kind: 'invalid', reason: `bad content-length "${cl.slice(0, 40)}"` };
    return { kind: 'length', left: Number(only) };
  }
  return { kind: 'close' };
}

/**
 * Reads one response from the bytes of a connection, chunk by chunk. Body bytes are counted and
 * dropped; nothing of the answer is kept but its head.
 */
export class ResponseFramer {
  private buf: Buffer = Buffer.alloc(0);
  private head?: ParsedHead;
  private mode?: BodyMode;
  /** Chunked state: reading a size line, chunk data (+CRLF), or trailers. */
  private chunk: { state: 'size' } | { state: 'data'; left: number } | { state: 'trailers' } = { state: 'size' };
  private total = 0;
  private result: FrameState = { kind: 'more' };

  constructor(private readonly method: string) {}

  /** Feed bytes; returns the state after them (once done or invalid, later bytes change nothing). */
  push(data: Buffer): FrameState {
    if (this.result.kind !== 'more') return this.result;
    this.total += data.length;
    if (this.total > MAX_RESPONSE) return (this.result = { kind: 'invalid', reason: `the response is larger than ${MAX_RESPONSE} bytes` });
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    return (this.result = this.advance());
  }

  private advance(): FrameState {
    for (;;) {
      if (!this.head) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return this.buf.length > MAX_HEAD ? { kind: 'invalid', reason: 'no end of the response head' } : { kind: 'more' };
        const head = parseHead(this.buf.subarray(0, end).toString('latin1'));
        if (!head) return { kind: 'invalid', reason: 'the answer is not HTTP/1.x' };
        this.buf = this.buf.subarray(end + 4);
        // An interim answer (100 Continue, 103 Early Hints): the real one follows.
        if (head.status >= 100 && head.status < 200 && head.status !== 101) continue;
        if (head.status === 101) return { kind: 'invalid', reason: 'the server switched protocols' };
        const mode = bodyMode(head, this.method);
        if (mode.kind === 'invalid') return mode;
        this.head = head;
        this.mode = mode;
        if (mode.kind === 'close') return { kind: 'until-close', head };
      }
      return this.body(this.head, this.mode!);
    }
  }

  private done(head: ParsedHead): FrameState {
    return { kind: 'done', head, keepAlive: persistent(head), rest: this.buf.length };
  }

  private body(head: ParsedHead, mode: BodyMode): FrameState {
    if (mode.kind === 'none') return this.done(head);
    if (mode.kind === 'close') return { kind: 'until-close', head };
    if (mode.kind === 'length') {
      const take = Math.min(mode.left, this.buf.length);
      mode.left -= take;
      this.buf = this.buf.subarray(take);
      return mode.left === 0 ? this.done(head) : { kind: 'more' };
    }
    for (;;) {
      const c = this.chunk;
      if (c.state === 'data') {
        // Chunk data plus its CRLF.
        const take = Math.min(c.left, this.buf.length);
        c.left -= take;
        this.buf = this.buf.subarray(take);
        if (c.left > 0) return { kind: 'more' };
        this.chunk = { state: 'size' };
        continue;
      }
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return this.buf.length > MAX_LINE ? { kind: 'invalid', reason: 'a chunk line is too long' } : { kind: 'more' };
      const line = this.buf.subarray(0, eol).toString('latin1');
      this.buf = this.buf.subarray(eol + 2);
      if (c.state === 'trailers') {
        if (line === '') return this.done(head);
        continue;
      }
      const m = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
      if (!m) return { kind: 'invalid', reason: 'a chunk size is not hexadecimal' };
      const size = parseInt(m[1]!, 16);
      this.chunk = size === 0 ? { state: 'trailers' } : { state: 'data', left: size + 2 };
    }
  }
}
