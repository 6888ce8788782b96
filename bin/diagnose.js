#!/usr/bin/env node
// The installed command: check the Node version first (the check parses and runs on old Node),
// then load the built CLI, whose dependencies need Node 20. --version and --explain CODE are
// answered without loading it (dist/quick.js), so they cost what Node's start costs.
// No top-level await: the standalone executable bundles this file as CommonJS.
import { nodeVersionProblem } from '../dist/preflight/node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(problem + '\n');
  process.exitCode = 2;
} else {
  import('../dist/quick.js')
    .then(({ quickAnswer }) => quickAnswer(process.argv.slice(2), process.env, process.stdout.isTTY === true))
    .then((quick) => {
      if (quick !== undefined) process.stdout.write(quick);
      else return import('../dist/cli.js').then((cli) => cli.run());
    });
}
