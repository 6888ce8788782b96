/**
 * Held-out review of the proxy stage against real daemons configured as corporate networks really
 * configure them, different from the suite's own squid tests: a second implementation (tinyproxy:
 * ACL, Basic auth, ConnectPort, default-deny filter, upstream down), Squid's stock SSL_ports rule,
 * Squid failing to reach or to resolve the target, Squid offering only NTLM or only Digest, an
 * https:// proxy URL given for a plain Squid, and a web server (nginx) mistaken for a proxy.
 *
 * Safety: targets are IP literals or names under .test that only Squid resolves, from its own hosts
 * file (its DNS points at 127.0.0.1, where nothing answers). tinyproxy lets only 127.0.0.1 through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, nginxPath } from '../../fixtures/nginx.js';
import { squidUnavailable, startSquid, type SquidFixture, type SquidMode } from '../../fixtures/squid.js';
import { closedPort } from '../../fixtures/tcp-servers.js';
import { startTinyproxy, tinyproxyUnavailable, type TinyproxyFixture, type TinyproxyMode } from '../../fixtures/tinyproxy.js';
import { startTlsServer, TEST_CA_PATH, type TlsFixture } from '../../fixtures/tls-server.js';
import { cleanEnv, runCli, stageOf, type CliRun } from '../helpers/cli.js';

const args = ['--json', '--ca', TEST_CA_PATH, '--timeout', '5s'];
let upstream: TlsFixture;
let closed: { port: number; close(): Promise<void> };
const started: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  upstream = await startTlsServer();
  closed = await closedPort();
});
afterAll(async () => {
  await Promise.all(started.map((f) => f.close()));
  await upstream?.close();
  await closed?.close();
}, 60_000);

const target = () => `https://127.0.0.1:${upstream.port}/v1`;
const root = (run: CliRun) => run.report!.diagnoses.find((d) => d.code === run.report!.rootCause)!;

function noSecret(run: CliRun, ...secrets: string[]): void {
  for (const s of secrets) expect(run.stdout + run.stderr).not.toContain(s);
}

const tinyUnavailable = tinyproxyUnavailable();
describe.skipIf(tinyUnavailable !== undefined)(`real tinyproxy${tinyUnavailable ? ` (skipped: ${tinyUnavailable})` : ''}`, () => {
  const tp: Partial<Record<TinyproxyMode, TinyproxyFixture>> = {};
  beforeAll(async () => {
    const modes: TinyproxyMode[] = ['allow', 'acl-deny', 'auth', 'connect-port'];
    const fixtures = await Promise.all(modes.map((m) => startTinyproxy(m, { user: 'alice', password: 'Tiny_p.ss-1' })));
    modes.forEach((m, i) => (tp[m] = fixtures[i]));
    started.push(...fixtures);
  }, 60_000);

  it('Allow list without this client: 403 "Access denied" -> PROXY_REFUSED, policy, named tinyproxy, its reason quoted', async () => {
    const run = await runCli([target(), ...args, '--proxy', tp['acl-deny']!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d).toMatchObject({ code: 'PROXY_REFUSED', origin: 'forward-proxy', owner: 'network', retry: 'no' });
    expect(d.details).toMatchObject({ status: 403, refusal: 'policy', intermediary: 'tinyproxy' });
    expect(d.evidence.join('\n')).toMatch(/has not configured it to service requests from your host/);
    expect(run.code).toBe(13);
  });

  it('BasicAuth without credentials: a real 407 offering Basic -> PROXY_AUTH_REQUIRED', async () => {
    const run = await runCli([target(), ...args, '--proxy', tp.auth!.url], { env: cleanEnv() });
    expect(root(run).details).toMatchObject({ status: 407, schemes: ['Basic'], credentialsSent: false, intermediary: 'tinyproxy' });
    expect(run.code).toBe(13);
  });

  it('BasicAuth with the right credentials in lower-case https_proxy: the tunnel opens, nothing printed', async () => {
    // (tinyproxy's config only takes [-A-Za-z0-9_.] passwords; special characters are tried with Squid below.)
    const env = cleanEnv({ https_proxy: `http://alice:Tiny_p.ss-1@127.0.0.1:${tp.auth!.port}` });
    const run = await runCli([target(), ...args], { env });
    expect(stageOf(run.report!, 'proxy').status).toBe('pass');
    expect(run.report!.target).toMatchObject({ via: 'proxy', proxy: `http://127.0.0.1:${tp.auth!.port}` });
    expect(run.code).toBe(0);
    noSecret(run, 'Tiny_p.ss-1', Buffer.from('alice:Tiny_p.ss-1').toString('base64'));
  });

  it('ConnectPort 443 only, tunnel asked for another port: PROXY_REFUSED that names the port rule', async () => {
    const run = await runCli([target(), ...args, '--proxy', tp['connect-port']!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d.details).toMatchObject({ status: 403, refusal: 'policy', targetPort: upstream.port });
    const ev = d.evidence.join('\n');
    expect(ev).toContain(`port ${upstream.port}, not 443`);
    expect(ev).toMatch(/CONNECT method not allowed with the port/);
    expect(run.code).toBe(13);
  });

  it('the target refuses tinyproxy: "500 Unable to connect" is the proxy failing to reach it, worth a retry', async () => {
    const run = await runCli([`https://127.0.0.1:${closed.port}/v1`, ...args, '--proxy', tp.allow!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d).toMatchObject({ code: 'PROXY_REFUSED', retry: 'yes', owner: 'network' });
    expect(d.details).toMatchObject({ status: 500, refusal: 'upstream' });
    expect(d.evidence.join('\n')).toContain(`could not reach 127.0.0.1:${closed.port}`);
    expect(run.code).toBe(13);
  });

  it('a host outside its filter: "403 Filtered" -> PROXY_REFUSED, policy (the API name never resolved by anyone)', async () => {
    const run = await runCli(['https://api.openai.com/v1', ...args, '--proxy', tp.allow!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d.details).toMatchObject({ status: 403, statusText: 'Filtered', refusal: 'policy', intermediary: 'tinyproxy' });
    expect(stageOf(run.report!, 'dns').data).toMatchObject({ source: 'literal' });
    expect(run.code).toBe(13);
  });
});

const squidOff = squidUnavailable('ntlm') ?? squidUnavailable('digest') ?? squidUnavailable('auth');
const SPECIAL = 'p@ss:w/rd%';
describe.skipIf(squidOff !== undefined)(`real squid, held-out configurations${squidOff ? ` (skipped: ${squidOff})` : ''}`, () => {
  const sq: Partial<Record<SquidMode, SquidFixture>> = {};
  beforeAll(async () => {
    const modes: SquidMode[] = ['allow', 'ssl-ports', 'names', 'ntlm', 'digest', 'auth'];
    const fixtures = await Promise.all(modes.map((m) => startSquid(m, { user: 'bob', password: m === 'auth' ? SPECIAL : 'Dig-3st' })));
    modes.forEach((m, i) => (sq[m] = fixtures[i]));
    started.push(...fixtures);
  }, 90_000);

  it("Debian's stock SSL_ports rule: CONNECT to a non-443 port is a real 403 ERR_ACCESS_DENIED, and the port is named", async () => {
    const run = await runCli([target(), ...args, '--proxy', sq['ssl-ports']!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d).toMatchObject({ code: 'PROXY_REFUSED', retry: 'no', owner: 'network' });
    expect(d.details).toMatchObject({ status: 403, refusal: 'policy', intermediary: 'squid', targetPort: upstream.port });
    const ev = d.evidence.join('\n');
    expect(ev).toContain(`port ${upstream.port}, not 443`);
    expect(ev).toContain('http_access rule');
    expect(run.code).toBe(13);
  });

  it('the target refuses Squid: 503 ERR_CONNECT_FAIL 111 -> PROXY_REFUSED, upstream, errno decoded, retry yes', async () => {
    const run = await runCli([`https://127.0.0.1:${closed.port}/v1`, ...args, '--proxy', sq.allow!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d).toMatchObject({ code: 'PROXY_REFUSED', retry: 'yes', owner: 'network', origin: 'forward-proxy' });
    expect(d.details).toMatchObject({ status: 503, refusal: 'upstream', squidError: 'ERR_CONNECT_FAIL 111', upstreamErrno: 111 });
    expect(d.evidence.join('\n')).toContain('ECONNREFUSED');
    expect(run.code).toBe(13);
  });

  it('Squid cannot resolve the API name (its DNS is dead): the proxy failing, not a policy, retry yes', async () => {
    const run = await runCli([`https://api.nowhere.test:${upstream.port}/v1`, ...args, '--proxy', sq.names!.url], { env: cleanEnv() });
    const d = root(run);
    expect(d.code).toBe('PROXY_REFUSED');
    expect(d.retry).toBe('yes');
    expect(d.details).toMatchObject({ refusal: 'upstream', intermediary: 'squid' });
    expect(String(d.details.squidError)).toMatch(/^ERR_(DNS_FAIL|CANNOT_FORWARD)/);
    expect(d.evidence.join('\n')).toMatch(/that is: Squid .*(resolve|no address)/i);
    expect(run.code).toBe(13);
  });

  it('a name only Squid can resolve: the tunnel opens and TLS and HTTP run inside it', async () => {
    const run = await runCli([`https://api.test:${upstream.port}/v1`, ...args, '--proxy', sq.names!.url], { env: cleanEnv() });
    expect(stageOf(run.report!, 'proxy').status).toBe('pass');
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(run.code).toBe(0);
    expect(sq.names!.accessLog()).toContain(`api.test:${upstream.port}`);
  });

  it('NTLM only, user:password in the URL: 407 says Basic can never work here, not that the password is wrong', async () => {
    const run = await runCli([target(), ...args, '--proxy', `http://bob:Ntlm-s3cret@127.0.0.1:${sq.ntlm!.port}`], { env: cleanEnv() });
    const d = root(run);
    expect(d.details).toMatchObject({ status: 407, schemes: ['NTLM'], credentialsSent: true, basicOffered: false, intermediary: 'squid' });
    const ev = d.evidence.join('\n');
    expect(ev).toContain('does not accept Basic');
    expect(ev).not.toContain('sent and refused');
    expect(d.remediation.map((r) => r.text).join('\n')).toMatch(/cntlm|px/);
    noSecret(run, 'Ntlm-s3cret');
    expect(run.code).toBe(13);
  });

  it('Digest only: the same, and the scheme is listed', async () => {
    const run = await runCli([target(), ...args, '--proxy', `http://bob:Dig-3st@127.0.0.1:${sq.digest!.port}`], { env: cleanEnv() });
    const d = root(run);
    expect(d.details).toMatchObject({ status: 407, schemes: ['Digest'], basicOffered: false });
    expect(d.remediation[0]!.text).toContain('Digest');
    noSecret(run, 'Dig-3st');
  });

  it('a password with @ : / % in it, percent-encoded in HTTPS_PROXY: Squid accepts it, no format prints it', async () => {
    const env = cleanEnv({ HTTPS_PROXY: `http://bob:${encodeURIComponent(SPECIAL)}@127.0.0.1:${sq.auth!.port}` });
    const json = await runCli([target(), ...args], { env });
    expect(stageOf(json.report!, 'proxy').status).toBe('pass');
    expect(json.code).toBe(0);
    for (const format of ['json', 'human', 'md', 'junit', 'openmetrics', 'github']) {
      const run = format === 'json' ? json : await runCli([target(), '--format', format, '--ca', TEST_CA_PATH, '--timeout', '5s'], { env });
      noSecret(run, SPECIAL, encodeURIComponent(SPECIAL), Buffer.from(`bob:${SPECIAL}`).toString('base64'));
    }
  });

  it('the same password unencoded: not a URL, the run goes direct, the hint names percent-encoding, nothing echoed', async () => {
    const run = await runCli([target(), ...args], { env: cleanEnv({ HTTPS_PROXY: `http://bob:${SPECIAL}@127.0.0.1:${sq.auth!.port}` }) });
    const d = run.report!.diagnoses.find((x) => x.code === 'PROXY_ENV_INVALID')!;
    expect(d.evidence.join('\n')).toContain('percent-encoded');
    expect(run.report!.target.via).toBe('direct');
    noSecret(run, SPECIAL, 'w/rd');
  });

  it('https:// written for a plain Squid: the proxy TLS handshake fails as not-TLS, retry no', async () => {
    const run = await runCli([target(), ...args, '--proxy', `https://127.0.0.1:${sq.allow!.port}`], { env: cleanEnv() });
    const d = root(run);
    expect(d.code).toBe('PROXY_UNREACHABLE');
    expect(d.details).toMatchObject({ phase: 'proxy-tls', tls: 'not-tls' });
    expect(d.retry).toBe('no');
    expect(d.evidence.join('\n')).toContain('plain http:// proxy');
    expect(run.code).toBe(13);
  });
});

describe.skipIf(!nginxPath())('a web server mistaken for the proxy', () => {
  it('HTTPS_PROXY points at nginx: its answer to CONNECT is read as "not a forward proxy", owner you', async () => {
    const nginx = await startNginx({ server: 'location / { return 200 "intranet\\n"; }' });
    started.push(nginx);
    const run = await runCli([target(), ...args], { env: cleanEnv({ HTTPS_PROXY: nginx.url }) });
    const d = root(run);
    expect(d.code).toBe('PROXY_REFUSED');
    expect(d.details).toMatchObject({ refusal: 'unsupported', intermediary: 'nginx' });
    expect(d).toMatchObject({ owner: 'you', retry: 'no' });
    expect(run.code).toBe(13);
  });
});
