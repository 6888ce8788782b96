#!/usr/bin/env node
// The installed command. CommonJS (bin/package.json), because Node starts a CommonJS file several
// ms sooner than an ES module: `diagnose --version` is answered here from package.json alone, when
// this Node is plainly new enough for the engines field. Everything else checks the Node version
// first (dist/preflight/node-version.js: the check parses and runs on old Node), then --explain
// CODE is answered by dist/quick.js, and only then is the built CLI loaded, whose dependencies
// need Node 20. No top-level await and no syntax newer than ES2017 here.
//
// Both come from dist/app/ (`npm run build` bundles each into one CommonJS file, which Node loads
// several times sooner than dist/'s ES modules) unless that copy is missing or older than dist/.
'use strict';
/* global UD_APP */

const args = process.argv.slice(2);

/** True when `found` (e.g. 20.20.2) is at or above the first x.y.z of `range` (">=20.18.1"). */
function atLeast(found, range) {
  const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(found));
  const need = /(\d+)\.(\d+)\.(\d+)/.exec(String(range));
  if (!have || !need) return false;
  for (let i = 1; i <= 3; i++) if (Number(have[i]) !== Number(need[i])) return Number(have[i]) > Number(need[i]);
  return true;
}

// package.json is read once; the bundler writes it into the single file and the executable.
const pkg = require('../package.json');
const newEnough = atLeast(process.versions.node, pkg.engines && pkg.engines.node);

// The single file and the executable (scripts/bundle.mjs) define UD_APP as false and carry the
// code inside them: the module 'upstream-doctor:embedded/quick' is the fast path's code, and
// 'upstream-doctor:embedded/cli' exports the CLI's bundle as brotli-compressed base64 text. Both
// exist only there.
const APP = typeof UD_APP === 'boolean' ? UD_APP : true;

/** The embedded CLI (packed already wrapped: it unpacks into one flat string), unpacked and run as a CommonJS module (it requires Node's own modules only). */
function embeddedCli() {
  const packed = require('upstream-doctor:embedded/cli');
  const code = require('./app-code.js');
  const text = require('zlib').brotliDecompressSync(Buffer.from(packed, 'base64')).toString('latin1');
  return code.runCommonJs(code.compileWrapped(text, 'upstream-doctor/cli.cjs'), 'upstream-doctor/cli.cjs', 'upstream-doctor', require);
}

/** True when dist/app/<bundled> exists and is not older than dist/<source> (a plain `tsc` after the build). */
function appFresh(bundled, source) {
  const fs = require('fs');
  const path = require('path');
  try {
    return fs.statSync(path.join(__dirname, '..', 'dist', 'app', bundled)).mtimeMs >= fs.statSync(path.join(__dirname, '..', 'dist', source)).mtimeMs;
  } catch (e) {
    return false;
  }
}

function loadQuick() {
  if (!APP) return Promise.resolve().then(() => require('upstream-doctor:embedded/quick'));
  return appFresh('quick.cjs', 'quick.js') ? Promise.resolve().then(() => require('../dist/app/quick.cjs')) : import('../dist/quick.js');
}

function loadCli() {
  if (!APP) return Promise.resolve().then(embeddedCli);
  return appFresh('diagnose.cjs', 'cli.js') ? Promise.resolve().then(requireApp) : import('../dist/cli.js');
}

/**
 * dist/app/diagnose.cjs, compiled with the V8 code cache `npm run build` made beside it when that
 * cache is for this Node and this file, and V8's flags are still its defaults (V8 checks them: a
 * sampled run has set its own); else (and under --enable-source-maps, which only require()
 * honours) required as usual.
 */
function requireApp() {
  const fs = require('fs');
  const path = require('path');
  const file = path.join(__dirname, '..', 'dist', 'app', 'diagnose.cjs');
  const mapped = process.execArgv.includes('--enable-source-maps') || /--enable-source-maps/.test(process.env.NODE_OPTIONS || '');
  let cache;
  let head;
  try {
    if (!mapped && kind !== 'sampled') {
      const raw = fs.readFileSync(file + '.v8cache');
      const nl = raw.indexOf(10);
      head = JSON.parse(raw.subarray(0, nl).toString('latin1'));
      if (head.node === process.version) cache = raw.subarray(nl + 1);
    }
  } catch (e) {
    cache = undefined;
  }
  if (!cache) return require(file);
  const code = require('./app-code.js');
  const app = code.readWrapped(file);
  if (app.size !== head.size || app.text.indexOf('// upstream-doctor build ' + head.build, app.text.length - 200) < 0) return require(file);
  // Module.createRequire through this module's own class: require('module') would load Node's ES
  // module loader with it (four modules, about 0.3 ms) for nothing.
  return code.runCommonJs(code.compileWrapped(app.text, file, cache), file, path.dirname(file), module.constructor.createRequire(file));
}

