/**
 * The human report as a person sees it: the built CLI in a real terminal (tmux, 80 columns, a
 * UTF-8 locale), captured from the screen and compared with a golden text (timings, ports and
 * versions normalised). Also: every line fits 80 columns, no word is cut, the live checklist is
 * gone from the screen at the end, and TERM=dumb gives ASCII marks.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/tcp-servers.js';

const ROOT = join(__dirname, '..', '..');
const GOLDEN = join(ROOT, 'test', 'golden', 'human-refused-80.txt');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `ud-test-${process.pid}`;
const KEY = 'sk-tmux-R4nD0mK3yV4lu3Xq9w';

/** Run a command in a detached 80x60 tmux window and return the screen once it is done. */
function inTmux(command: string, env: Record<string, string>): string {
  const name = `w${Math.random().toString(36).slice(2, 8)}`;
  const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  const script = `cd '${ROOT}' && env -i PATH="$PATH" HOME="$HOME" ${vars} ${command}; tmux -L ${SOCKET} wait-for -S ${name}-done; sleep 30`;
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '80', '-y', '60', 'bash', '-c', script]);
  execFileSync('tmux', ['-L', SOCKET, 'wait-for', `${name}-done`], { timeout: 60_000 });
  const screen = execFileSync('tmux', ['-L', SOCKET, 'capture-pane', '-p', '-t', name, '-S', '0', '-E', '59'], { encoding: 'utf8' });
  execFileSync('tmux', ['-L', SOCKET, 'kill-session', '-t', name]);
  return screen.replace(/\s+$/, '\n');
}

/** Timings, the closed port, versions and the resolver count vary from run to run and machine to machine. */
function normalise(text: string, port: number): string {
  return text
    .replace(new RegExp(`\\b${port}\\b`, 'g'), 'PORT')
    .replace(/\d+(\.\d+)? (ms|s)\b/g, 'T')
    .replace(/Node v[\d.]+, undici [\d.]+/g, 'Node V, undici V')
    .replace(/\d+ nameserver\(s\)/g, 'N nameserver(s)')
    .replace(/│[█ ]*│/g, '│BAR│')
    .replace(/ +T/g, ' T')
    .replace(/T +│/g, 'T │');
}

describe.skipIf(!hasTmux)('the human report in a real 80-column terminal', () => {
  let port: number;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const s = await closedPort();
    port = s.port;
    close = () => s.close();
  });
  afterAll(async () => {
    await close?.();
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  });

  it('reads cleanly: matches the golden text, fits 80 columns, cuts no word, leaves no progress behind', () => {
    const cmd = `node bin/diagnose.js http://127.0.0.1:${port}/v1 --provider openai-compatible --allow-insecure-key --timeout 3s`;
    const screen = inTmux(cmd, { LANG: 'C.UTF-8', TERM: 'xterm-256color', OPENAI_API_KEY: KEY });
    const lines = screen.split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(screen).not.toContain(KEY);
    expect(screen).toMatch(/^key sk-…Xq9w from \$OPENAI_API_KEY$/m);
    // No checklist row survives (the pending rows start with "  · <stage>").
    expect(screen).not.toMatch(/^ {2}· (env|dns|tcp|proxy|tls|http|stream|mtu)$/m);
    const got = normalise(screen, port);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, got);
    expect(got).toBe(readFileSync(GOLDEN, 'utf8'));
    // A wrapped prose line ends with a whole word: every continuation starts under the text.
    for (let i = 1; i < lines.length; i++) {
      if (/^ {5,}\S/.test(lines[i]!) && /[a-z]$/.test(lines[i - 1]!)) expect(`${lines[i - 1]} ${lines[i]!.trim()}`.length).toBeGreaterThan(80 - 15);
    }
  });

  it('TERM=dumb: ASCII marks only', () => {
    const screen = inTmux(`node bin/diagnose.js 127.0.0.1:${port} --timeout 2s`, { LANG: 'C.UTF-8', TERM: 'dumb' });
    expect(screen).toMatch(/^ {2}x tcp/m);
    // eslint-disable-next-line no-control-regex
    expect(screen.replace(/[\x00-\x7f]/g, '')).toBe('');
  });
});
