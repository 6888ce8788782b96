#!/usr/bin/env node
// `node scripts/code-cache.cjs FILE BUILD_ID` (run by scripts/bundle.mjs as part of `npm run build`):
// writes FILE.v8cache, V8's code cache of the bundled CLI, for bin/diagnose.js.
//
// A cache made right after compiling holds the file's top level only; every function a run calls
// is still compiled then, lazily (about 20 ms of a healthy run). So the CLI is compiled here as
// bin/ compiles it (bin/app-code.js: the same text, V8's default flags) and first does what a run
// does: healthy runs against a loopback https server started here (with the test certificates of
// fixtures/certs; plain http when they are missing), with the JSON and the human report. The cache
// taken after that holds every function those runs compiled. A file that has no main() (a
// stand-in in the tests) gets the cache of its top level.
//
// The first line of FILE.v8cache says for which Node, file size and build the cache was made;
// bin/diagnose.js uses it only when all three match (and V8 refuses one made with other flags).
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');
const { Readable, Writable } = require('stream');
const code = require('../bin/app-code.js');

// V8 stamps a cache with its flags when the cache is taken, and refuses it under others. A run
// compiles the file under the default flags (bin/diagnose.js sets its own later), so the training
// runs must not change them (src/net/http/undici.ts sets one at the first Client).
require('v8').setFlagsFromString = () => undefined;

const [given, id] = process.argv.slice(2);
if (!given || !id) {
  process.stderr.write('usage: node scripts/code-cache.cjs FILE BUILD_ID\n');
  process.exit(2);
}
const file = path.resolve(given);
const ROOT = path.join(__dirname, '..');
const CERTS = path.join(ROOT, 'fixtures', 'certs');
/** Not a real key: the loopback server below accepts this one only. */
const KEY = 'sk-code-cache-0a1b2c3d4e5f60718293a4b5c6d7e8f9';

const source = code.readWrapped(file);
const script = code.compileWrapped(source.text, file);
const app = code.runCommonJs(script, file, path.dirname(file), createRequire(file));

/** An OpenAI-compatible API on 127.0.0.1 that answers GET /v1/models, over https when the test certificates are there. */
function startApi() {
  const tls = ['valid.pem', 'valid-key.pem', 'ca.pem'].every((f) => fs.existsSync(path.join(CERTS, f)));
  const handler = (req, res) => {
    const ok = req.method === 'GET' && req.url === '/v1/models' && req.headers.authorization === `Bearer ${KEY}`;
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json', 'x-request-id': 'req_code_cache' });
    res.end(JSON.stringify(ok ? { object: 'list', data: [{ id: 'model', object: 'model', created: 1700000000, owned_by: 'code-cache' }] } : { error: { message: 'not found', type: 'invalid_request_error' } }));
  };
  const server = tls
    ? require('https').createServer({ cert: fs.readFileSync(path.join(CERTS, 'valid.pem')), key: fs.readFileSync(path.join(CERTS, 'valid-key.pem')) }, handler)
    : require('http').createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, tls, port: server.address().port }));
  });
}

/** One run of the CLI's main() with these arguments, its output thrown away; its exit code. */
function runOnce(args) {
  const sink = () => new Writable({ write: (_chunk, _enc, cb) => cb() });
  const io = {
    onTerminate: () => undefined,
    stdout: sink(),
    stderr: sink(),
    stdin: Readable.from([]),
    spinnerStream: sink(),
    env: { PATH: process.env.PATH || '', OPENAI_API_KEY: KEY, NO_COLOR: '1' },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    interrupt: new AbortController().signal,
  };
  return app.main(args, io);
}

async function train() {
  const { server, tls, port } = await startApi();
  try {
    const target = tls
      ? [`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, '--ca', path.join(CERTS, 'ca.pem')]
      : [`http://127.0.0.1:${port}/v1`];
    for (const format of [['--json'], []]) {
      const exit = await runOnce([...target, '--provider', 'openai-compatible', '--timeout', '5s', ...format]);
      if (exit !== 0) process.stderr.write(`code-cache: the training run ${format.join(' ') || '(human)'} ended with exit ${exit}; the cache covers less\n`);
    }
  } finally {
    server.close();
  }
}

/** The cache of what is compiled by now, with its head line. */
function writeCache() {
  const data = script.createCachedData();
  const head = JSON.stringify({ node: process.version, size: source.size, build: id });
  fs.writeFileSync(`${file}.v8cache`, Buffer.concat([Buffer.from(`${head}\n`), data]));
}

// Training that cannot run (no loopback server, say) costs the cache its coverage, not the build.
(typeof app.main === 'function' ? train() : Promise.resolve())
  .catch((e) => process.stderr.write(`code-cache: the training runs could not run (${e && e.message ? e.message : e}); the cache covers less\n`))
  .then(() => {
    writeCache();
    process.exit(0);
  })
  .catch((e) => {
    process.stderr.write(`code-cache: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
