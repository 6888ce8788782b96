/** The README documents every diagnosis code the tool can produce, and its two first commands. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/diagnose/catalogue/index.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it.each(CATALOGUE.map((e) => [e.code, e] as const))('documents %s', (code, e) => {
    expect(readme).toContain(`\`${code}\``);
    // A code beyond the contract is listed in its table row with its stage, severity and exit code.
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${code}\``));
    if (row) expect(row).toContain(`| ${e.stage} | ${e.severity} | ${e.exitCode} |`);
  });

  it('opens with the install-and-run command and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = firstBlock.trim().split('\n');
    expect(lines[0]).toMatch(/^npm ci && node bin\/diagnose\.js api\.openai\.com/);
    expect(lines[1]).toMatch(/^npm test/);
  });
});
