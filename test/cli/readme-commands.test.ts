/**
 * Every `diagnose ...` command the README shows, run as written from a fresh clone's bin/, against
 * loopback only: names are pinned to 127.0.0.1 (`--resolve NAME:443:127.0.0.1`, or the same pins
 * in the README's targets.yaml), long samplings are shortened, files land in a temporary folder.
 * A command "works" when it is accepted (not exit 2) and does not crash (not exit 3). Also: the
 * README's targets.yaml matches schema/config.schema.json and runs; its install text matches
 * package.json (tarball name, number of runtime dependencies, one table row per dependency).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../fixtures/daemon.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BIN = join(ROOT, 'bin', 'diagnose.js');

/** The lines of the README's sh blocks that start with `diagnose `, comments and `; code=$?` cut. */
function readmeCommands(): string[] {
  const out: string[] = [];
  for (const m of README.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of m[1]!.split('\n')) {
      const cmd = line.replace(/\s+#.*$/, '').replace(/;\s*code=\$\?$/, '').trim();
      if (cmd.startsWith('diagnose ')) out.push(cmd);
    }
  }
  return out;
}

/** The README's targets.yaml, pointed at loopback: hosts pinned, the proxy a closed local port, the key file made here. */
function loopbackTargets(keyFile: string, closed: number): string {
  const m = /```yaml\n(# targets\.yaml[\s\S]*?)```/.exec(README);
  if (!m) throw new Error('README has no targets.yaml example');
  return m[1]!
    .replace('  timeout: 5s', '  timeout: 3s\n  resolve: [ "api.openai.com:443:127.0.0.1", "myres.openai.azure.com:443:127.0.0.1" ]')
    .replace('http://10.0.0.5:8080/v1', `http://127.0.0.1:${closed}/v1`)
    .replace('http://proxy.corp:3128', `http://127.0.0.1:${closed}`)
    .replace('gateway.corp:443:10.0.0.5', 'gateway.corp:443:127.0.0.1')
    .replace('/run/secrets/gateway-key', keyFile);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: Record<string, string>, until?: (stderr: string) => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until?.(stderr)) child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const HOSTS = ['api.openai.com', 'api.anthropic.com', 'myres.openai.azure.com'];

describe("the README's commands, run as written against loopback", () => {
  let dir: string;
  let env: Record<string, string>;
  let closed: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ud-readme-'));
    closed = await freePort();
    const keyFile = join(dir, 'gateway-key');
    writeFileSync(keyFile, 'sk-readme-gateway-key-0123456789\n', { mode: 0o600 });
    writeFileSync(join(dir, 'targets.yaml'), loopbackTargets(keyFile, closed));
    for (const [name, text] of Object.entries({
      'nginx.conf': 'events {}\nhttp {\n  server {\n    listen 8080;\n    location /v1/ {\n      proxy_pass https://api.openai.com;\n    }\n  }\n}\n',
      'envoy.yaml': 'static_resources:\n  listeners: []\n  clusters: []\n',
      'haproxy.cfg': 'defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 2s\nfrontend f\n  bind :8080\n  default_backend b\nbackend b\n  server s 127.0.0.1:9 check\n',
    })) writeFileSync(join(dir, name), text);
    env = { PATH: process.env.PATH!, HOME: process.env.HOME!, NO_COLOR: '1', AZURE_KEY: 'readme-azure-key-0123456789abcdef', OPENAI_API_KEY: 'sk-readme-openai-key-0123456789' };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const commands = readmeCommands();
  it('finds the commands (the opening examples, sampling, fleet, serve, lint, --explain)', () => {
    expect(commands.length).toBeGreaterThanOrEqual(15);
    for (const want of ['diagnose api.openai.com', 'diagnose --explain RESET_BEFORE_HEADERS', 'diagnose --config targets.yaml', 'diagnose serve --listen 127.0.0.1:9115 --config targets.yaml', 'diagnose lint haproxy.cfg --strict']) expect(commands).toContain(want);
  });

  it.each(commands)('%s', async (cmd) => {
    let args = cmd.split(/\s+/).slice(1);
    // Shortened, never changed in kind: samplings of a few seconds, a lint of a small file here.
    args = args.map((a, i) => (args[i - 1] === '--repeat' ? '3' : args[i - 1] === '--duration' ? '2s' : a === '/etc/nginx/nginx.conf' ? 'nginx.conf' : a));
    if (args[0] === 'lint') {
      const r = await run(args, dir, env);
      expect([0, 1], r.stderr).toContain(r.code);
      return;
    }
    if (args[0] === 'serve') {
      const port = await freePort();
      args = args.map((a) => (a === '127.0.0.1:9115' ? `127.0.0.1:${port}` : a));
      const r = await run(args, dir, env, (s) => s.includes('listening on'));
      expect(r.stderr).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(r.code, r.stderr).toBe(0); // SIGTERM drains and exits 0
      return;
    }
    const pins = args.includes('--config') || args.includes('--explain') ? [] : HOSTS.filter((h) => args.some((a) => a === h || a.includes(`//${h}`))).flatMap((h) => ['--resolve', `${h}:443:127.0.0.1`]);
    const extra = args.includes('--explain') ? [] : [...pins, '--timeout', '3s'];
    const r = await run([...args, ...extra], dir, env);
    expect(r.code, `${cmd}\n${r.stderr}`).not.toBe(2);
    expect(r.code, `${cmd}\n${r.stderr}`).not.toBe(3);
    expect(r.code).not.toBeNull();
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
    if (args.includes('--explain')) expect(r.stdout).toContain('RESET_BEFORE_HEADERS');
    if (args.includes('--config')) expect(r.stdout).toMatch(/target\s+verdict\s+exit/);
  }, 120_000);

  it("the opening line's run: node bin/diagnose.js api.openai.com", async () => {
    const first = README.split('\n').find((l) => l.startsWith('npm ci && node bin/diagnose.js'))!;
    const args = first.replace(/\s+#.*$/, '').split('&&')[1]!.trim().split(/\s+/).slice(2);
    expect(args).toEqual(['api.openai.com']);
    const r = await run([...args, '--resolve', 'api.openai.com:443:127.0.0.1', '--timeout', '3s'], dir, env);
    expect([0, 1, 2, 3]).not.toContain(r.code);
    expect(r.stdout).toMatch(/api\.openai\.com/);
  });
});

// The example's schema check: test/unit/fleet-config.test.ts; promtool over the scrape config: serve-prometheus.test.ts.
describe("the README's install text", () => {
  it("the tarball's name and the runtime dependencies are as package.json says", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
    const tgz = `${pkg.name}-${pkg.version}.tgz`;
    expect(README).toContain(`npm pack                                  # -> ${tgz}`);
    expect(README).toContain(`npm install -g --omit=dev ./${tgz}`);
    const deps = Object.keys(pkg.dependencies);
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    expect(README).toContain(`fetches the ${words[deps.length]} runtime dependencies`);
    const table = README.slice(README.indexOf('## Dependencies'), README.indexOf('## Development'));
    for (const d of deps) expect(table).toContain(`| ${d} |`);
    // And no row for a package that is no longer a dependency.
    const rows = [...table.matchAll(/^\| ([a-z][a-z0-9-]*) \|/gm)].map((m) => m[1]!).filter((n) => n !== 'package');
    expect(rows.sort()).toEqual([...deps].sort());
  });
});
