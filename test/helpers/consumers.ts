/**
 * The real consumers of the report formats, run over what the tool printed: xmllint with a JUnit
 * XSD, promtool's metrics linter, ajv with the published schema (./schema.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const JUNIT_XSD = fileURLToPath(new URL('./junit.xsd', import.meta.url));

export interface ConsumerResult {
  /** Exit status of the tool (0: accepted). */
  status: number;
  /** What it printed, stdout and stderr together. */
  output: string;
}

/** Whether a command is installed (`.ci/run` installs promtool and xmllint in CI). */
export function hasCommand(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8', env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
  return r.status === 0;
}

function run(cmd: string, args: string[], input: string): ConsumerResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** `xmllint --noout --schema junit.xsd -`: well-formed and shaped as CI readers expect. */
export function xmllintJunit(xml: string): ConsumerResult {
  return run('xmllint', ['--noout', '--schema', JUNIT_XSD, '-'], xml);
}

/** `promtool check metrics`: parses the exposition and lints names, units and help texts. */
export function promtoolCheck(text: string): ConsumerResult {
  return run('promtool', ['check', 'metrics'], text);
}
