/** GitHub Actions annotations: one per diagnosis, and server text can never inject a command. */
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, renderGithub } from '../../src/render/github.js';
import { buildReport, failingReport, healthyReport } from '../helpers/reports.js';

/** The workflow commands the runner would read: lines starting (after blanks) with `::`. */
const commands = (text: string) => text.split('\n').filter((l) => /^\s*::/.test(l));

/** Decode a message as the runner does. */
const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

describe('github annotations', () => {
  it('one ::error:: per error and ::warning:: per warning, root cause first', () => {
    const text = renderGithub(failingReport());
    const cmds = commands(text);
    expect(cmds.map((c) => /^::(\w+)/.exec(c)![1])).toEqual(['error', 'warning', 'group', 'endgroup']);
    expect(cmds[0]).toMatch(/^::error title=TCP_REFUSED \(tcp%2C root cause\)::The connection was refused%0A- RST in answer to SYN/);
    expect(cmds[1]).toMatch(/^::warning title=DNS_HOSTS_OVERRIDE \(dns\)::The hosts file pins this name/);
    const message = unescape(cmds[0]!.slice(cmds[0]!.indexOf('::', 2) + 2));
    expect(message).toContain('\n1. Check that the host and port');
    expect(message).toContain('more: diagnose --explain TCP_REFUSED');
    expect(text.trimEnd().split('\n').pop()).toBe('upstream-doctor FAILED for https://api.openai.com/v1 in 812 ms · exit 11 · root cause TCP_REFUSED');
  });

  it('a healthy run has no annotation, only the stage group and the verdict', () => {
    const text = renderGithub(healthyReport());
    expect(commands(text).map((c) => c.split('::')[1])).toEqual(['group', 'endgroup']);
    expect(text).toContain('http   pass  15 ms  200 OK in 180 ms');
    expect(text).toMatch(/upstream-doctor OK for https:\/\/api\.openai\.com\/v1 in 812 ms · exit 0\n$/);
  });

  it('information is a ::notice::, a bug of the tool an ::error:: of its own', () => {
    const r = buildReport({ internalErrors: [{ stage: 'http', message: 'TypeError: x' }] });
    r.diagnoses.push({ ...failingReport().diagnoses[1]!, severity: 'info' });
    const cmds = commands(renderGithub(r));
    expect(cmds[0]).toMatch(/^::notice title=DNS_HOSTS_OVERRIDE/);
    expect(cmds[1]).toMatch(/^::error title=upstream-doctor internal error \(http\)::TypeError: x%0AThis is a bug/);
  });

  it('hostile text cannot start a workflow command or break a line', () => {
    const text = renderGithub(failingReport());
    // Exactly the commands we emit: the server's "::error::injected" stays inside a message.
    expect(commands(text)).toHaveLength(4);
    expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(text).toContain('100%25%0D%0A::error::injected');
  });

  it.each([
    ['50% done\r\nnext', '50%25 done%0D%0Anext'],
    ['bell\u0007', 'bell'],
  ])('escapeData(%j)', (input, want) => {
    expect(escapeData(input)).toBe(want);
  });

  it('escapes the title property', () => {
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });
});

describe('github: the --keepalive and --gateway sections', () => {
  it('a keep-alive probe without findings is a ::notice::; not run, a ::notice:: with the reason; one line each', () => {
    const r = buildReport();
    r.keepalive = { outcome: 'survived', idleMaxSeconds: 3, replyWaitMs: 1000, budgetMs: 5000, survivedSeconds: 3, trials: [{ role: 'ladder', idleSeconds: 3, result: 'answered', status: 200 }], durationMs: 3100 };
    const line = renderGithub(r).split('\n').find((l) => l.includes('title=keep-alive'));
    expect(line).toBe('::notice title=keep-alive%3A survived::survived: a connection idle for 3 s was still answered (the longest idle time tried: 3 s)%0Alongest idle answered: 3 s%0Alongest idle tried: 3 s%0Atrials: 3 s answered (200)');
    r.keepalive = { skipped: 'the http stage failed\n::add-mask::x' };
    const skipped = renderGithub(r).split('\n').filter((l) => l.includes('keep-alive'));
    expect(skipped).toEqual(['::notice title=keep-alive%3A not run::the http stage failed%0A::add-mask::x']);
  });

  it('gateway checks not run: a ::notice:: with the reason; absent sections: no annotation', () => {
    const r = buildReport();
    expect(renderGithub(r)).not.toMatch(/keep-alive|gateway checks/);
    r.gateway = { skipped: 'the target is not reachable' };
    expect(renderGithub(r)).toContain('::notice title=gateway checks%3A not run::the target is not reachable\n');
  });
});
