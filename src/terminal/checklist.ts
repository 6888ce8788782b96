/**
 * Live progress on a terminal's stderr, as a checklist that fills in (flutter doctor, but live):
 * every finished stage with its mark, time and summary; the running one with its elapsed time
 * against its budget; the ones to come, dimmed. Redrawn in place; erased at the end, when the
 * report itself lists the stages. Lines are cut to the terminal's width so the redraw stays exact.
 */
import { STAGE_IDS, type StageId, type StageResult } from '../report.js';
import type { RunnerEvents } from '../runner.js';
import { formatMs } from '../render/human.js';
import { toAscii } from './ascii.js';
import { clockMs } from '../clock.js';

export interface ChecklistOptions {
  color: boolean;
  unicode: boolean;
  width: number;
  /** Each stage's budget, ms. */
  budgetMs: number;
  /** Redraw period, ms. */
  tickMs?: number;
  now?: () => number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ASCII_FRAMES = ['|', '/', '-', '\\'];

export function checklistEvents(stream: NodeJS.WritableStream, o: ChecklistOptions): RunnerEvents & { stop(): void } {
  const now = o.now ?? clockMs;
  const done = new Map<StageId, StageResult>();
  let current: { id: StageId; started: number } | undefined;
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const paint = (code: string, s: string) => (o.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const mark = { pass: paint('32', '✔'), warn: paint('33', '!'), fail: paint('31', '✘'), skip: paint('90', '-') };

  const lines = (): string[] => {
    const out: string[] = [];
    for (const id of STAGE_IDS) {
      const r = done.get(id);
      if (r) out.push(`  ${mark[r.status]} ${id.padEnd(7)}${(r.status === 'skip' ? '' : formatMs(r.durationMs)).padStart(9)}  ${r.summary}`);
      else if (current?.id === id) {
        const f = o.unicode ? FRAMES[frame % FRAMES.length]! : ASCII_FRAMES[frame % ASCII_FRAMES.length]!;
        out.push(`  ${paint('36', f)} ${id.padEnd(7)}${formatMs(now() - current.started).padStart(9)}  of ${formatMs(o.budgetMs)}`);
      } else out.push(paint('90', `  · ${id}`));
    }
    return out.map((l) => cut(o.unicode ? l : toAscii(l), o.width - 1));
  };
  const draw = () => {
    const ls = lines();
    stream.write(`${drawn > 0 ? `\u001b[${drawn}A\r` : ''}\u001b[J${ls.join('\n')}\n`);
    drawn = ls.length;
  };
  const start = () => {
    if (timer) return;
    stream.write('\u001b[?25l'); // hide the cursor while redrawing
    timer = setInterval(() => {
      frame++;
      draw();
    }, o.tickMs ?? 100);
    timer.unref();
  };
  return {
    onStageStart(id) {
      current = { id, started: now() };
      start();
      draw();
    },
    onStageEnd(r) {
      done.set(r.id, r);
      if (current?.id === r.id) current = undefined;
      if (timer) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      if (drawn > 0) stream.write(`\u001b[${drawn}A\r\u001b[J`);
      if (timer) stream.write('\u001b[?25h');
      timer = undefined;
      drawn = 0;
    },
  };
}

/** Cut a line (ANSI codes take no width) to `width` visible characters. */
function cut(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      const m = /^\u001b\[[0-9;?]*[a-zA-Z]/.exec(line.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
