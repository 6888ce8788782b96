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
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import zlib, { brotliCompressSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** bin/app-code.js: how bin/ compiles the CLI it carries (the single file's is packed wrapped already). */
const appCode = createRequire(import.meta.url)('../bin/app-code.js');
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
 * commander requires child_process when it loads, for the executable subcommands it can spawn
 * (this CLI has none), and child_process brings dgram and four more of Node's modules with it:
 * about 0.6 ms of every start. In the bundles its `childProcess` loads the module at first use.
 */
const lazyCommanderSpawn = {
  name: 'lazy-commander-spawn',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${a.path}: the line to make lazy is gone (${eager}); update lazyCommanderSpawn`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: 'js', resolveDir: dirname(a.path) };
    });
  },
};

/**
 * undici calls Node's assert on its invariants (155 calls, all `assert(value[, message])`) and
 * requires it in 18 files, which loads assert and four modules behind it on every run (about
 * 0.4 ms). In the bundles its files get a stand-in with the same behaviour that loads the real
 * assert only when an invariant fails, to throw the same AssertionError.
 */
const lazyUndiciAssert = {
  name: 'lazy-undici-assert',
  setup(b) {
    b.onResolve({ filter: /^(node:)?assert$/ }, (a) => {
      if (!/[\\/]undici[\\/]lib[\\/]/.test(a.importer)) return undefined;
      const other = /\bassert\.[A-Za-z]+/.exec(readFileSync(a.importer, 'utf8'));
      if (other) throw new Error(`${a.importer}: uses ${other[0]}, which the stand-in for assert lacks; update lazyUndiciAssert`);
      return { path: 'assert', namespace: 'lazy-assert' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      contents: "module.exports = function assert(value, message) {\n  if (value) return;\n  const real = require('node:assert');\n  if (arguments.length < 2) real(value);\n  else real(value, message);\n};\n",
      loader: 'js',
    }));
  },
};

/**
 * Two of undici's files require Node's http module when they load, which brings http's client,
 * server, agent and parser modules with it (about 1.5 ms of every run) though undici speaks
 * HTTP/1.1 with its own parser. core/util.js wants IncomingMessage for one identity check, and
 * dispatcher/client.js reads http.maxHeaderSize for a Client built without one (ours pass it:
 * src/net/http/undici.ts). In the bundles both read http only when they need it, with the same
 * result: the check first compares the class's name (an IncomingMessage exists only once http is
 * loaded), the default is looked up at its first use.
 */
const lazyUndiciHttp = {
  name: 'lazy-undici-http',
  setup(b) {
    const edits = {
      'core/util.js': [
        ["const { IncomingMessage } = require('node:http')\n", "const isIncomingMessage = (c) => typeof c === 'function' && c.name === 'IncomingMessage' && c === require('node:http').IncomingMessage\n"],
        ['if (Object.getPrototypeOf(stream).constructor === IncomingMessage) {', 'if (isIncomingMessage(Object.getPrototypeOf(stream).constructor)) {'],
      ],
      'dispatcher/client.js': [
        ["const http = require('node:http')\n", ''],
        [
          "const getDefaultNodeMaxHeaderSize = http &&\n  http.maxHeaderSize &&\n  Number.isInteger(http.maxHeaderSize) &&\n  http.maxHeaderSize > 0\n  ? () => http.maxHeaderSize\n  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }\n",
          "const getDefaultNodeMaxHeaderSize = () => {\n  const http = require('node:http')\n  if (http && http.maxHeaderSize && Number.isInteger(http.maxHeaderSize) && http.maxHeaderSize > 0) return http.maxHeaderSize\n  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')\n}\n",
        ],
      ],
    };
    b.onLoad({ filter: /[\\/]undici[\\/]lib[\\/](core[\\/]util|dispatcher[\\/]client)\.js$/ }, (a) => {
      const which = a.path.replace(/\\/g, '/').endsWith('core/util.js') ? 'core/util.js' : 'dispatcher/client.js';
      let text = readFileSync(a.path, 'utf8');
      for (const [from, to] of edits[which]) {
        if (!text.includes(from)) throw new Error(`${a.path}: the text to make lazy is gone (${JSON.stringify(from.slice(0, 60))}); update lazyUndiciHttp`);
        text = text.replace(from, to);
      }
      // No other use of http may be left behind (outside the two lazy ones written above).
      const rest = edits[which].reduce((t, [, to]) => t.split(to).join(''), text).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/(?<![\w'"`.:-])http\s*[.[]|\bIncomingMessage\b|node:http'/.test(rest)) throw new Error(`${a.path}: another use of node:http is left; update lazyUndiciHttp`);
      return { contents: text, loader: 'js', resolveDir: dirname(a.path) };
    });
  },
};

