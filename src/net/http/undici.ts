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
 * module is compiled, which happens at the first connection.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { Client as UndiciClient } from 'undici';

setFlagsFromString('--liftoff-only');

const require = createRequire(import.meta.url);
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
// What undici's index does: the request/stream/pipeline API lives on every dispatcher.
if (typeof Dispatcher.prototype.request !== 'function') Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));

export const Client = require('undici/lib/dispatcher/client.js') as typeof UndiciClient;
export type Client = UndiciClient;
