/** Real HAProxy in front of fixture upstreams: the classifier meets its real pages and timeouts. */
import { describe, expect, it } from 'vitest';
import { freePort } from '../../fixtures/daemon.js';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { startRawServer } from '../../fixtures/http-servers.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const KEY = 'sk-hap-91b2c3d4e5f60718293a4b5c6d7e8f90';
const available = haproxyPath() !== undefined;
const track = closeAfterAll();

// .ci/run installs haproxy; only a machine where it cannot be installed skips.
describe.skipIf(!available)('haproxy in front of fixture upstreams', () => {
  it('healthy upstream behind haproxy: exit 0', async () => {
    const api = await track(startOpenAiCompatible({ key: KEY }));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${api.port}`] }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.code).toBe(0);
    expect(stageOf(run.report!, 'http').data).toMatchObject({ status: 200 });
  });

  it('timeout server 1s on a hanging upstream: its real 504 -> GATEWAY_TIMEOUT, haproxy, gateway, exit 17', async () => {
    const up = await track(startRawServer('hang'));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${up.port}`], defaults: 'timeout server 1s' }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '8s']);
    expect(run.code).toBe(17);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', retry: 'no', details: { status: 504, intermediary: 'haproxy' } });
  });

  it('no server in the backend: its real 503 -> BAD_GATEWAY, haproxy', async () => {
    const hap = await track(startHaproxy({ servers: [] }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', details: { status: 503, intermediary: 'haproxy' } });
  });

  it('an upstream that resets: its real 502 -> BAD_GATEWAY, haproxy', async () => {
    const up = await track(startRawServer('reset'));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${up.port}`] }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', details: { status: 502, intermediary: 'haproxy' } });
  });

  it('an upstream that is down: BAD_GATEWAY or 503 page, attributed to haproxy', async () => {
    const dead = await freePort();
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${dead}`], defaults: 'timeout connect 500ms' }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', details: { intermediary: 'haproxy' } });
  });
});
