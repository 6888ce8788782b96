#!/usr/bin/env node
// The installed command: everything lives in the built CLI. --version and --explain CODE are
// answered without loading it (dist/quick.js), so they cost what Node's start costs.
import { quickAnswer } from '../dist/quick.js';

const argv = process.argv.slice(2);
const quick = await quickAnswer(argv, process.env, process.stdout.isTTY === true);
if (quick !== undefined) process.stdout.write(quick);
else (await import('../dist/cli.js')).run();
