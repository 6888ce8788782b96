import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { runStages } from '../../src/runner.js';
import { Redactor } from '../../src/secret.js';
import type { RunContext, Stage, StageOutcome } from '../../src/stages/types.js';

function ctx(): RunContext {
  return { config: buildConfig('127.0.0.1:9', {}), env: {}, redactor: new Redactor(), state: {}, now: () => performance.now(), results: {} };
}

const pass = (summary = 'ok'): StageOutcome => ({ status: 'pass', summary, data: {}, findings: [] });

function stage(id: Stage['id'], run: Stage['run'], shouldRun: Stage['shouldRun'] = () => ({ run: true })): Stage {
  return { id, run, shouldRun };
}

describe('runStages', () => {
  it('runs stages in order and records their results and findings', async () => {
    const order: string[] = [];
    const out = await runStages(
      [
        stage('env', async () => (order.push('env'), pass())),
        stage('dns', async () => {
          order.push('dns');
          return { status: 'fail', summary: 'nx', data: { x: 1 }, findings: [{ code: 'DNS_NXDOMAIN', evidence: ['e'] }] };
        }),
      ],
      ctx(),
      { budgetMs: 1000 },
    );
    expect(order).toEqual(['env', 'dns']);
    expect(out.stages.map((s) => [s.id, s.status])).toEqual([
      ['env', 'pass'],
      ['dns', 'fail'],
    ]);
    expect(out.findings).toEqual([{ code: 'DNS_NXDOMAIN', evidence: ['e'], stage: 'dns' }]);
  });

  it('skips a stage whose input is missing, with the reason', async () => {
    const out = await runStages([stage('tls', async () => pass(), () => ({ run: false, reason: 'tcp failed' }))], ctx(), { budgetMs: 1000 });
    expect(out.stages[0]).toMatchObject({ id: 'tls', status: 'skip', summary: 'skipped: tcp failed', data: { skipReason: 'tcp failed' } });
  });

  it('turns a thrown error into an internal error, and goes on', async () => {
    const out = await runStages(
      [
        stage('dns', async () => {
          throw new TypeError('boom');
        }),
        stage('tcp', async () => pass()),
      ],
      ctx(),
      { budgetMs: 1000 },
    );
    expect(out.internalErrors).toEqual([{ stage: 'dns', message: 'TypeError: boom' }]);
    expect(out.stages.map((s) => s.status)).toEqual(['fail', 'pass']);
  });

  it('aborts the signal at the deadline; a stage that honours it returns its own result', async () => {
    const out = await runStages(
      [
        stage('tls', (_c, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'fail', summary: 'timed out', data: {}, findings: [] })))),
      ],
      ctx(),
      { budgetMs: 300 },
    );
    expect(out.stages[0]).toMatchObject({ status: 'fail', summary: 'timed out' });
    expect(out.internalErrors).toEqual([]);
  });

  it('stops waiting for a stage that ignores its deadline (a bug: internal error)', async () => {
    const out = await runStages([stage('http', () => new Promise(() => undefined))], ctx(), { budgetMs: 200 });
    expect(out.stages[0]!.status).toBe('fail');
    expect(out.internalErrors[0]!.message).toMatch(/did not stop at its 200 ms deadline/);
  });

  it('an interrupt stops the current stage and skips the rest', async () => {
    const ac = new AbortController();
    const out = await runStages(
      [
        stage('dns', async () => {
          setTimeout(() => ac.abort(), 20);
          return new Promise(() => undefined);
        }),
        stage('tcp', async () => pass()),
      ],
      ctx(),
      { budgetMs: 5000, interrupt: ac.signal },
    );
    expect(out.interrupted).toBe(true);
    expect(out.stages.map((s) => [s.id, s.status])).toEqual([
      ['dns', 'skip'],
      ['tcp', 'skip'],
    ]);
  });

  it('shares state and earlier results with later stages', async () => {
    const out = await runStages(
      [
        stage('dns', async (c) => {
          c.state.addresses = [{ address: '127.0.0.1', family: 4, port: 9, source: 'literal' }];
          return pass();
        }),
        stage('tcp', async () => pass(), (c) => (c.state.addresses && c.results.dns?.status === 'pass' ? { run: true } : { run: false, reason: 'no' })),
      ],
      ctx(),
      { budgetMs: 1000 },
    );
    expect(out.stages[1]!.status).toBe('pass');
  });

  // Issue 11 item 8: what a stage says after Ctrl-C about the silence it saw is the interrupt's doing.
  it('a stage that returns after an interrupt is reported as interrupted; its timeout findings are dropped, the rest kept', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('SIGINT')), 50);
    const out = await runStages(
      [
        stage('tls', async (_c, signal) => {
          await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
          return {
            status: 'fail',
            summary: 'no handshake',
            data: {},
            findings: [
              { code: 'TLS_HANDSHAKE_TIMEOUT', evidence: ['no ServerHello'] },
              { code: 'TLS_CERT_EXPIRING', evidence: ['seen before the interrupt'] },
            ],
          };
        }),
        stage('http', async () => pass()),
      ],
      ctx(),
      { budgetMs: 5000, interrupt: interrupt.signal },
    );
    expect(out.interrupted).toBe(true);
    expect(out.findings.map((f) => f.code)).toEqual(['TLS_CERT_EXPIRING']);
    expect(out.stages[0]).toMatchObject({ id: 'tls', status: 'skip', data: { skipReason: 'interrupted', interrupted: true, droppedAsInterrupted: ['TLS_HANDSHAKE_TIMEOUT'] } });
    expect(out.stages[0]!.summary).toMatch(/^interrupted while running/);
    expect(out.stages[1]!.status).toBe('skip');
  });
});
