/**
 * Several targets in one run, against real loopback servers: a healthy API, one that refuses the
 * key, a closed port. One table, the worst exit code, every format read by its consumer; bad files
 * stop the run before any target sees a request.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiCompatible, type HttpFixture } from '../../fixtures/http-api.js';
import { freePort } from '../../fixtures/daemon.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';

const KEY = 'sk-fleet-test-key-0123456789abcd';

describe('several targets (diagnose A B C, --config)', () => {
  let healthy: HttpFixture;
  let refusing: HttpFixture;
  let closedPort: number;
  let dir: string;
  let config: string;
  const env = cleanEnv({ FLEET_KEY: KEY });

  beforeAll(async () => {
    healthy = await startOpenAiCompatible({ key: KEY });
    refusing = await startOpenAiCompatible({ key: 'sk-another-key-entirely-9999' });
    closedPort = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'ud-fleet-'));
    config = join(dir, 'targets.yaml');
    await writeFile(
      config,
      [
        '# three targets, each with its own options',
        'defaults:',
        '  timeout: 3s',
        '  provider: openai-compatible',
        '  api-key-env: FLEET_KEY',
        'targets:',
        `  healthy: ${healthy.url}/v1`,
        '  refused-key:',
        `    url: ${refusing.url}/v1`,
        '  closed:',
        `    url: http://127.0.0.1:${closedPort}/v1`,
        '    timeout: 1s',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await healthy.close();
    await refusing.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one table and exits with the worst code (largest: 15 beats 11)', async () => {
    const r = await runCli(['--config', config], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(15);
    const table = r.stdout.slice(r.stdout.lastIndexOf('target  '));
    expect(table).toMatch(/^healthy\s+OK\s+0\s+-\s+\d/m);
    expect(table).toMatch(/^refused-key\s+FAILED\s+15\s+AUTH_INVALID\s+\d/m);
    expect(table).toMatch(/^closed\s+FAILED\s+11\s+TCP_REFUSED\s+\d/m);
    expect(r.stdout).toContain('3 target(s): 1 ok, 0 degraded, 2 failed · exit 15');
    expect(r.stdout).not.toContain(KEY);
  });

  it('JSON is { schemaVersion, reports } with each report named and valid', async () => {
    const r = await runCli(['--config', config, '--json'], { env });
    expect(r.code).toBe(15);
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
    expect(r.reports!.map((x) => [x.target.name, x.exitCode])).toEqual([
      ['healthy', 0],
      ['refused-key', 15],
      ['closed', 11],
    ]);
  });

  it('targets on the command line share its options; exit 0 only when all pass', async () => {
    const ok = await runCli([`${healthy.url}/v1`, `127.0.0.1:${healthy.port}`, '--provider', 'openai-compatible', '--api-key-env', 'FLEET_KEY', '--json'], { env });
    expect(ok.reports!.map((x) => x.target.name)).toEqual([`${healthy.url}/v1`, `127.0.0.1:${healthy.port}`]);
    expect(ok.reports![0]!.exitCode).toBe(0);
    const mixed = await runCli([`${healthy.url}/v1`, `http://127.0.0.1:${closedPort}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'FLEET_KEY', '--timeout', '1s'], { env });
    expect(mixed.code).toBe(11);
  });

  it('names after --config pick targets; command-line options apply to them', async () => {
    const r = await runCli(['--config', config, 'healthy', '--json', '--strict'], { env });
    expect(r.reports!.map((x) => x.target.name)).toEqual(['healthy']);
    expect(r.code).toBe(0);
  });

  it('each target keeps its own options: a pinned name, a dead proxy, no proxy', async () => {
    const file = join(dir, 'own-options.yaml');
    await writeFile(
      file,
      [
        'defaults:',
        '  provider: openai-compatible',
        '  api-key-env: FLEET_KEY',
        'targets:',
        '  pinned:',
        `    url: http://api.fleet.test:${healthy.port}/v1`,
        `    resolve: api.fleet.test:${healthy.port}:127.0.0.1`,
        '    allow-insecure-key: true # plain http to a name that is not this machine',
        '  through-dead-proxy:',
        `    url: ${healthy.url}/v1`,
        `    proxy: http://127.0.0.1:${closedPort}`,
        '  direct:',
        `    url: ${healthy.url}/v1`,
        '    no-proxy: true',
        '',
      ].join('\n'),
    );
    const r = await runCli(['--config', file, '--json', '--parallel', '1'], { env });
    const byName = Object.fromEntries(r.reports!.map((x) => [x.target.name, x]));
    expect(byName.pinned!.exitCode).toBe(0);
    expect(byName.pinned!.target.host).toBe('api.fleet.test');
    expect(byName['through-dead-proxy']!.rootCause).toBe('PROXY_UNREACHABLE');
    expect(byName.direct!.exitCode).toBe(0);
    expect(byName.direct!.target.via).toBe('direct');
    expect(r.code).toBe(13);
    // Without its allow-insecure-key the same pinned target keeps the key to itself (and is refused).
    await writeFile(file, (await readFile(file, 'utf8')).replace(/ +allow-insecure-key: true.*\n/, ''));
    const withheld = await runCli(['--config', file, 'pinned', '--json'], { env });
    expect(withheld.reports![0]!.rootCause).toBe('KEY_NOT_SENT_INSECURE');
  });

  it.skipIf(!hasCommand('xmllint'))('JUnit: a suite per target, valid against the XSD', async () => {
    const r = await runCli(['--config', config, '--format', 'junit'], { env });
    const lint = xmllintJunit(r.stdout);
    expect(lint.status).toBe(0);
    expect(r.stdout.match(/<testsuite /g)).toHaveLength(3);
    expect(r.stdout).toContain('name="upstream-doctor refused-key ');
  });

  it.skipIf(!hasCommand('promtool'))('openmetrics: each family once, a target label per sample, promtool accepts it', async () => {
    const r = await runCli(['--config', config, '--format', 'openmetrics'], { env });
    expect(promtoolCheck(r.stdout)).toEqual({ status: 0, output: '' });
    expect(r.stdout.match(/^# TYPE probe_success gauge$/gm)).toHaveLength(1);
    expect(r.stdout).toContain('probe_success{target="healthy"} 1');
    expect(r.stdout).toContain('probe_success{target="closed"} 0');
  });

  it('md: the table, then a section per target; github: annotations name their target', async () => {
    const md = await runCli(['--config', config, '--format', 'md'], { env });
    expect(md.stdout).toMatch(/\| refused-key \| FAILED \| 15 \| `AUTH_INVALID` \|/);
    expect(md.stdout.match(/^## upstream-doctor: /gm)).toHaveLength(3);
    const summary = join(dir, 'summary.md');
    const gh = await runCli(['--config', config, '--format', 'github'], { env: { ...env, GITHUB_STEP_SUMMARY: summary } });
    expect(gh.stdout).toMatch(/^::error title=refused-key%3A AUTH_INVALID \(http%2C root cause\)::/m);
    expect(gh.stdout).toMatch(/^::error title=closed%3A TCP_REFUSED/m);
    expect(await readFile(summary, 'utf8')).toContain('| closed | FAILED | 11 |');
  });

  describe('bad input: one line naming the line, exit 2, nothing probed', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['unknown key', 'targets:\n  a:\n    url: URL\n    timout: 2s\n', /:4: target "a": unknown key "timout"/],
      ['duplicate target', 'targets:\n  a: URL\n  a: URL\n', /:3: targets: "a" appears twice/],
      ['missing key file', 'targets:\n  a:\n    url: URL\n    api-key-file: /nonexistent/key\n', /:4: target "a": api-key-file: cannot read "\/nonexistent\/key" \(ENOENT\)/],
      ['bad provider in defaults', 'defaults:\n  provider: openia\ntargets:\n  a: URL\n', /:2: target "a": provider: "openia" is not one of/],
      ['bad option type', 'targets:\n  a:\n    url: URL\n    stream: yes please\n', /:4: target "a": stream must be true or false/],
      ['not YAML', 'targets:\n  a: [URL\n', /:\d+: not valid YAML/],
    ];
    for (const [what, text, message] of cases) {
      it(what, async () => {
        const file = join(dir, `${what.replace(/ /g, '-')}.yaml`);
        await writeFile(file, text.replace(/URL/g, `${healthy.url}/v1`));
        const before = healthy.requests.length;
        const r = await runCli(['--config', file], { env });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(file);
        expect(healthy.requests.length).toBe(before);
      });
    }

    it('a name after --config that the file lacks', async () => {
      const r = await runCli(['--config', config, 'nope'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`diagnose: "nope" is not a target of ${config} (it has: healthy, refused-key, closed)\n`);
    });

    it('the same target twice on the command line', async () => {
      const r = await runCli([`${healthy.url}/v1`, `${healthy.url}/v1`], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/given twice/);
    });
  });
});
