/**
 * A terminal that reports no size: what `script`, `docker exec -t` or `ssh -t` from a non-terminal
 * open. The spinner used to loop forever there (ora clears "Infinity" lines on a 0-column
 * terminal), past every stage budget. The built command runs under `script`, whose pty has no size
 * when its own input is no terminal; a sized pty still gets the spinner.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { ROOT, runProc } from '../helpers/artifact-run.js';

const keep = closeAfterAll();
const built = existsSync(join(ROOT, 'dist', 'cli.js'));
const hasScript = spawnSync('script', ['--version']).status === 0;
const bin = join(ROOT, 'bin', 'diagnose.js');

describe.skipIf(!built || !hasScript)('the spinner on a pty', () => {
  it('a pty with no size: the run ends by itself with its exit code and prints the report', async () => {
    const api = await keep(startOpenAiCompatible());
    const cmd = `env TERM=xterm NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} http://127.0.0.1:${api.port}/v1 --timeout 5s`;
    // Killed after 60 s at most (then code is null and the test fails); a healthy run takes well under a second.
    const r = await runProc('script', ['-qec', cmd, '/dev/null'], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/OK in [^\n]* · exit 0/);
    expect(r.code).toBe(0);
  });

  it('a pty of 80 columns: the spinner draws, and the run ends the same way', async () => {
    const api = await keep(startOpenAiCompatible());
    const cmd = `stty cols 80 rows 24; env TERM=xterm NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} http://127.0.0.1:${api.port}/v1 --timeout 5s`;
    const r = await runProc('script', ['-qec', cmd, '/dev/null'], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(r.stdout).toMatch(/OK in [^\n]* · exit 0/);
    expect(r.code).toBe(0);
  });
});
