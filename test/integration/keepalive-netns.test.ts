/**
 * --keepalive in a namespace lab whose router forgets idle flows (conntrack established timeout
 * 2 s, inside the router namespace): dropped silently -> IDLE_CONNECTION_DROPPED (exit 14);
 * rejected with a reset -> STALE_KEEPALIVE (rst-on-reuse); a server that closes idle connections
 * itself (FIN through the router) -> STALE_KEEPALIVE (fin). The silent drop is told apart from a close.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KA_LAB_PORT, KA_LAB_SERVER, keepaliveLabUnavailable, startKeepaliveLab, type KeepaliveLab, type KeepaliveLabOptions } from '../../fixtures/keepalive-lab.js';
import type { KeepaliveSection } from '../../src/net/keepalive/section.js';
import type { Report } from '../../src/report.js';
import { assertValidReport } from '../helpers/schema.js';

const CLI = fileURLToPath(new URL('../../bin/diagnose.js', import.meta.url));
const why = await keepaliveLabUnavailable();
let lab: KeepaliveLab | undefined;
let n = 0;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function labRun(opts: KeepaliveLabOptions): Promise<{ code: number; report: Report; k: KeepaliveSection }> {
  lab = await startKeepaliveLab(`ka${process.pid.toString(36)}${n++}`, opts);
  const r = await lab.execInClient([process.execPath, CLI, `http://${KA_LAB_SERVER}:${KA_LAB_PORT}/v1`, '--provider', 'openai-compatible', '--json', '--keepalive', '--timeout', '3s']);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr.slice(0, 600)}`);
  }
  assertValidReport(report);
  return { code: r.code, report, k: report.keepalive as KeepaliveSection };
}

describe.skipIf(why !== undefined)(`--keepalive in a forgetful-firewall lab${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(() => {
    // The CLI runs from dist/ inside the client namespace: `npx tsc -p tsconfig.json` first.
    if (!existsSync(fileURLToPath(new URL('../../dist/net/keepalive/probe.js', import.meta.url)))) throw new Error('dist/ is not built: run npx tsc -p tsconfig.json');
  });

  it('the router forgets the idle flow and drops its packets: the reuse hangs -> IDLE_CONNECTION_DROPPED, exit 14', async () => {
    const { code, report, k } = await labRun({ forgotten: 'drop', conntrackSeconds: 2 });
    expect(k.outcome).toBe('dropped');
    expect(k.closedBy).toBeUndefined();
    // Reuses within the conntrack timeout were answered; one after it was not.
    expect(k.survivedSeconds!).toBeLessThan(2.2);
    expect(k.droppedAfterSeconds!).toBeGreaterThan(1.8);
    expect(k.droppedAfterSeconds!).toBeLessThanOrEqual(3.1);
    expect(k.trials.some((t) => t.role === 'control' && t.result === 'answered')).toBe(true);
    expect(report.rootCause).toBe('IDLE_CONNECTION_DROPPED');
    expect(report.diagnoses[0]).toMatchObject({ code: 'IDLE_CONNECTION_DROPPED', severity: 'error', stage: 'http', origin: 'network', details: { idleSeconds: k.droppedAfterSeconds } });
    expect(code).toBe(14);
  }, 60_000);

  it('the router forgets the flow but answers with a reset: a close, not a drop -> STALE_KEEPALIVE (rst-on-reuse)', async () => {
    const { code, report, k } = await labRun({ forgotten: 'reject', conntrackSeconds: 2 });
    expect(k.outcome).toBe('closed');
    expect(k.closedBy).toBe('rst-on-reuse');
    expect(k.idleTimeoutSeconds!).toBeGreaterThan(1.8);
    expect(k.idleTimeoutSeconds!).toBeLessThanOrEqual(3.1);
    expect(report.diagnoses.filter((d) => d.severity !== 'info').map((d) => d.code)).toEqual(['STALE_KEEPALIVE']);
    expect(code).toBe(0);
  }, 60_000);

  it('the server closes idle connections after 1 s (+ Node\'s buffer), well before the router forgets them: STALE_KEEPALIVE (fin)', async () => {
    const { code, k } = await labRun({ forgotten: 'drop', conntrackSeconds: 30, serverKeepAliveMs: 1000 });
    expect(k).toMatchObject({ outcome: 'closed', closedBy: 'fin' });
    expect(k.idleTimeoutSeconds!).toBeLessThan(2.6);
    expect(code).toBe(0);
  }, 60_000);
});
