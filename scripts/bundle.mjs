#!/usr/bin/env node
// `npm run bundle`: dist/diagnose.mjs, the whole CLI (dependencies included) in one file that runs
// with `node dist/diagnose.mjs` and nothing next to it. Bundled from the tsc output (dist/), with
// bin/diagnose.js as the entry, so the single file runs the same code and the same Node check as
// the installed command. `--cjs` writes the CommonJS variant that Node 20's
// single-executable applications need (scripts/sea.mjs).
//
// `--app` (part of `npm run build`) writes what the installed command runs, dist/app/: the CLI
// (dist/cli.js) and the fast path (dist/quick.js) each as one CommonJS file. Node 20 loads one
// CommonJS file far sooner than the 160-odd ES modules of dist/ (about 40 ms of a healthy run, and
// 6 ms of `--explain`, its ES module loader alone); bin/diagnose.js falls back to dist/ when the
// app is missing or older than dist/cli.js.
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

/**
 * undici's Client requires its HTTP/2 half (client-h2.js) when it loads, and that requires Node's
 * http2 module (about 1.4 MB of a run's memory) for runs that never speak HTTP/2. In the bundles,
 * client.js gets a stand-in that loads the real file on the first HTTP/2 connection (esbuild runs
 * a CommonJS module's body at its first require).
 */
const lazyH2 = {
  name: 'lazy-undici-h2',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (a) => (/[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/.test(a.importer) ? { path: join(dirname(a.importer), 'client-h2.js'), namespace: 'lazy-h2' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-h2' }, (a) => ({
      contents: `let real;\nmodule.exports = function connectH2(...args) {\n  real = real || require(${JSON.stringify(a.path)});\n  return real(...args);\n};\n`,
      loader: 'js',
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * The single file holds the code itself: bin/diagnose.js's `UD_APP` is false there, so its branch
 * that loads dist/app/ is dead code the bundler drops (and dist/app/ is external, should it not).
 */
const singleFile = {
  define: { UD_APP: 'false' },
  plugin: {
    name: 'no-app',
    setup(b) {
      b.onResolve({ filter: /[\\/]dist[\\/]app[\\/]/ }, (a) => ({ path: a.path, external: true }));
    },
  },
};

/** Bundle bin/diagnose.js into `outfile`, as ESM (default) or CommonJS. */
export async function bundle(outfile, format = 'esm') {
  const result = await build({
    entryPoints: [join(ROOT, 'bin', 'diagnose.js')],
    outfile,
    define: singleFile.define,
    bundle: true,
    platform: 'node',
    format,
    // Older than the code needs on purpose: esbuild then writes regular expressions Node 18 cannot
    // parse (the `v` flag of string-width) as `new RegExp(...)`, so the file still parses on an
    // old Node and the version check at its top gets to say what is wrong.
    target: 'node16',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [versionsInline, singleFile.plugin, lazyH2],
    // CommonJS dependencies call require() for Node's modules; an ES module has none of its own.
    banner:
      format === 'esm'
        ? { js: "import { createRequire as __udCreateRequire } from 'node:module';\nconst require = __udCreateRequire(import.meta.url);" }
        : {},
  });
  return result;
}

/** Packages only some commands use (fleet files, lint, the gateway's WebSocket): required from node_modules when used, not parsed on every run. */
const APP_EXTERNAL = ['yaml', 'ws'];

/**
 * dist/app/diagnose.cjs (the CLI, exports `run`) and dist/app/quick.cjs (exports `quickAnswer`).
 * Whitespace is left out (V8 then holds about 0.4 MB less source and a shorter table of line ends);
 * names are kept, and the linked source maps lead back to src/ (node --enable-source-maps).
 */
export async function buildApp(outdir = join(ROOT, 'dist', 'app')) {
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node16', legalComments: 'none', logLevel: 'warning', minifyWhitespace: true, sourcemap: 'linked', plugins: [versionsInline, lazyH2] };
  const files = [
    { entry: join(ROOT, 'dist', 'cli.js'), out: join(outdir, 'diagnose.cjs'), external: APP_EXTERNAL },
    { entry: join(ROOT, 'dist', 'quick.js'), out: join(outdir, 'quick.cjs'), external: [] },
  ];
  await Promise.all(files.map((f) => build({ ...common, entryPoints: [f.entry], outfile: f.out, external: f.external })));
  for (const f of files) {
    // One character beyond ASCII and V8 holds the whole source as two bytes per character (3 MB
    // instead of 1.5 for the CLI): write it as a \u escape in the source instead.
    const text = readFileSync(f.out, 'latin1');
    const at = text.search(/[^\x00-\x7f]/);
    if (at >= 0) throw new Error(`${f.out}: a character beyond ASCII at offset ${at} (${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}): escape it in the source`);
  }
}

// Run as a script: `--out FILE` (default dist/diagnose.mjs), `--cjs` for the CommonJS variant,
// `--app` for dist/app/.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--app')) {
    await buildApp();
    process.exit(0);
  }
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 && args[outAt + 1] ? args[outAt + 1] : join(ROOT, 'dist', 'diagnose.mjs');
  await bundle(out, args.includes('--cjs') ? 'cjs' : 'esm');
}