/**
 * The single file (and the executable) carry the CLI inside themselves as text: bin/diagnose.js's
 * `UD_APP` is false there, and the module `upstream-doctor:embedded/cli` (plugin `embedded` below)
 * holds the same CommonJS bundle as dist/app/diagnose.cjs, with every dependency inside,
 * compressed; bin unpacks and compiles it only for a run. V8 then scans 0.45 MB of string for
 * `--version` or `--explain` instead of parsing 1.6 MB of code. bin's imports of dist/ and dist/app/
 * stay out of it (external: never reached there).
 */
const noDist = {
  name: 'no-dist',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/dist\/(app\/|cli\.js$|quick\.js$)/ }, (a) => ({ path: a.path, external: true }));
  },
};

/** The CLI (dist/cli.js) or the fast path (dist/quick.js) as one CommonJS text; `external`: packages left to node_modules. */
async function cjsText(entry, external = []) {
  const r = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node16', legalComments: 'none', logLevel: 'warning', minifyWhitespace: true, external, plugins: [versionsInline, lazyH2, lazyCommanderSpawn, lazyUndiciAssert, lazyUndiciHttp], write: false, outfile: 'out.cjs' });
  const text = r.outputFiles[0].text;
  asciiOnly(text, entry);
  return text;
}

/** One character beyond ASCII and V8 holds a whole source at two bytes a character: write it as a \\u escape in the source instead. */
function asciiOnly(text, what) {
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`${what}: a character beyond ASCII at offset ${at} (${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}): escape it in the source`);
}

/** Bundle bin/diagnose.js into `outfile`, as ESM (default) or CommonJS. */
export async function bundle(outfile, format = 'esm') {
  const cli = await cjsText(join(ROOT, 'dist', 'cli.js'));
  // Compressed (brotli, base64: 1.6 MB of code in about 0.45 MB of text), since V8 scans every
  // byte of the file before the first line runs, --version included; unpacking costs a run about 4 ms.
  const packed = (text) => brotliCompressSync(Buffer.from(text, 'latin1'), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length } }).toString('base64');
  // The fast path (--explain) is small (0.14 MB): it stays code, which V8 only pre-parses until
  // it is called, and saves --explain loading zlib and unpacking (about 4 ms).
  const embedded = {
    name: 'embedded',
    setup(b) {
      b.onResolve({ filter: /^upstream-doctor:embedded\/quick$/ }, () => ({ path: join(ROOT, 'dist', 'quick.js') }));
      b.onResolve({ filter: /^upstream-doctor:embedded\/cli$/ }, () => ({ path: 'cli', namespace: 'upstream-doctor' }));
      b.onLoad({ filter: /.*/, namespace: 'upstream-doctor' }, () => ({ contents: `module.exports = ${JSON.stringify(packed(appCode.wrap(cli)))};\n`, loader: 'js' }));
    },
  };
  const result = await build({
    entryPoints: [join(ROOT, 'bin', 'diagnose.js')],
    outfile,
    define: { UD_APP: 'false' },
    bundle: true,
    platform: 'node',
    format,
    // Older than the code needs on purpose: esbuild then writes regular expressions Node 18 cannot
    // parse (the `v` flag of string-width) as `new RegExp(...)`, so the file still parses on an
    // old Node and the version check at its top gets to say what is wrong.
    target: 'node16',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [versionsInline, noDist, embedded],
    write: false,
    // CommonJS dependencies call require() for Node's modules; an ES module has none of its own.
    // Node's own modules are all it needs here (everything else is inside), so require() is
    // process.getBuiltinModule (Node >= 20.16; an older Node stops at the version check before
    // any require), which throws as require() does for a name Node does not have (ws tries the
    // optional bufferutil that way). About 1.5 ms sooner than importing node:module for
    // createRequire.
    banner:
      format === 'esm'
        ? {
            js: "const require = (id) => { const m = process.getBuiltinModule(id); if (m === undefined) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' }); return m; };",
          }
        : {},
  });
  const text = result.outputFiles[0].text;
  asciiOnly(text, outfile);
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, text, { mode: 0o755 });
  return result;
}

