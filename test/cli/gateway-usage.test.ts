/** --gateway's options: bad input is one line on stderr, exit 2; the note before probing someone else's host. */
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';

describe('--gateway usage errors', () => {
  it.each([
    [['api.openai.com', '--gateway', '--burst', '0'], /--burst: 0 is out of range; give 1 to 50/],
    [['api.openai.com', '--gateway', '--burst', '51'], /--burst: 51 is out of range/],
    [['api.openai.com', '--gateway', '--burst', 'lots'], /--burst: "lots" is not a number/],
    [['api.openai.com', '--gateway', '--burst', '-3'], /--burst/],
    [['api.openai.com', '--gateway', '--origin', 'garbage'], /--origin: "garbage" is not an origin/],
    [['api.openai.com', '--gateway', '--origin', 'https://app.example.com/path'], /not an origin/],
    [['api.openai.com', '--gateway', '--origin', 'ftp://app.example.com'], /not an origin/],
    [['api.openai.com', '--gateway', '--origin', 'https://u:p@app.example.com'], /not an origin/],
    [['api.openai.com', '--gateway', '--origin', ''], /not an origin/],
    [['api.openai.com', '--gateway', '--http-port', '0'], /--http-port: port 0 is out of range/],
    [['api.openai.com', '--gateway', '--ws-idle', 'forever'], /--ws-idle/],
    [['api.openai.com', '--gateway', '--ws-idle', '100ms'], /--ws-idle: "100ms" is too short/],
    [['api.openai.com', '--burst', '10'], /--burst needs --gateway/],
    [['api.openai.com', '--origin', 'https://a.example'], /--origin needs --gateway/],
    [['wss://u:p@api.openai.com/v1/realtime', '--gateway'], /credentials/],
    [['gopher://api.openai.com', '--gateway'], /scheme "gopher"/],
  ])('%j', async (argv, message) => {
    const r = await runCli(argv as string[], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^diagnose: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a wss:// target is no longer a usage error', async () => {
    // Pinned to a closed loopback port: the run fails at tcp, but it runs.
    const r = await runCli(['wss://gw.example.test:1/ws', '--resolve', 'gw.example.test:1:127.0.0.1', '--json', '--timeout', '1s'], { env: cleanEnv() });
    expect(r.code).toBe(11);
    expect(r.report!.target.url).toBe('wss://gw.example.test:1/ws');
  });

  it("notes on stderr, not stdout, that --gateway leaves 4xx lines on a host that is not evidently the user's; not for loopback or a private pin", async () => {
    // A public address pinned, but reached through a dead loopback proxy: no packet leaves this machine.
    const viaDeadProxy = ['--proxy', 'http://127.0.0.1:1', '--json', '--timeout', '500ms'];
    const pub = await runCli(['gw.example.test:1', '--resolve', 'gw.example.test:1:1.1.1.1', '--gateway', ...viaDeadProxy], { env: cleanEnv() });
    expect(pub.stderr).toMatch(/note: --gateway probes gw\.example\.test .*4xx lines/);
    expect(pub.stdout).not.toMatch(/4xx lines/);
    expect(pub.report).toBeDefined();
    const mtu = await runCli(['gw.example.test:1', '--resolve', 'gw.example.test:1:1.1.1.1', '--mtu', ...viaDeadProxy], { env: cleanEnv() });
    expect(mtu.stderr).toMatch(/note: --mtu probes/);
    const own = await runCli(['gw.example.test:1', '--resolve', 'gw.example.test:1:127.0.0.1', '--gateway', '--json', '--timeout', '1s'], { env: cleanEnv() });
    expect(own.stderr).not.toMatch(/4xx lines/);
    const priv = await runCli(['10.255.255.1:1', '--gateway', ...viaDeadProxy], { env: cleanEnv() });
    expect(priv.stderr).not.toMatch(/4xx lines/);
  });
});
