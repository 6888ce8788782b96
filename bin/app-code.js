// How bin/diagnose.js compiles a bundled CommonJS text itself (dist/app/diagnose.cjs with V8's code
// cache, or the CLI embedded in the single file), and how the build makes that cache
// (scripts/code-cache.cjs): V8 takes a cache only for the very same text (and V8's flags), so both
// sides use this file. No syntax newer than ES2017 (see bin/diagnose.js).
'use strict';

/** Node's own CommonJS wrapper; the negative column offset keeps stack positions those of the file. */
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n})';

/**
 * The file's text, wrapped, as one flat string (read into a buffer between the wrapper's two ends:
 * a concatenation V8 would flatten into a second copy of 1.2 MB before compiling); `size` is the
 * module's own length in bytes.
 */
function readWrapped(file) {
  const fs = require('fs');
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(HEAD.length + size + TAIL.length);
    buf.write(HEAD, 0, 'latin1');
    let got = 0;
    for (let n = 1; got < size && n > 0; got += n) n = fs.readSync(fd, buf, HEAD.length + got, size - got, got);
    buf.write(TAIL, HEAD.length + got, 'latin1');
    return { text: buf.toString('latin1', 0, HEAD.length + got + TAIL.length), size: got };
  } finally {
    fs.closeSync(fd);
  }
}

/** Module text, wrapped (the build packs the single file's CLI so: it unpacks into one flat string). */
function wrap(source) {
  return HEAD + source + TAIL;
}

/** Wrapped text compiled as a CommonJS module's function, with V8's `cachedData` when given (see script.cachedDataRejected). */
function compileWrapped(text, filename, cachedData) {
  const vm = require('vm');
  return new vm.Script(text, { filename: filename, columnOffset: -HEAD.length, cachedData: cachedData });
}

/** Run a script of compileWrapped as the module `filename`; its exports. */
function runCommonJs(script, filename, dirname, req) {
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, filename, dirname);
  return mod.exports;
}

module.exports = { readWrapped: readWrapped, wrap: wrap, compileWrapped: compileWrapped, runCommonJs: runCommonJs };