/** The argument shapes dist/quick.js may answer (--version, --explain CODE); anything else goes straight to the CLI. */
function quickShape() {
  if (args.length === 1) return args[0] === '--version' || args[0] === '-V' || args[0].startsWith('--explain=');
  return args.length === 2 && args[0] === '--explain';
}

/** What kind of run this is, for V8's settings: 'sampled', 'long' (serve, --keepalive) or 'one-shot'. */
function runKind() {
  if (args[0] === 'serve' || args.some((a) => /^--keepalive(=|$)/.test(a))) return 'long';
  return args.some((a) => /^--(repeat|duration)(=|$)/.test(a)) ? 'sampled' : 'one-shot';
}
const kind = runKind();

/**
 * V8 settings. Every flag changed at run time makes V8 refuse the code cache of Node's own modules
 * (those loaded afterwards are compiled from source: about 12 ms of a run) and the code cache of
 * dist/app/ (made under the default flags), so a one-shot run sets its flags late: after the
 * modules of the run are loaded, just before it probes (the CLI calls this back). They are no
 * optimising compiler (it would compile a handful of functions on background threads, about 2 MB
 * of peak memory for nothing), a young generation that does not grow (about 3 MB), and regular
 * expressions compiled without V8's analysis for speed: a run matches each pattern on a few short
 * strings, and compiling Node's IPv6 pattern, which tls.connect runs on the server name, takes
 * 0.4 ms that way instead of 4.
 */
function oneShotFlags() {
  if (kind === 'one-shot') require('v8').setFlagsFromString('--no-opt --semi-space-growth-factor=1 --no-regexp-optimization');
}

/**
 * A sampled run (--repeat, --duration) sets V8's memory-saving mode and the same young generation
 * before anything loads: they keep its peak flat over ten thousand samples (about 80 MB instead of
 * 124 MB for a thousand and 139 MB for five thousand, for about a quarter more CPU between
 * samples), and its start-up hardly matters. serve and --keepalive keep V8's defaults.
 */
function runCli() {
  if (kind === 'sampled') require('v8').setFlagsFromString('--optimize-for-size --semi-space-growth-factor=1');
  return loadCli().then(
    (cli) => cli.run({ beforeRun: oneShotFlags }),
    // The CLI could not be loaded (a damaged single file, a half-built dist/): one line, exit 3
    // (the contract's internal error, whose message says what to do).
    (e) => {
      process.stderr.write('diagnose: cannot load the CLI (' + (e && e.message ? e.message : String(e)) + '): the install is damaged or half-built; reinstall it, and report it as a bug of upstream-doctor if that does not help\n');
      process.exitCode = 3;
    },
  );
}

/**
 * Write a short answer (--version, --explain) straight to fd 1. process.stdout would be built
 * first, a stream over a pipe or a file, which costs a start-up of a few milliseconds (about a
 * tenth of `node -e 0`) for one write. A pipe that is full (EAGAIN, rare for a few KB) gets the
 * rest through process.stdout; one that is closed (EPIPE) or an fd 1 that is not there is no error
 * worth a stack trace.
 */
function writeStdout(text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += require('fs').writeSync(1, buf, off, buf.length - off);
  } catch (e) {
    if (e && e.code === 'EAGAIN') {
      process.stdout.on('error', () => undefined);
      process.stdout.write(buf.subarray(off));
    }
  }
}

/** --explain CODE (dist/quick.js), else the full CLI. */
function answer() {
  if (!quickShape()) return runCli();
  return loadQuick()
    .then(({ quickAnswer }) => quickAnswer(args, process.env, () => require('tty').isatty(1)))
    .then((quick) => {
      if (quick !== undefined) writeStdout(quick);
      else return runCli();
    });
}

if (newEnough && args.length === 1 && (args[0] === '--version' || args[0] === '-V') && typeof pkg.version === 'string') {
  writeStdout(pkg.version + '\n');
} else if (newEnough) {
  answer();
} else {
  // Not plainly new enough (or the engines field unreadable): the real check decides and speaks.
  import('../dist/preflight/node-version.js').then(({ nodeVersionProblem }) => {
    const problem = nodeVersionProblem(process.versions.node);
    if (problem !== undefined) {
      process.stderr.write(problem + '\n');
      process.exitCode = 2;
      return undefined;
    }
    return answer();
  });
}
