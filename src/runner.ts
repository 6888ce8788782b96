/**
 * Runs the stages in order, each against its own deadline. A stage whose input is missing is
 * skipped with the reason; a thrown error becomes an internal-error result instead of a crash;
 * an interrupt stops the current stage and skips the rest.
 */
import type { InternalError, StageId, StageResult } from './report.js';
import type { Finding, RunContext, Stage } from './stages/types.js';
import { catalogueEntry } from './diagnose/catalogue/index.js';

export interface RunnerEvents {
  onStageStart?(id: StageId): void;
  onStageEnd?(result: StageResult): void;
}

export interface RunnerOptions {
  /** Budget of each stage in milliseconds (per-stage overrides in `budgets`). */
  budgetMs: number;
  budgets?: Partial<Record<StageId, number>>;
  /** Aborts the run (SIGINT). */
  interrupt?: AbortSignal;
  events?: RunnerEvents;
}

export interface RunOutput {
  stages: StageResult[];
  /** Findings with the stage that produced them filled in. */
  findings: Array<Finding & { stage: StageId }>;
  internalErrors: InternalError[];
  interrupted: boolean;
}

/** Time a stage has to wrap up after its signal fires before the runner stops waiting. */
export function graceMs(budget: number): number {
  return Math.min(250, Math.floor(budget * 0.1));
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

type Settled =
  | { kind: 'done'; outcome: Awaited<ReturnType<Stage['run']>> }
  | { kind: 'threw'; error: unknown }
  | { kind: 'overran' }
  | { kind: 'interrupted' };

export async function runStages(stages: Stage[], ctx: RunContext, opts: RunnerOptions): Promise<RunOutput> {
  const out: RunOutput = { stages: [], findings: [], internalErrors: [], interrupted: false };
  const record = (result: StageResult) => {
    out.stages.push(result);
    ctx.results[result.id] = { status: result.status, data: result.data };
    opts.events?.onStageEnd?.(result);
  };

  for (const stage of stages) {
    if (opts.interrupt?.aborted) {
      out.interrupted = true;
      record({ id: stage.id, status: 'skip', durationMs: 0, summary: 'skipped: the run was interrupted', data: { skipReason: 'interrupted' } });
      continue;
    }
    let decision;
    try {
      decision = stage.shouldRun(ctx);
    } catch (error) {
      decision = { run: false as const, reason: `internal error: ${errorMessage(error)}` };
      out.internalErrors.push({ stage: stage.id, message: errorMessage(error) });
    }
    if (!decision.run) {
      record({ id: stage.id, status: 'skip', durationMs: 0, summary: `skipped: ${decision.reason}`, data: { skipReason: decision.reason } });
      continue;
    }

    opts.events?.onStageStart?.(stage.id);
    const budget = opts.budgets?.[stage.id] ?? opts.budgetMs;
    const started = ctx.now();
    const deadline = started + budget - graceMs(budget);
    const controller = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    let onInterrupt: (() => void) | undefined;
    let interruptedHere = false;
    const settled = await new Promise<Settled>((resolve) => {
      onInterrupt = () => {
        interruptedHere = true;
        controller.abort(new Error('interrupted'));
        // Give the stage its grace to return a partial result, then stop waiting.
        timers.push(setTimeout(() => resolve({ kind: 'interrupted' }), graceMs(budget)));
      };
      if (opts.interrupt?.aborted) onInterrupt();
      else opts.interrupt?.addEventListener('abort', onInterrupt, { once: true });
      timers.push(setTimeout(() => controller.abort(new Error('deadline')), Math.max(0, budget - graceMs(budget))));
      timers.push(setTimeout(() => resolve({ kind: 'overran' }), budget));
      stage.run(ctx, controller.signal, deadline).then(
        (outcome) => resolve({ kind: 'done', outcome }),
        (error: unknown) => resolve({ kind: 'threw', error }),
      );
    });
    if (onInterrupt) opts.interrupt?.removeEventListener('abort', onInterrupt);
    for (const t of timers) clearTimeout(t);
    if (!controller.signal.aborted) controller.abort(new Error('stage finished'));
    const durationMs = round(ctx.now() - started);
    if (opts.interrupt?.aborted) out.interrupted = true;

    switch (settled.kind) {
      case 'done': {
        if (interruptedHere) {
          recordInterrupted(record, out, stage.id, durationMs, settled.outcome);
          break;
        }
        const o = settled.outcome;
        record({ id: stage.id, status: o.status, durationMs, summary: o.summary, data: o.data });
        for (const f of o.findings) out.findings.push({ ...f, stage: f.stage ?? stage.id });
        break;
      }
      case 'threw': {
        const message = errorMessage(settled.error);
        out.internalErrors.push({ stage: stage.id, message });
        record({ id: stage.id, status: 'fail', durationMs, summary: `internal error of the tool: ${message}`, data: { internalError: message } });
        break;
      }
      case 'overran': {
        const message = `the ${stage.id} stage did not stop at its ${budget} ms deadline`;
        out.internalErrors.push({ stage: stage.id, message });
        record({ id: stage.id, status: 'fail', durationMs, summary: `internal error of the tool: ${message}`, data: { internalError: message } });
        break;
      }
      case 'interrupted':
        record({ id: stage.id, status: 'skip', durationMs, summary: 'interrupted while running', data: { skipReason: 'interrupted' } });
        break;
    }
  }
  return out;
}

/**
 * A stage that returned after Ctrl-C: what it says about the silence it saw is the interrupt's
 * doing, not the path's. Findings that only mean "no answer came in time" are dropped (an
 * interrupted run must not blame a timeout); what the stage established before (an NXDOMAIN, an
 * expired certificate) stays. The stage is reported as interrupted, with the partial data.
 */
function recordInterrupted(record: (r: StageResult) => void, out: RunOutput, id: StageId, durationMs: number, o: Awaited<ReturnType<Stage['run']>>): void {
  const kept = o.findings.filter((f) => !INTERRUPT_SHAPED.test(f.code));
  const failed = kept.some((f) => (f.severity ?? catalogueEntry(f.code)?.severity) === 'error');
  const dropped = o.findings.length - kept.length;
  record({
    id,
    status: failed ? 'fail' : 'skip',
    durationMs,
    summary: `interrupted while running (after ${Math.round(durationMs)} ms)${o.summary ? `; partial: ${o.summary}` : ''}`,
    data: { ...o.data, skipReason: 'interrupted', interrupted: true, ...(dropped > 0 ? { droppedAsInterrupted: o.findings.filter((f) => INTERRUPT_SHAPED.test(f.code)).map((f) => f.code) } : {}) },
  });
  for (const f of kept) out.findings.push({ ...f, stage: f.stage ?? id });
}

/** Codes that say only "nothing came in time": after an interrupt they describe the interrupt. */
const INTERRUPT_SHAPED = /_TIMEOUT$|^STREAM_STALLED$|^MTU_BLACKHOLE_SUSPECTED$|^IDLE_CONNECTION_DROPPED$/;

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
