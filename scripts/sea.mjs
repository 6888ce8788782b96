#!/usr/bin/env node
// `npm run sea`: dist/diagnose-linux-x64, a standalone executable (Node's single-executable
// applications): a copy of the node binary that builds it, with the CLI injected by postject.
// The box it is copied to needs no Node at all. Node 20's SEA runs a CommonJS script as its main,
// so the CLI is bundled a second time as CommonJS for it.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// The executable runs the Node that builds it: that one must be new enough.
const { nodeVersionProblem, REQUIRED_NODE } = await import('../dist/preflight/node-version.js');
if (nodeVersionProblem(process.versions.node) !== undefined) {
  process.stderr.write(`npm run sea: build it with Node >= ${REQUIRED_NODE} (the executable embeds the Node that builds it); this is ${process.version}\n`);
  process.exit(2);
}
if (process.platform !== 'linux') {
  process.stderr.write(`npm run sea: builds for linux only (this is ${process.platform}-${process.arch})\n`);
  process.exit(2);
}
const nodeBinary = readFileSync(process.execPath);
if (!nodeBinary.includes(FUSE)) {
  process.stderr.write(`npm run sea: ${process.execPath} was built without single-executable support; use an official Node 20 build\n`);
  process.exit(2);
}

// `--out FILE` puts the executable elsewhere (the tests build their own).
const outArg = process.argv.indexOf('--out');
const out = outArg >= 0 && process.argv[outArg + 1] ? process.argv[outArg + 1] : join(ROOT, 'dist', `diagnose-linux-${process.arch}`);
const work = mkdtempSync(join(tmpdir(), 'diagnose-sea-'));
const main = join(work, 'diagnose.cjs');
const blob = join(work, 'diagnose.blob');
await bundle(main, 'cjs');
const config = join(work, 'sea-config.json');
writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true }, null, 2));
try {
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'pipe' });
} catch (e) {
  process.stderr.write(`npm run sea: node --experimental-sea-config failed:\n${e.stderr ?? e}\n`);
  process.exit(1);
}

rmSync(out, { force: true });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
// postject's ELF writer prints harmless warnings about note sections: shown only if it fails.
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
try {
  execFileSync(process.execPath, [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { stdio: 'pipe' });
} catch (e) {
  process.stderr.write(`npm run sea: postject failed:\n${e.stdout ?? ''}${e.stderr ?? e}\n`);
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${out}\n`);
