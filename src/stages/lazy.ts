/**
 * A stage whose module loads only when it is about to run: its shouldRun lives in a light file
 * (`<stage>-when.ts`), and the probes, rules and parsers of its run are imported the first time
 * shouldRun says yes. A healthy run without --stream, a proxy or a stall loads no MTU, stream or
 * proxy code at all.
 */
import type { StageId } from '../report.js';
import type { Stage } from './types.js';

export function lazyStage(id: StageId, shouldRun: Stage['shouldRun'], load: () => Promise<Stage>): Stage {
  let loading: Promise<Stage> | undefined;
  return {
    id,
    shouldRun(ctx) {
      const d = shouldRun(ctx);
      // Start loading as soon as the stage is known to run (the runner calls run right after).
      if (d.run) loading ??= load();
      return d;
    },
    async run(ctx, signal, deadline) {
      const stage = await (loading ??= load());
      return stage.run(ctx, signal, deadline);
    },
  };
}
