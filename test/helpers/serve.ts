/** `diagnose serve` in-process, for the tests that scrape it. */
import { main } from '../../src/cli.js';
import { freePort } from '../../fixtures/daemon.js';

/** Start `diagnose serve`; stop() aborts it (as SIGINT/SIGTERM would) and waits for the drain. */
export async function startServe(args: string[], env: Record<string, string | undefined>) {
  const port = await freePort();
  const stop = new AbortController();
  let stderr = '';
  const done = main(['serve', '--listen', `127.0.0.1:${port}`, ...args], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    interrupt: stop.signal,
  });
  for (let i = 0; i < 200 && !stderr.includes('listening'); i++) {
    if (stderr.includes('diagnose serve:') && !stderr.includes('listening')) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!stderr.includes('listening')) throw new Error(`serve did not start: ${stderr}`);
  return { base: `http://127.0.0.1:${port}`, port, stderr: () => stderr, stop: async () => (stop.abort(), done) };
}
