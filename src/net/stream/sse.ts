/**
 * The SSE parser wrapper and arrival recorder. Decoded body text goes in piece by piece, each
 * piece stamped with when (and in which network chunk) it arrived; out come the events, each
 * stamped with the arrival of the piece that completed it. Parsing is eventsource-parser's
 * (events split across chunks, CRLF/CR/LF line ends, comments, retry fields); the recorder only
 * bounds memory and keeps the timeline.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { classifyEvent, type SseEventKind, type StreamTerminator } from './sse-events.js';

/** One event on the timeline. */
export interface ArrivalEvent {
  /** Milliseconds since the request was sent, when the piece that completed the event arrived. */
  at: number;
  /** Index of the raw network chunk that completed it (0-based); equal indexes = one read. */
  chunk: number;
  kind: SseEventKind;
  /** The SSE `event:` name, when the server set one. */
  name?: string;
  /** Length of the event's data in characters. */
  bytes: number;
  /** The producer's own timestamp (ms since the epoch), when the event carries one. */
  producedAt?: number;
}

/** What the recorder saw, in a form the rules and the report take. */
export interface SseRecord {
  /** Events parsed (all kinds, including the terminal one). */
  events: number;
  /** The timeline; capped at `maxArrivals` entries (the first ones are kept). */
  arrivals: ArrivalEvent[];
  /** Events past the cap, counted but not kept. */
  droppedArrivals: number;
  /** `:` comment lines (keep-alives that some servers and proxies send). */
  comments: number;
  /** The last `retry:` value, in ms. */
  retryMs?: number;
  /** Lines the parser rejected (unknown fields, bad retry values). */
  parseErrors: number;
  /** True when a single unterminated line or event grew past the buffer limit (a hostile stream). */
  overflow: boolean;
  firstEventAt?: number;
  firstContentAt?: number;
  /** The latest event of any kind. */
  lastEventAt?: number;
  terminalAt?: number;
  /** The first error event, with when it came. */
  error?: { at: number; name?: string; type?: string; code?: string; message?: string };
  /** The last finish reason the events gave (`stop`, `length`, `end_turn` ...). */
  finish?: string;
}

export interface RecorderOptions {
  terminator: StreamTerminator;
  /** Timeline entries kept (default 2000); counts go on past it. */
  maxArrivals?: number;
  /** Characters one pending line or event may hold (default 1 MiB). */
  maxBufferSize?: number;
}

export class SseRecorder {
  readonly record: SseRecord = { events: 0, arrivals: [], droppedArrivals: 0, comments: 0, parseErrors: 0, overflow: false };
  private readonly parser: EventSourceParser;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxArrivals: number;
  private at = 0;
  private chunk = 0;

  constructor(private readonly opts: RecorderOptions) {
    this.maxArrivals = opts.maxArrivals ?? 2000;
    this.parser = createParser({
      maxBufferSize: opts.maxBufferSize ?? 1 << 20,
      onEvent: (e) => this.onEvent(e.event, e.data),
      onComment: () => void this.record.comments++,
      onRetry: (ms) => void (this.record.retryMs = ms),
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') this.record.overflow = true;
        else this.record.parseErrors++;
      },
    });
  }

  /** Feed a decoded piece of the body. `at` and `chunk` say when and in which network read it came. */
  feed(piece: Uint8Array | string, at: number, chunk: number): void {
    if (this.record.overflow) return; // the parser refuses input once past its limit
    this.at = at;
    this.chunk = chunk;
    const text = typeof piece === 'string' ? piece : this.decoder.decode(piece, { stream: true });
    if (text !== '') this.parser.feed(text);
  }

  /** The body ended: flush a final event the server did not close with a blank line. */
  end(at: number): SseRecord {
    if (!this.record.overflow) {
      this.at = at;
      const rest = this.decoder.decode();
      if (rest !== '') this.parser.feed(rest);
      // A stream cut mid-event leaves a partial one behind; SDKs drop it, and so do we.
    }
    return this.record;
  }

  private onEvent(name: string | undefined, data: string): void {
    const r = this.record;
    const m = classifyEvent(name, data, this.opts.terminator);
    r.events++;
    r.firstEventAt ??= this.at;
    r.lastEventAt = this.at;
    if (m.kind === 'content') r.firstContentAt ??= this.at;
    if (m.kind === 'terminal') r.terminalAt ??= this.at;
    if (m.kind === 'error' && !r.error) r.error = { at: this.at, ...(name !== undefined ? { name } : {}), ...m.error };
    if (m.finish) r.finish = m.finish;
    if (r.arrivals.length >= this.maxArrivals) {
      r.droppedArrivals++;
      return;
    }
    const a: ArrivalEvent = { at: this.at, chunk: this.chunk, kind: m.kind, bytes: data.length };
    if (name !== undefined) a.name = name;
    if (m.producedAt !== undefined) a.producedAt = m.producedAt;
    r.arrivals.push(a);
  }
}
