#!/usr/bin/env node
// Entry of `npm run bench` (which builds dist/ first). The bench and the fixtures it reuses are
// TypeScript; Node 20 cannot run that, so this transpiles them (no type check: `npx tsc -p
// bench` does that) into node_modules/.cache, where their imports of packages still resolve, and
// runs the bench from there. The measured CLI itself is the built one: node bin/diagnose.js.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'upstream-doctor-bench');

if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
  process.stderr.write('bench: dist/cli.js is missing; build first (npm run build), or use npm run bench\n');
  process.exit(2);
}

/** Transpile every top-level .ts file of `dir` (bench/, fixtures/) into the same layout under OUT. */
function transpileDir(dir) {
  const to = join(OUT, dir);
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(join(ROOT, dir))) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const source = readFileSync(join(ROOT, dir, file), 'utf8');
    const out = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    writeFileSync(join(to, file.replace(/\.ts$/, '.js')), out.outputText);
  }
}

// Start from nothing, so a file deleted from the repository cannot linger in the cache.
rmSync(OUT, { recursive: true, force: true });
transpileDir('bench');
transpileDir('fixtures');
// The fixtures find their certificates next to themselves.
symlinkSync(join(ROOT, 'fixtures', 'certs'), join(OUT, 'fixtures', 'certs'), 'dir');

const { main } = await import(pathToFileURL(join(OUT, 'bench', 'main.js')).href);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 2;
}
