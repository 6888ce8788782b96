/**
 * The arrival strip: one line showing when the stream's events arrived along the time axis, from
 * the request (left edge) to the end of reading (right edge). A healthy stream is a row of evenly
 * spaced marks; a buffered one is a blank line with one heavy mark at the right end.
 *
 *   H headers · ▂ one event · ▅ two or three · █ four or more · | terminal event · ✕ cut or stalled
 */
import type { Report } from '../report.js';

interface StripData {
  arrivals: Array<{ at: number; kind?: string }>;
  headersAt?: number;
  total: number;
  /** How reading ended (the stage's data.end.kind). */
  end?: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Pull what the strip needs out of the stream stage's data; undefined when there is nothing to draw. */
export function stripDataOf(report: Report): StripData | undefined {
  const s = report.stages.find((x) => x.id === 'stream');
  if (!s || s.status === 'skip') return undefined;
  const d = s.data as { arrivals?: unknown; timings?: Record<string, unknown>; end?: { kind?: unknown } };
  if (!Array.isArray(d.arrivals) || !d.timings) return undefined;
  const arrivals = d.arrivals.filter((a): a is { at: number; kind?: string } => typeof a === 'object' && a !== null && num((a as { at?: unknown }).at) !== undefined);
  const total = num(d.timings.total);
  if (total === undefined || total <= 0) return undefined;
  const out: StripData = { arrivals, total };
  const h = num(d.timings.headers);
  if (h !== undefined) out.headersAt = h;
  if (typeof d.end?.kind === 'string') out.end = d.end.kind;
  return out;
}

function mark(count: number): string {
  return count === 0 ? '·' : count === 1 ? '▂' : count <= 3 ? '▅' : '█';
}

/** Draw the strip `width` columns wide (the time axis only, no labels). */
export function drawStrip(d: StripData, width: number): string {
  const cols = Math.max(10, width);
  const counts = new Array<number>(cols).fill(0);
  const col = (t: number) => Math.min(cols - 1, Math.max(0, Math.floor((t / d.total) * cols)));
  let terminalCol: number | undefined;
  for (const a of d.arrivals) {
    counts[col(a.at)]!++;
    if (a.kind === 'terminal') terminalCol = col(a.at);
  }
  const chars = counts.map(mark);
  if (d.headersAt !== undefined && counts[col(d.headersAt)] === 0) chars[col(d.headersAt)] = 'H';
  if (terminalCol !== undefined && counts[terminalCol] === 1) chars[terminalCol] = '|';
  if (d.end === 'cut' || d.end === 'idle') chars[cols - 1] = '✕';
  return chars.join('');
}

/** The labelled line for the human report, or undefined when the run has no stream timeline. */
export function arrivalStrip(report: Report, width: number): string | undefined {
  const d = stripDataOf(report);
  if (!d) return undefined;
  const total = d.total < 1000 ? `${Math.round(d.total)} ms` : `${(d.total / 1000).toFixed(2)} s`;
  const axis = drawStrip(d, Math.max(10, width - 22));
  return `events 0 ▕${axis}▏ ${total}`;
}

/** The legend printed under the strip. */
export const STRIP_LEGEND = 'H headers · ▂ one event · ▅ 2-3 · █ 4+ · | terminal event · ✕ cut or stalled';
