/**
 * Steps that fit the evidence, through the CLI against real loopback servers: an Envoy reset of
 * one family gets that family's advice only, and Traefik's own answers (written the way Go's
 * net/http writes them) are recognised and get Traefik's steps.
 */
import { describe, expect, it } from 'vitest';
import { startCanned } from '../../fixtures/http-api.js';
import { CANNED } from '../../fixtures/http-bodies.js';
import type { Diagnosis } from '../../src/report.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const KEY = 'sk-steps-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const track = closeAfterAll();
const env = () => cleanEnv({ OPENAI_API_KEY: KEY });
const steps = (d: Diagnosis) => d.remediation.map((r) => `[${r.who}] ${r.text} ${r.command ?? ''}`).join('\n');

describe('Envoy resets through the CLI: the family decides the steps', () => {
  it('remote connection failure (refused): connection-failure steps, no keep-alive or circuit-breaker advice', async () => {
    const srv = await track(startCanned(CANNED['envoy.reset.remote-refused']));
    const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: env() });
    expect(run.code).toBe(17);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'UPSTREAM_RESET_REPORTED', origin: 'gateway', details: { resetFamily: 'connect-failure', transportFamily: 'refused', retried: true } });
    const text = steps(d);
    expect(text).toMatch(/For a connection failure/);
    expect(text).toContain('grep -E " (UF|URX) "');
    expect(text).not.toMatch(/termination|overflow|circuit|\[provider\]/i);
    expect(run.stdout).not.toContain(KEY);
  });

  it('overflow: the circuit-breaker steps, no connection-failure advice', async () => {
    const srv = await track(startCanned(CANNED['envoy.reset.overflow']));
    const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: env() });
    const text = steps(run.report!.diagnoses[0]!);
    expect(text).toMatch(/circuit-breaker limits/);
    expect(text).toMatch(/\[you\] For overflow: send fewer requests/);
    expect(text).not.toMatch(/For a connection failure|keep-alive race/);
  });

  it('the human report prints only the fitting steps', async () => {
    const srv = await track(startCanned(CANNED['envoy.reset.termination']));
    const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible'], { env: env() });
    expect(run.code).toBe(17);
    expect(run.stdout).toMatch(/keep-alive race/);
    expect(run.stdout).not.toMatch(/For overflow|For a connection failure/);
  });
});

describe("Traefik's own answers", () => {
  // Go's http.Error: text/plain; charset=utf-8, nosniff, and a trailing newline.
  const noServer = { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: 'no available server\n' };
  // Traefik's proxy error handler: the bare reason phrase, sniffed by Go as text/plain.
  const badGateway = { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Bad Gateway' };

  it('503 "no available server": BAD_GATEWAY written by traefik, its health-check step', async () => {
    const srv = await track(startCanned(noServer));
    const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: env() });
    expect(run.code).toBe(17);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', retry: 'yes', details: { intermediary: 'traefik', status: 503 } });
    expect(d.evidence.join('\n')).toMatch(/every server of the service failed its health check/);
    expect(steps(d)).toMatch(/Traefik: check the service's servers/);
    expect(steps(d)).not.toMatch(/nginx|HAProxy|Envoy/);
  });

  it('502 "Bad Gateway": BAD_GATEWAY written by traefik', async () => {
    const srv = await track(startCanned(badGateway));
    const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: env() });
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', details: { intermediary: 'traefik' } });
  });

  it('the same words from a non-Go server (no text/plain; charset=utf-8) are not taken for Traefik', async () => {
    const srv = await track(startCanned({ ...badGateway, headers: { 'content-type': 'text/html' } }));
    const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: env() });
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('BAD_GATEWAY');
    expect(d.details.intermediary).not.toBe('traefik');
    expect(steps(d)).not.toMatch(/Traefik/);
  });
});
