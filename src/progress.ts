/** The spinner: stderr only, and only when stderr is a terminal. Subscribes to runner events. */
import ora, { type Ora } from 'ora';
import type { RunnerEvents } from './runner.js';
import type { StageId } from './report.js';

const LABEL: Record<StageId, string> = {
  env: 'reading the environment',
  dns: 'resolving the name',
  tcp: 'connecting',
  proxy: 'opening the proxy tunnel',
  tls: 'TLS handshake',
  http: 'sending the request',
  stream: 'checking the stream',
  mtu: 'probing packet sizes',
};

export function spinnerEvents(stream: NodeJS.WritableStream, color: boolean): RunnerEvents & { stop(): void } {
  // A terminal that reports no width (a pty opened without a size: `script` or `docker exec -t`
  // from a non-terminal) sends ora's line clearing into an endless loop: no spinner there.
  const columns = (stream as { columns?: number }).columns;
  if (!columns || columns <= 0) return { onStageStart: () => undefined, onStageEnd: () => undefined, stop: () => undefined };
  let spinner: Ora | undefined;
  return {
    onStageStart(id) {
      spinner ??= ora({ stream, color: color ? 'cyan' : false, discardStdin: false, isEnabled: true }).start();
      spinner.text = LABEL[id];
    },
    onStageEnd() {
      /* the next start updates the text; stop() clears it */
    },
    stop() {
      spinner?.stop();
    },
  };
}
