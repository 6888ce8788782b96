#!/usr/bin/env node
// `npm run bundle`: dist/diagnose.mjs, the whole CLI (dependencies included) in one file that runs
// with `node dist/diagnose.mjs` and nothing next to it. Bundled from the tsc output (dist/), with
// bin/diagnose.js as the entry, so the single file runs the same code and the same Node check as
// the installed command. `--cjs` writes the CommonJS variant that Node 20's
// single-executable applications need (scripts/sea.mjs).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const undici = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'undici', 'package.json'), 'utf8'));

// dist/version.js reads the package files at run time, which are not there next to a single file:
// put the versions in at build time.
const versionsInline = {
  name: 'versions-inline',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]version\.js$/ }, () => ({
      contents:
        `export const TOOL_VERSION = ${JSON.stringify(pkg.version)};\n` +
        `export const UNDICI_VERSION = ${JSON.stringify(undici.version)};\n`,
      loader: 'js',
    }));
  },
};

/** Bundle bin/diagnose.js into `outfile`, as ESM (default) or CommonJS. */
export async function bundle(outfile, format = 'esm') {
  const result = await build({
    entryPoints: [join(ROOT, 'bin', 'diagnose.js')],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    // Older than the code needs on purpose: esbuild then writes regular expressions Node 18 cannot
    // parse (the `v` flag of string-width) as `new RegExp(...)`, so the file still parses on an
    // old Node and the version check at its top gets to say what is wrong.
    target: 'node16',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [versionsInline],
    // CommonJS dependencies call require() for Node's modules; an ES module has none of its own.
    banner:
      format === 'esm'
        ? { js: "import { createRequire as __udCreateRequire } from 'node:module';\nconst require = __udCreateRequire(import.meta.url);" }
        : {},
  });
  return result;
}

// Run as a script: `--out FILE` (default dist/diagnose.mjs), `--cjs` for the CommonJS variant.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 && args[outAt + 1] ? args[outAt + 1] : join(ROOT, 'dist', 'diagnose.mjs');
  await bundle(out, args.includes('--cjs') ? 'cjs' : 'esm');
}
