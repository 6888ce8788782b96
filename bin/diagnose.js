#!/usr/bin/env node
// The installed command: everything lives in the built CLI.
import { run } from '../dist/cli.js';

run();