/** Packages only some commands use (fleet files, lint, the gateway's WebSocket): required from node_modules when used, not parsed on every run. */
const APP_EXTERNAL = ['yaml', 'ws'];

/**
 * dist/app/diagnose.cjs (the CLI, exports `run`) and dist/app/quick.cjs (exports `quickAnswer`).
 * Whitespace is left out (V8 then holds about 0.4 MB less source and a shorter table of line ends),
 * and local names are shortened (0.23 MB less to read and to hold, a code cache 40 KB smaller,
 * about 1 ms of a run); properties keep their names, and the linked source maps lead back to src/
 * (node --enable-source-maps).
 */
export async function buildApp(outdir = join(ROOT, 'dist', 'app')) {
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node16', legalComments: 'none', logLevel: 'warning', minifyWhitespace: true, minifyIdentifiers: true, sourcemap: 'linked', plugins: [versionsInline, lazyH2, lazyCommanderSpawn, lazyUndiciAssert, lazyUndiciHttp] };
  const files = [
    { entry: join(ROOT, 'dist', 'cli.js'), out: join(outdir, 'diagnose.cjs'), external: APP_EXTERNAL },
    { entry: join(ROOT, 'dist', 'quick.js'), out: join(outdir, 'quick.cjs'), external: [] },
  ];
  // A build id at the end of the CLI's file, which its code cache names too (V8 itself checks only
  // the source's length).
  const id = randomBytes(8).toString('hex');
  await Promise.all(files.map((f) => build({ ...common, entryPoints: [f.entry], outfile: f.out, external: f.external, ...(f === files[0] ? { footer: { js: `// upstream-doctor build ${id}` } } : {}) })));
  for (const f of files) asciiOnly(readFileSync(f.out, 'latin1'), f.out);
  const cli = readFileSync(files[0].out, 'latin1');
  // A dynamic import() of Node's own modules is left in place by esbuild, and a function compiled
  // with vm (as bin/diagnose.js does, to use the code cache) cannot run one: import them statically.
  const dynamic = /(?:^|[^\w$.])import\(\s*["'`]/.exec(cli);
  if (dynamic) throw new Error(`${files[0].out}: a dynamic import() at offset ${dynamic.index} (${JSON.stringify(cli.slice(dynamic.index, dynamic.index + 60))}): import it statically in the source`);
  writeCodeCache(files[0].out, id);
}

/**
 * dist/app/diagnose.cjs.v8cache: V8's code cache of the CLI's file, for bin/diagnose.js, made by
 * scripts/code-cache.cjs in a child process (under V8's default flags, after training runs on
 * loopback). A run then neither parses 1.2 MB of source nor compiles the functions it calls.
 */
export function writeCodeCache(file, id) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'code-cache.cjs'), file, id], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${file}: making its code cache failed (exit ${r.status})`);
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
