/**
 * The human report as a person sees it: the built CLI in a real terminal (tmux, 80 columns, a
 * UTF-8 locale), captured from the screen and compared with a golden text (timings, ports and
 * versions normalised). Also: every line fits 80 columns, no word is cut, the live checklist is
 * gone from the screen at the end, and TERM=dumb gives ASCII marks.
 */
import { spawnSync, execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/tcp-servers.js';
import { startFlaky, thirtyPercent } from '../../fixtures/flaky-servers.js';
import { startNodeKeepalive } from '../../fixtures/keepalive-servers.js';

const ROOT = join(__dirname, '..', '..');
const GOLDEN = join(ROOT, 'test', 'golden', 'human-refused-80.txt');
const execFileAsync = promisify(execFile);
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `ud-test-${process.pid}`;
const KEY = 'sk-tmux-R4nD0mK3yV4lu3Xq9w';

/** Run a command in a detached 80-column tmux window (60 rows unless told) and return the screen once it is done. */
function inTmux(command: string, env: Record<string, string>, rows = 60): string {
  const name = `w${Math.random().toString(36).slice(2, 8)}`;
  const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  const script = `cd '${ROOT}' && env -i PATH="$PATH" HOME="$HOME" ${vars} ${command}; tmux -L ${SOCKET} wait-for -S ${name}-done; sleep 30`;
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '80', '-y', String(rows), 'bash', '-c', script]);
  execFileSync('tmux', ['-L', SOCKET, 'wait-for', `${name}-done`], { timeout: 60_000 });
  const screen = execFileSync('tmux', ['-L', SOCKET, 'capture-pane', '-p', '-t', name, '-S', '0', '-E', String(rows - 1)], { encoding: 'utf8' });
  execFileSync('tmux', ['-L', SOCKET, 'kill-session', '-t', name]);
  return screen.replace(/\s+$/, '\n');
}

/**
 * The same, waiting without blocking this process: for fixture servers that live in it (the
 * synchronous wait would stop them from answering).
 */
async function inTmuxAsync(command: string, env: Record<string, string>, rows = 60): Promise<string> {
  const name = `w${Math.random().toString(36).slice(2, 8)}`;
  const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  const script = `cd '${ROOT}' && env -i PATH="$PATH" HOME="$HOME" ${vars} ${command}; tmux -L ${SOCKET} wait-for -S ${name}-done; sleep 30`;
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '80', '-y', String(rows), 'bash', '-c', script]);
  await execFileAsync('tmux', ['-L', SOCKET, 'wait-for', `${name}-done`], { timeout: 60_000 });
  const screen = execFileSync('tmux', ['-L', SOCKET, 'capture-pane', '-p', '-t', name, '-S', '0', '-E', String(rows - 1)], { encoding: 'utf8' });
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

  /**
   * A sampled run and a keep-alive run: every line fits, no word is cut, the legend breaks between
   * its items, and the screen matches its golden text with timings, times of day, request ids and
   * ports normalised. Measured values change the width of a few lines from run to run, so the
   * golden comparison is of the words (whitespace runs, line breaks included, count as one space);
   * the line-by-line checks above it hold the layout.
   */
  function checkScreen(screen: string, golden: string, port: number): void {
    const lines = screen.split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    for (let i = 1; i < lines.length; i++) {
      if (/^ {5,}\S/.test(lines[i]!) && /[a-z]$/.test(lines[i - 1]!)) expect(`${lines[i - 1]} ${lines[i]!.trim()}`.length).toBeGreaterThan(80 - 15);
    }
    const got = normalise(screen, port)
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
      .replace(/req_[0-9a-f]+/g, 'REQ')
      .replace(/^( {2}(?:dns|tcp|tls|request|firstByte|total) +)[\d.s ]+$/gm, '$1Q');
    const file = join(ROOT, 'test', 'golden', golden);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, got);
    const words = (t: string) => t.replace(/\s+/g, ' ').trim();
    expect(words(got)).toBe(words(readFileSync(file, 'utf8')));
  }

  it('a sampled run (--repeat 20 against a server that resets 3 of 10): strip, legend and table fit', async () => {
    const f = await startFlaky({ reset: thirtyPercent });
    try {
      const screen = await inTmuxAsync(`node bin/diagnose.js http://127.0.0.1:${f.port}/v1 --provider openai-compatible --allow-insecure-key --repeat 20 --interval 10ms`, { LANG: 'C.UTF-8', TERM: 'xterm-256color', OPENAI_API_KEY: KEY }, 150);
      expect(screen).not.toContain(KEY);
      // The legend: each item whole on its line, lines broken between items.
      const legend = screen.split('\n').filter((l) => /^ {2}(▁ passed|[A-Za-z5] \S)/.test(l) && l.includes(' · '));
      expect(legend.length, screen).toBeGreaterThanOrEqual(2);
      expect(legend.map((l) => l.trim()).join(' ')).toContain('▁ passed · R reset/closed · T timeout · L rate limit · 5 gateway/5xx · A auth');
      expect(legend.map((l) => l.trim()).join(' ')).toMatch(/r passed after a retry$/);
      // No separator stranded on a line of its own.
      expect(screen).not.toMatch(/^\s*·\s*$/m);
      expect(screen).toMatch(/^ {2}[▁Rr]{20}$/m);
      checkScreen(screen, 'human-samples-80.txt', f.port);
    } finally {
      await f.close();
    }
  }, 90_000);

  it('a keep-alive run (Node keepAliveTimeout 1 s): the keep-alive block and the finding fit', async () => {
    const f = await startNodeKeepalive(1000);
    try {
      const screen = await inTmuxAsync(`node bin/diagnose.js http://127.0.0.1:${f.port}/v1 --provider openai-compatible --keepalive --timeout 3s`, { LANG: 'C.UTF-8', TERM: 'xterm-256color' }, 150);
      expect(screen).toMatch(/^keep-alive\n {2}closed: the far side closes idle connections after /m);
      expect(screen).toContain('STALE_KEEPALIVE');
      expect(screen).not.toMatch(/^\s*·\s*$/m);
      // Each trial whole on its line: a time and its result are never split.
      expect(screen).not.toMatch(/ s$\n {4}(answered|closed|reset|no answer)/m);
      checkScreen(screen, 'human-keepalive-80.txt', f.port);
    } finally {
      await f.close();
    }
  }, 90_000);

  it('TERM=dumb: ASCII marks only', () => {
    const screen = inTmux(`node bin/diagnose.js 127.0.0.1:${port} --timeout 2s`, { LANG: 'C.UTF-8', TERM: 'dumb' });
    expect(screen).toMatch(/^ {2}x tcp/m);
    // eslint-disable-next-line no-control-regex
    expect(screen.replace(/[\x00-\x7f]/g, '')).toBe('');
  });
});
