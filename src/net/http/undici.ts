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

/** undici's Client; the first one built sets Liftoff, before the parser is compiled at its first connection. */
export class Client extends (ClientClass as typeof UndiciClient) {
  constructor(...args: ConstructorParameters<typeof UndiciClient>) {
    if (!liftoff) {
      setFlagsFromString('--liftoff-only');
      liftoff = true;
    }
    super(...args);
  }
}
