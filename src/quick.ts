/**
 * The two commands an engineer types mid-incident and CI calls in loops, `diagnose --version` and
 * `diagnose --explain CODE`, answered without loading the command line (commander, the config,
 * the renderers): their cost should be Node's own start. Anything else, including any other
 * argument beside them or an unknown code, goes to the full CLI (cli.ts), which answers the same
 * way and owns every error message. The entry finder and the entry's text are imported statically
 * (two small files, loaded with this one rather than after it: one round of module loading less).
 */
import { quickEntry } from './diagnose/catalogue/where.js';
import { explainEntry } from './explain/entry.js';

/** The colour rule of cli.ts (FORCE_COLOR, NO_COLOR, a terminal that is not dumb). */
function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean | (() => boolean)): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb' && (typeof isTTY === 'function' ? isTTY() : isTTY);
}

/**
 * The output of the fast path, or undefined when the full CLI must answer. `stdoutIsTTY` may be a
 * function, asked only when the environment leaves colour open: bin/diagnose.js answers it with
 * Node's tty module, which loads net and the stream modules (a few ms) with it.
 */
export async function quickAnswer(argv: string[], env: NodeJS.ProcessEnv, stdoutIsTTY: boolean | (() => boolean)): Promise<string | undefined> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    // version.js: the single file and the executable have the version written in at build time.
    const { TOOL_VERSION } = await import('./version.js');
    return `${TOOL_VERSION}\n`;
  }
  const code = argv.length === 2 && argv[0] === '--explain' ? argv[1] : argv.length === 1 && argv[0]!.startsWith('--explain=') ? argv[0]!.slice('--explain='.length) : undefined;
  if (code === undefined || code === '' || code.startsWith('-')) return undefined;
  // One catalogue file when the index knows the code (catalogue/where.ts); else the whole catalogue.
  const normal = code.trim().toUpperCase();
  const entry = await quickEntry(normal);
  if (entry) return explainEntry(entry, colorEnabled(env, stdoutIsTTY));
  const { explain } = await import('./explain/explain.js');
  return explain(code, colorEnabled(env, stdoutIsTTY));
}
