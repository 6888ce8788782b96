/** The mtu stage. PLACEHOLDER: replaced by the issue that builds it. */
import type { Stage } from './types.js';

export const mtuStage: Stage = {
  id: 'mtu',
  shouldRun: () => ({ run: false, reason: 'not built yet' }),
  run: async () => ({ status: 'pass', summary: 'not built yet', data: {}, findings: [] }),
};
