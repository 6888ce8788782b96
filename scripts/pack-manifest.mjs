#!/usr/bin/env node
// npm pack / npm publish: the tarball ships the built dist/, so its package.json must not ask for
// a build at install time (a `prepare` running tsc fails where TypeScript, a dev dependency, is not
// installed, and npm 11 flags it as an install script). `strip` (prepack) removes `prepare` from
// package.json after building, keeping the original beside it; `restore` (postpack) puts it back.
// The same approach as pinst.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(ROOT, 'package.json');
const saved = join(ROOT, 'package.json.orig');

const action = process.argv[2];
if (action === 'strip') {
  const text = readFileSync(manifest, 'utf8');
  if (!existsSync(saved)) writeFileSync(saved, text);
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(manifest, JSON.stringify(pkg, null, 2) + '\n');
} else if (action === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  process.stderr.write('usage: pack-manifest.mjs strip|restore\n');
  process.exit(2);
}
