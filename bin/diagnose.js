#!/usr/bin/env node
// The installed command: check the Node version first (the check parses and runs on old Node),
// then load the built CLI, whose dependencies need Node 20.
import { nodeVersionProblem } from '../dist/preflight/node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(problem + '\n');
  process.exitCode = 2;
} else {
  import('../dist/cli.js').then((cli) => cli.run());
}
