/**
 * The GitHub Action (action.yml, composite), run the way the runner runs it: each step's `run`
 * with `bash --noprofile --norc -eo pipefail`, the inputs substituted into its env, a fake
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, against loopback servers.
 *
 * The steps run the single file the action ships, dist/diagnose.mjs: built here once from dist/
 * (as `npm run bundle` does) so the action's own "build it when missing" step is not needed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, removeDir, tempDir } from '../../fixtures/daemon.js';
import { startOpenAiCompatible, type HttpFixture } from '../../fixtures/http-api.js';
import { startEchoServer } from '../../fixtures/echo-server.js';
import { assertValidReport } from '../helpers/schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'sk-action-test-key-0123456789abcd';

interface Step {
  name: string;
  id?: string;
  shell: string;
  run: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

interface ActionRun {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

async function runAction(inputs: Record<string, string>, dir: string): Promise<ActionRun> {
  const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as Action;
  expect(action.runs.using).toBe('composite');
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) values[name] = inputs[name] ?? spec.default ?? '';
  const outputFile = join(dir, `output-${Math.random().toString(16).slice(2)}`);
  const summaryFile = join(dir, `summary-${Math.random().toString(16).slice(2)}`);
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const base = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    NO_COLOR: '1',
    OPENAI_API_KEY: KEY, // as a workflow's env: would pass a secret
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTION_PATH: ROOT,
    RUNNER_TEMP: dir,
  };
  let stdout = '';
  let status = 0;
  for (const step of action.runs.steps) {
    expect(step.shell).toBe('bash');
    const env: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = v.replace(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g, (_, n: string) => values[n] ?? '');
    const script = join(dir, `step-${step.id ?? 'anon'}.sh`);
    await writeFile(script, step.run);
    // Not spawnSync: the fixture servers live in this process and must keep answering.
    const r = await new Promise<{ status: number; out: string }>((resolve) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ status: code ?? -1, out }));
    });
    stdout += r.out;
    status = r.status;
    if (status !== 0) break;
  }
  const outputs: Record<string, string> = {};
  for (const line of (await readFile(outputFile, 'utf8')).split('\n').filter(Boolean)) {
    const i = line.indexOf('=');
    outputs[line.slice(0, i)] = line.slice(i + 1);
  }
  // The action's outputs map to the diagnose step's outputs of the same names.
  for (const [name, spec] of Object.entries(action.outputs)) expect(spec.value).toBe(`\${{ steps.diagnose.outputs.${name} }}`);
  return { status, stdout, outputs, summary: await readFile(summaryFile, 'utf8') };
}

describe('the GitHub Action', () => {
  let api: HttpFixture;
  let refusing: HttpFixture;
  let closed: number;
  let dir: string;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`the bundle did not build: ${built.stderr}`);
    api = await startOpenAiCompatible({ key: KEY });
    refusing = await startOpenAiCompatible({ key: 'sk-some-other-key-000000000' });
    closed = await freePort();
    dir = await tempDir('action');
  });
  afterAll(async () => {
    await api.close();
    await refusing.close();
    await removeDir(dir);
  });

  it('a healthy target: outputs ok / 0, the JSON report kept, the summary written', async () => {
    const r = await runAction({ target: `${api.url}/v1`, provider: 'openai-compatible' }, dir);
    expect(r.status).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'ok', 'exit-code': '0', 'root-cause': '' });
    expect(r.outputs['report-path']).toMatch(/\.json$/);
    const report = JSON.parse(await readFile(r.outputs['report-path']!, 'utf8'));
    assertValidReport(report);
    expect(report.target.provider).toBe('openai-compatible');
    expect(r.summary).toContain('## upstream-doctor: ✅ OK');
  });

  it('a failing target: annotations, outputs failed / 11 / TCP_REFUSED, the step fails with 11', async () => {
    const r = await runAction({ target: `http://127.0.0.1:${closed}/v1` }, dir);
    expect(r.status).toBe(11);
    expect(r.stdout).toMatch(/^::error title=TCP_REFUSED \(tcp%2C root cause\)::/m);
    expect(r.outputs).toMatchObject({ verdict: 'failed', 'exit-code': '11', 'root-cause': 'TCP_REFUSED' });
    expect(r.summary).toContain('TCP_REFUSED');
  });

  it('several targets with the key and format inputs: the worst wins, the report in JUnit', async () => {
    const r = await runAction({ target: `${api.url}/v1 ${refusing.url}/v1`, provider: 'openai-compatible', format: 'junit' }, dir);
    expect(r.status).toBe(15);
    expect(r.outputs).toMatchObject({ verdict: 'failed', 'exit-code': '15', 'root-cause': 'AUTH_INVALID' });
    expect(r.outputs['report-path']).toMatch(/\.xml$/);
    expect((await readFile(r.outputs['report-path']!, 'utf8')).match(/<testsuite /g)).toHaveLength(2);
    expect(r.stdout).not.toContain(KEY);
  });

  it('bad inputs fail the step with one error annotation and exit 2', async () => {
    const badInputs: Array<Record<string, string>> = [{ target: ' ' }, { target: `127.0.0.1:${closed}`, stream: 'maybe' }, { target: `127.0.0.1:${closed}`, format: 'xml' }];
    for (const inputs of badInputs) {
      const r = await runAction(inputs, dir);
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/^::error title=upstream-doctor::/m);
    }
    const bad = await runAction({ target: 'ftp://127.0.0.1/' }, dir);
    expect(bad.status).toBe(2);
    expect(bad.outputs).toMatchObject({ verdict: 'error', 'exit-code': '2' });
  });

  /** Review 12: a server that echoes the key back, one and several targets: the key reaches no output, summary, log or report. */
  it.each(['json', 'md', 'junit', 'openmetrics'])('an echoing server, format %s: the key appears nowhere', async (format) => {
    const echo = await startEchoServer({ status: 401 });
    try {
      const fragments = (s: string) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8));
      for (const target of [`${echo.url}/v1`, `${echo.url}/v1 ${api.url}/v1`]) {
        const r = await runAction({ target, provider: 'openai-compatible', format }, dir);
        expect(r.status).toBe(15);
        const report = await readFile(r.outputs['report-path']!, 'utf8');
        const all = [r.stdout, JSON.stringify(r.outputs), r.summary, report].join('\n');
        // The key's random tail (its head, sk-action-, is also in the temporary folder's name).
        expect(fragments(KEY.slice(14)).filter((f) => all.includes(f))).toEqual([]);
      }
      expect(echo.received()).toContain(KEY);
    } finally {
      await echo.close();
    }
  });

  it('an input that holds the key by mistake is not repeated in the error annotation', async () => {
    for (const inputs of [{ stream: KEY }, { format: KEY }] as Array<Record<string, string>>) {
      const r = await runAction({ target: `127.0.0.1:${closed}`, ...inputs }, dir);
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/^::error title=upstream-doctor::/m);
      expect(r.stdout).not.toContain(KEY.slice(0, 12));
    }
  });
});
