/**
 * What one parsed server-sent event means for the streaming check (pure): the stream's end, an
 * error, a piece of model output, or something else (metadata, pings). Provider-agnostic: the
 * shapes of OpenAI-style, Anthropic and Gemini streams are all recognised, so a relay that speaks
 * one dialect behind another provider's name is still read correctly.
 */

/** The event that ends a healthy stream (from the provider profile). */
export interface StreamTerminator {
  /** A data payload that ends the stream, e.g. `[DONE]`. */
  data?: string;
  /** An event name that ends the stream, e.g. `message_stop`. */
  event?: string;
}

export type SseEventKind = 'terminal' | 'error' | 'content' | 'ping' | 'other';

/** The meaning of one event. */
export interface SseEventMeaning {
  kind: SseEventKind;
  /** For `error`: the error's type or code and message, as the server wrote them. */
  error?: { type?: string; code?: string; message?: string };
  /** When the event says the model finished (`finish_reason`, `stop_reason`, `finishReason`). */
  finish?: string;
  /**
   * When the producer says when it made the event, in ms since the epoch (`created_at` ISO
   * strings, numeric `created` seconds). Used only when the values differ across events.
   */
  producedAt?: number;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function parseJson(data: string): unknown {
  const t = data.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function readError(v: unknown): SseEventMeaning['error'] {
  if (isObj(v)) {
    // TGI and some relays put the message itself in `error` and the kind beside it.
    if (typeof v.error === 'string') return { type: str(v.error_type) ?? str(v.type), code: str(v.code), message: v.error.slice(0, 300) };
    const inner = isObj(v.error) ? v.error : v;
    return { type: str(inner.type) ?? str(inner.status), code: str(inner.code), message: str(inner.message)?.slice(0, 300) };
  }
  return { message: str(v)?.slice(0, 300) };
}

/**
 * Whether a data object reports a failure: an `error` object (OpenAI, Gemini, LiteLLM), a
 * non-empty `error` string beside no output (Hugging Face TGI), or an object that says it is an
 * error (`object: "error"` of vLLM and other OpenAI-compatible servers, `type: "error"`).
 */
function isErrorObject(j: Json): boolean {
  if (isObj(j.error)) return true;
  if (typeof j.error === 'string' && j.error.trim() !== '' && contentOf(j) === '') return true;
  return j.object === 'error' || (j.type === 'error' && (j.error !== undefined || typeof j.message === 'string'));
}

/** The piece of model output an event carries, if any ('' when the event carries none). */
export function contentOf(j: Json): string {
  const choice = Array.isArray(j.choices) && isObj(j.choices[0]) ? j.choices[0] : undefined;
  if (choice) {
    const delta = isObj(choice.delta) ? choice.delta : undefined;
    const c = delta?.content ?? delta?.reasoning_content ?? choice.text;
    if (typeof c === 'string') return c;
  }
  if (isObj(j.delta) && typeof j.delta.text === 'string') return j.delta.text; // Anthropic content_block_delta
  if (isObj(j.delta) && typeof j.delta.thinking === 'string') return j.delta.thinking;
  const cand = Array.isArray(j.candidates) && isObj(j.candidates[0]) ? j.candidates[0] : undefined;
  const parts = cand && isObj(cand.content) && Array.isArray(cand.content.parts) ? cand.content.parts : undefined;
  if (parts) return parts.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
  if (isObj(j.message) && typeof j.message.content === 'string') return j.message.content; // Ollama native
  if (typeof j.response === 'string') return j.response;
  return '';
}

function finishOf(j: Json): string | undefined {
  const choice = Array.isArray(j.choices) && isObj(j.choices[0]) ? j.choices[0] : undefined;
  if (choice && typeof choice.finish_reason === 'string') return choice.finish_reason;
  if (isObj(j.delta) && typeof j.delta.stop_reason === 'string') return j.delta.stop_reason;
  const cand = Array.isArray(j.candidates) && isObj(j.candidates[0]) ? j.candidates[0] : undefined;
  if (cand && typeof cand.finishReason === 'string') return cand.finishReason;
  return undefined;
}

function producedAtOf(j: Json): number | undefined {
  if (typeof j.created_at === 'string') {
    const t = Date.parse(j.created_at);
    if (Number.isFinite(t)) return t;
  }
  if (typeof j.created === 'number' && Number.isFinite(j.created) && j.created > 0) {
    // Seconds since the epoch (OpenAI); milliseconds when the value is that large.
    return j.created > 1e11 ? j.created : j.created * 1000;
  }
  return undefined;
}

/** Classify one event. `name` is the SSE `event:` field (undefined when absent). */
export function classifyEvent(name: string | undefined, data: string, terminator: StreamTerminator): SseEventMeaning {
  const trimmed = data.trim();
  if (terminator.data !== undefined && trimmed === terminator.data) return { kind: 'terminal' };
  if (terminator.event !== undefined && name === terminator.event) return { kind: 'terminal' };
  const json = parseJson(data);
  if (name === 'error') return { kind: 'error', error: readError(json ?? data) };
  if (name === 'ping' || (isObj(json) && json.type === 'ping')) return { kind: 'ping' };
  if (!isObj(json)) return { kind: 'other' };
  // OpenAI-style streams report a failure as a data object, not as an `event: error`.
  if (isErrorObject(json)) return { kind: 'error', error: readError(json) };
  const meaning: SseEventMeaning = { kind: contentOf(json) !== '' ? 'content' : 'other' };
  const finish = finishOf(json);
  if (finish) meaning.finish = finish;
  const at = producedAtOf(json);
  if (at !== undefined) meaning.producedAt = at;
  return meaning;
}
