/**
 * undici's Client, loaded cheaply. The package's index loads every part of undici (fetch, cache,
 * WebSocket, mocks; its cookie helpers even touch Node's own bundled undici through
 * globalThis.Headers): about 130 files for the one class the probes use. This loads the Client and
 * the request API only (undici has no exports map, so its files are part of the package's surface).
 *
 * It also tells V8 to keep WebAssembly on its baseline compiler (Liftoff): otherwise V8 compiles
 * undici's llhttp parser once more, optimised, on background threads, and the process waits for
 * that at exit (a quarter of a second after the report is out). The parser handles a few KiB per
 * run, so the optimised code would never pay for itself. The flag must be set before the parser
 * module is compiled, which happens at the first connection; it is set when the first Client is
 * built, not when this module loads: a V8 flag changed at run time makes V8 refuse the code cache
 * of Node's own modules, and those the run loads until then would be compiled from source.
 */
import { setFlagsFromString } from 'node:v8';
import type { Client as UndiciClient } from 'undici';
// Static imports of undici's own files (CommonJS, typed in undici-internal.d.ts): the bundler
// (scripts/bundle.mjs) follows them into the single file, which it could not do with createRequire.
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';
import ClientClass from 'undici/lib/dispatcher/client.js';

// What undici's index does: the request/stream/pipeline API lives on every dispatcher.
if (typeof Dispatcher.prototype.request !== 'function') Object.assign(Dispatcher.prototype, api);

let liftoff = false;

function keepWasmOnLiftoff(): void {
  if (liftoff) return;
  setFlagsFromString('--liftoff-only');
  liftoff = true;
}

/**
 * Node's largest response head by default (its --max-http-header-size, 16 KiB since Node 13.13),
 * what undici's Client takes when built without a maxHeaderSize. undici reads it from Node's http
 * module, whose client, server and agent halves load with it (about 1.5 ms of a run, for one
 * number; the bundles load it only then: scripts/bundle.mjs): so the default is passed, unless
 * the flag is set, in NODE_OPTIONS or on Node's command line, and undici reads Node's value.
 */
export const NODE_DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

export function defaultMaxHeaderSize(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env.NODE_OPTIONS): number | undefined {
  const set = (s: string) => s.includes('max-http-header-size');
  return execArgv.some(set) || set(nodeOptions ?? '') ? undefined : NODE_DEFAULT_MAX_HEADER_SIZE;
}

/** undici's Client; the first one built sets Liftoff, before the parser is compiled at its first connection. */
export class Client extends (ClientClass as typeof UndiciClient) {
  constructor(url: ConstructorParameters<typeof UndiciClient>[0], options?: ConstructorParameters<typeof UndiciClient>[1]) {
    keepWasmOnLiftoff();
    const maxHeaderSize = options?.maxHeaderSize ?? defaultMaxHeaderSize();
    super(url, maxHeaderSize === undefined ? options : { ...options, maxHeaderSize });
  }
}

let warming: Promise<unknown> | undefined;

/**
 * Compile undici's HTTP/1.1 parser now, whole, on V8's background threads, while the run does
 * other work (the tls stage's roots take about 19 ms of the main thread). V8 keeps one compiled
 * copy per module text (its native module cache), so the `new WebAssembly.Module` undici makes at
 * its first connection finds the code ready: about 2.5 ms less on the main thread (0.7 ms of
 * module building, then each parser function compiled at its first call). Only for the build
 * undici will choose (the SIMD one, unless UNDICI_NO_WASM_SIMD or ppc64 say otherwise). The
 * promise is kept so that the compiled module stays in the cache.
 */
export function warmParser(): void {
  if (warming || typeof WebAssembly === 'undefined' || process.arch === 'ppc64' || process.env.UNDICI_NO_WASM_SIMD !== undefined || process.env.JEST_WORKER_ID) return;
  const bytes = parserBytes();
  if (!bytes) return;
  keepWasmOnLiftoff();
  setFlagsFromString('--no-wasm-lazy-compilation');
  warming = WebAssembly.compile(bytes).catch(() => undefined);
}

/**
 * undici's SIMD parser bytes (a Buffer), by a plain require(): the bundler follows it to undici's
 * own copy and hands the Buffer over as it is, where an import would copy its 50 000 indexes into
 * a namespace object (60 ms). The ES modules of dist/ have no require(): no warming there.
 */
function parserBytes(): Uint8Array<ArrayBuffer> | undefined {
  return typeof require === 'function' ? (require('undici/lib/llhttp/llhttp_simd-wasm.js') as Uint8Array<ArrayBuffer>) : undefined;
}
