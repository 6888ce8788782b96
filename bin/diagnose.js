#!/usr/bin/env node
// The installed command. CommonJS (bin/package.json), because Node starts a CommonJS file several
// ms sooner than an ES module: `diagnose --version` is answered here from package.json alone, when
// this Node is plainly new enough for the engines field. Everything else checks the Node version
// first (dist/preflight/node-version.js: the check parses and runs on old Node), then --explain
// CODE is answered by dist/quick.js, and only then is the built CLI loaded, whose dependencies
// need Node 20. No top-level await and no syntax newer than ES2017 here.
'use strict';

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

/** --explain CODE (dist/quick.js), else the full CLI. */
function answer() {
  return import('../dist/quick.js')
    .then(({ quickAnswer }) => quickAnswer(args, process.env, process.stdout.isTTY === true))
    .then((quick) => {
      if (quick !== undefined) process.stdout.write(quick);
      else return import('../dist/cli.js').then((cli) => cli.run());
    });
}

if (newEnough && args.length === 1 && (args[0] === '--version' || args[0] === '-V') && typeof pkg.version === 'string') {
  process.stdout.write(pkg.version + '\n');
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
