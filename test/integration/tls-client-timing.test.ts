/**
 * Against a real TLS server on loopback: the human report's timings show the client's own
 * handshake work (`tls (client)`) beside the handshake, the figure the JSON report holds, within
 * 80 columns.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTlsServer, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { assertValidReport } from '../helpers/schema.js';

const keep = closeAfterAll();
const dir = mkdtempSync(join(tmpdir(), 'ud-tls-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('human timings: tls (client)', () => {
  it('a completed handshake: a tls (client) bar with the JSON figure, every line within 80 columns', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const json = join(dir, 'report.json');
    const run = await runCli([`https://localhost:${s.port}/v1`, '--resolve', `localhost:${s.port}:127.0.0.1`, '--provider', 'openai-compatible', '--ca', TEST_CA_PATH, '--timeout', '3s', '--output', json], { env: cleanEnv() });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assertValidReport(report);
    const tls = report.stages.find((x: { id: string }) => x.id === 'tls');
    expect(tls.status, run.stdout).toBe('pass');
    const client = tls.data.timings.handshakeClient as number;
    expect(typeof client).toBe('number');
    const shown = client < 10 ? client.toFixed(1) : String(Math.round(client));
    const hand = tls.durationMs - client;
    const handShown = hand < 10 ? hand.toFixed(1) : String(Math.round(hand));
    const block = /\ntimings\n((?: {2}.*\n)+)/.exec(run.stdout)?.[1];
    expect(block, run.stdout).toBeDefined();
    expect(block).toMatch(new RegExp(`^ {2}tls handshake +${handShown.replace('.', '\\.')} ms │[█ ]+│\\n {2}tls \\(client\\) +${shown.replace('.', '\\.')} ms │[█ ]+│$`, 'm'));
    for (const l of run.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
  });
});
