import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { startScriptServer, type ScriptOptions } from '../../fixtures/sse-script.js';
import { CERT_DIR, TEST_CA_PATH, INTERCEPT_ROOT_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import { startNginx } from '../../fixtures/nginx.js';
import { startHaproxy } from '../../fixtures/haproxy.js';
import { startTinyproxy } from '../../fixtures/tinyproxy.js';
import { startSquid } from '../../fixtures/squid.js';
import { startCanned, startOpenAiCompatible } from '../../fixtures/http-api.js';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { startH2Server, H2 } from '../../fixtures/h2-servers.js';
import { startSseServer } from '../../fixtures/sse-server.js';
import type { Fixture } from '../../fixtures/types.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, runCli, type CliRun } from '../helpers/cli.js';

const KEY = 'sk-proj-Rf4Tg7Yh2Jk9Lm3Nb6Vc8Xz1';
const started: Fixture[] = [];
afterEach(async () => { await Promise.all(started.splice(0).map((f) => f.close())); });
const pem = (n: string) => readFileSync(join(CERT_DIR, n), 'utf8');
function show(name: string, run: CliRun) {
  const r = run.report as Report | undefined;
  const lines = [`### ${name}: exit ${run.code} root ${r?.rootCause} verdict ${r?.verdict}`];
  if (!r) lines.push(run.stderr.slice(0, 400));
  for (const s of r?.stages ?? []) lines.push(`  ${s.id} ${s.status}: ${s.summary}`);
  for (const d of r?.diagnoses ?? []) lines.push(`  * ${d.code} ${d.severity} ${d.stage} origin=${d.origin} owner=${d.owner} retry=${d.retry}: ${d.title}\n      ${d.evidence.join('\n      ')}`);
  console.log(lines.join('\n'));
}
async function keep<T extends Fixture>(p: Promise<T>) { const f = await p; started.push(f); return f; }


const diag = (url: string, extra: string[] = []) => runCli([`${url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '6s', '--json', ...extra], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });


describe('batch3', () => {
  const irun = (args: string[], ms: number) => { const ac = new AbortController(); setTimeout(() => ac.abort(), ms); return runCli(args, { env: cleanEnv({ OPENAI_API_KEY: KEY }), interrupt: ac.signal }); };
  it('ctrl-c repeat', async () => {
    const s = await keep(startSseServer({ mode: 'no-headers' }));
    const r = await irun([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--repeat', '20', '--interval', '100ms', '--stream', '--timeout', '10s', '--json'], 2500);
    show('I1 ctrl-c repeat', r); console.log(JSON.stringify(r.report?.samples ?? (r.report as any)?.sample)?.slice(0, 1500));
  });
  it('ctrl-c keepalive', async () => {
    const api = await keep(startOpenAiCompatible({}));
    const r = await irun([`${api.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--keepalive', '--timeout', '20s', '--json'], 2500);
    show('I2 ctrl-c keepalive', r); console.log(JSON.stringify((r.report as any)?.keepalive)?.slice(0, 1500));
  });
  it('ctrl-c gateway', async () => {
    const hang = await keep(startSseServer({ mode: 'no-headers' }));
    const r = await irun([`${hang.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--gateway', '--timeout', '20s', '--json'], 2500);
    show('I3 ctrl-c gateway', r); console.log(JSON.stringify((r.report as any)?.gateway)?.slice(0, 1500));
  });
});
