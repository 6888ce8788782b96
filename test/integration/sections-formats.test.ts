/**
 * The --keepalive and --gateway sections in every format, not only JSON: the human blocks, a
 * Markdown section each, JUnit testcases (one for the keep-alive probe, one per gateway check)
 * valid against the XSD (xmllint), and OpenMetrics families accepted by promtool. Real servers:
 * Node's http server with keepAliveTimeout 1 s, and the reference nginx setup (gateway-lab).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCUMENT, LAB_CA, LAB_KEY, LAB_ORIGIN, startGatewayLab, type GatewayLab } from '../../fixtures/gateway-lab.js';
import { startNodeKeepalive } from '../../fixtures/keepalive-servers.js';
import { nginxPath } from '../../fixtures/nginx.js';
import type { Fixture } from '../../fixtures/types.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { hasCommand, promtoolCheck, xmllintJunit } from '../helpers/consumers.js';
import { assertValidReport } from '../helpers/schema.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ud-sections-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--keepalive in every format (Node keepAliveTimeout 1 s)', () => {
  let node: Fixture;
  beforeAll(async () => {
    node = await startNodeKeepalive(1000);
  });
  afterAll(() => node.close());
  const args = (...more: string[]) => [`${node.url}/v1`, '--provider', 'openai-compatible', '--keepalive', '--timeout', '3s', ...more];

  it('human: the keep-alive block (outcome, idle timeout found, how it was closed, trials); the file beside it is valid JUnit', async () => {
    const xml = join(dir, 'keepalive.xml');
    const run = await runCli(args('--output', xml), { env: cleanEnv() });
    expect(run.stdout).toMatch(/\nkeep-alive\n {2}closed: the far side closes idle connections after [\d.]+ s \(a FIN while idle\)\n/);
    expect(run.stdout).toMatch(/\n {2}idle timeout found [\d.]+ s · longest idle answered [\d.]+ s/);
    expect(run.stdout).toMatch(/\n {2}\d+ trials?: [\d.]+ s /);
    for (const l of run.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
    const junit = readFileSync(xml, 'utf8');
    const v = xmllintJunit(junit);
    expect(v.status, v.output).toBe(0);
    expect(junit).toMatch(/<testsuite name="checks"[^>]* tests="1" failures="0"/);
    expect(junit).toMatch(/<testcase name="keepalive: closed"[^>]*><system-out>closed: the far side closes idle connections/);
  });

  it('md: a Keep-alive section with the trials; openmetrics: the idle timeout, accepted by promtool', async () => {
    const md = await runCli(args('--format', 'md'), { env: cleanEnv() });
    expect(md.stdout).toContain('### Keep-alive');
    expect(md.stdout).toMatch(/\| idle timeout found \| [\d.]+ s \|/);
    expect(md.stdout).toMatch(/\| closed by \| a FIN while idle \|/);
    expect(md.stdout).toMatch(/\| watch \| [\d.]+ s \| closed while idle \(FIN\) \|/);
    const prom = join(dir, 'keepalive.prom');
    const om = await runCli(args('--format', 'github', '--output', prom), { env: cleanEnv() });
    expect(om.code).toBe(0);
    const text = readFileSync(prom, 'utf8');
    if (hasCommand('promtool')) {
      const v = promtoolCheck(text);
      expect(v.status, v.output).toBe(0);
    }
    const t = /^upstream_doctor_keepalive_idle_timeout_seconds\{target="[^"]+"\} ([\d.]+)$/m.exec(text);
    expect(t, text).not.toBeNull();
    expect(Number(t![1])).toBeGreaterThanOrEqual(0.8);
    expect(Number(t![1])).toBeLessThanOrEqual(2.4); // 1 s + Node's own close buffer, ±20 %
    expect(text).toMatch(/^upstream_doctor_keepalive_outcome\{target="[^"]+",outcome="closed",closed_by="fin"\} 1$/m);
    expect(text).toMatch(/^upstream_doctor_keepalive_trials\{target="[^"]+"\} \d+$/m);
  });

  it('github: one ::warning:: for the keep-alive section (outcome, idle timeout, trials, its findings), on one line', async () => {
    const run = await runCli(args('--format', 'github'), { env: cleanEnv() });
    expect(run.code).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.includes('title=keep-alive'));
    expect(line, run.stdout).toBeDefined();
    expect(line).toMatch(/^::warning title=keep-alive%3A closed::closed: the far side closes idle connections after [\d.]+ s \(a FIN while idle\)%0Aidle timeout found: [\d.]+ s%0A/);
    expect(line).toMatch(/%0Atrials: [\d.]+ s closed while idle \(FIN\)( · [\d.]+ s answered \(200\))+%0Afindings: STALE_KEEPALIVE$/);
  });
});

describe.skipIf(nginxPath() === undefined)('--gateway in every format (the reference nginx setup as the document writes it)', () => {
  // nginx's limit_req zone keeps its count between runs: each run gets a lab of its own, so its burst meets the limit afresh.
  let lab: GatewayLab;
  beforeEach(async () => {
    lab = await startGatewayLab(DOCUMENT);
  });
  afterEach(() => lab.close());
  const args = (...more: string[]) => [lab.apiUrl, '--provider', 'openai-compatible', '--ca', LAB_CA, '--timeout', '5s', '--gateway', '--origin', LAB_ORIGIN, '--http-port', String(lab.httpPort), '--burst', '40', ...more];
  const env = () => ({ ...cleanEnv(), OPENAI_API_KEY: LAB_KEY });

  it('human: one line per check with its result; the JSON beside it is valid', async () => {
    const json = join(dir, 'gateway.json');
    const run = await runCli(args('--output', json), { env: env() });
    assertValidReport(JSON.parse(readFileSync(json, 'utf8')));
    const raw = /\ngateway\n((?: {2}.*\n)+)/.exec(run.stdout)?.[1];
    expect(raw, run.stdout).toBeDefined();
    // Continuation lines sit under the text (14 columns in): join them back for the checks.
    const block = raw!.replace(/\n {14}/g, ' ');
    expect(block).toMatch(/^ {2}! redirect {2}POST http:\/\/[^ ]+ -> 301 to https:\/\/[^\n]+\[REDIRECT_DROPS_METHOD\]$/m);
    expect(block).toMatch(/^ {2}! headers {3}.*HSTS not sent/m);
    expect(block).toMatch(/^ {2}✔ cors {6}preflight from https:\/\/app\.example\.test -> 204, allows https:\/\/app\.example\.test/m);
    expect(block).toMatch(/^ {2}✔ body {6}largest body accepted 10 MiB/m);
    expect(block).toMatch(/^ {2}- websocket {1}/m);
    expect(block).toMatch(/^ {2}! burst {5}40 requests in [\d.]+ s: .*503.*limited from request \d+ with 503, no Retry-After[\s\S]*\[RATE_LIMIT_WRONG_STATUS\]/m);
    // (The catalogue's nginx snippets are config, left unwrapped; the block itself fits.)
    for (const l of raw!.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
  });

  it('junit --strict: one testcase per check, the warned ones failed, valid against the XSD', async () => {
    const run = await runCli(args('--format', 'junit', '--strict'), { env: env() });
    expect(run.code).toBe(1);
    const v = xmllintJunit(run.stdout);
    expect(v.status, v.output).toBe(0);
    expect(run.stdout).toMatch(/<testsuite name="checks"[^>]* tests="6" failures="3" errors="0" skipped="1"/);
    expect(run.stdout).toMatch(/<testcase name="redirect"[^>]*><failure type="REDIRECT_DROPS_METHOD"/);
    expect(run.stdout).toMatch(/<testcase name="cors"[^>]*><system-out>/);
    expect(run.stdout).toMatch(/<testcase name="websocket"[^>]*><skipped/);
    expect(run.stdout).toMatch(/<testcase name="burst"[^>]*><failure type="RATE_LIMIT_WRONG_STATUS"/);
  });

  it('md: a Gateway checks table; openmetrics: each check, the largest body, the burst, accepted by promtool', async () => {
    const md = await runCli(args('--format', 'md'), { env: env() });
    await lab.close();
    lab = await startGatewayLab(DOCUMENT);
    expect(md.stdout).toContain('### Gateway checks');
    expect(md.stdout).toMatch(/^\| redirect \| warn \| POST http:.* \| `REDIRECT_DROPS_METHOD` \|$/m);
    expect(md.stdout).toMatch(/^\| body \| pass \| largest body accepted 10 MiB .* \|  \|$/m);
    const om = await runCli(args('--format', 'openmetrics'), { env: env() });
    if (hasCommand('promtool')) {
      const v = promtoolCheck(om.stdout);
      expect(v.status, v.output).toBe(0);
    }
    expect(om.stdout).toMatch(/^upstream_doctor_gateway_check\{target="[^"]+",check="redirect",result="warn"\} 1$/m);
    expect(om.stdout).toMatch(/^upstream_doctor_gateway_check\{target="[^"]+",check="cors",result="pass"\} 1$/m);
    expect(om.stdout).toMatch(/^upstream_doctor_gateway_check\{target="[^"]+",check="websocket",result="skip"\} 1$/m);
    expect(om.stdout).toMatch(/^upstream_doctor_gateway_body_largest_accepted_bytes\{target="[^"]+"\} 10485760$/m);
    expect(om.stdout).toMatch(/^upstream_doctor_gateway_rate_limit_status\{target="[^"]+",retry_after="no"\} 503$/m);
    expect(om.stdout).toMatch(/^upstream_doctor_gateway_burst_answers\{target="[^"]+",status="503"\} \d+$/m);
  });

  it('github: one ::warning:: for the gateway checks, counting the results, a line per check', async () => {
    const run = await runCli(args('--format', 'github'), { env: env() });
    const line = run.stdout.split('\n').find((l) => l.includes('title=gateway checks'));
    expect(line, run.stdout).toBeDefined();
    expect(line).toMatch(/^::warning title=gateway checks%3A 3 warn · 2 pass · 1 skip::/);
    const lines = line!.replace(/^::warning title=[^:]+::/, '').split('%0A');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^warn redirect: POST http:.* -> 301 to https:.*\[REDIRECT_DROPS_METHOD\]$/);
    expect(lines[2]).toMatch(/^pass cors: preflight from https:\/\/app\.example\.test -> 204/);
    expect(lines[4]).toMatch(/^skip websocket: /);
    expect(lines[5]).toMatch(/^warn burst: 40 requests in .*\[RATE_LIMIT_WRONG_STATUS\]$/);
  });
});
