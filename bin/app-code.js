// How bin/diagnose.js compiles a bundled CommonJS text itself (dist/app/diagnose.cjs with V8's code
// cache, or the CLI embedded in the single file), and how the build makes that cache
// (scripts/code-cache.cjs): V8 takes a cache only for the very same text (and V8's flags), so both
// sides use this file. No syntax newer than ES2017 (see bin/diagnose.js).
'use strict';

/** Node's own CommonJS wrapper; the negative column offset keeps stack positions those of the file. */
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n})';

/**
 * The wrapped text as one flat string, `size` bytes of the module written into it by `fill(buffer,
 * at)` (the count written is returned). Not a concatenation: V8 would flatten that into a second
 * copy of 1.2 MB before compiling.
 */
function wrapped(size, fill) {
  const buf = Buffer.allocUnsafe(HEAD.length + size + TAIL.length);
  buf.write(HEAD, 0, 'latin1');
  const n = fill(buf, HEAD.length);
  buf.write(TAIL, HEAD.length + n, 'latin1');
  return buf.toString('latin1', 0, HEAD.length + n + TAIL.length);
}

/** The file's text, wrapped (see `wrapped`); `size` is the module's own length in bytes. */
function readWrapped(file) {
  const fs = require('fs');
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let got = 0;
    const text = wrapped(size, (buf, at) => {
      for (let n = 1; got < size && n > 0; got += n) n = fs.readSync(fd, buf, at + got, size - got, got);
      return got;
    });
    return { text: text, size: got };
  } finally {
    fs.closeSync(fd);
  }
}

/** A Buffer of module text, wrapped. */
function wrapBuffer(body) {
  return wrapped(body.length, (buf, at) => body.copy(buf, at));
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

module.exports = { readWrapped: readWrapped, wrapBuffer: wrapBuffer, compileWrapped: compileWrapped, runCommonJs: runCommonJs };
