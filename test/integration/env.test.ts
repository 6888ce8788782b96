/** The env stage through the CLI: what it reads from the injected environment and the files it names. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { squidConfig } from '../../fixtures/squid.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ud-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Nothing listens on 127.0.0.1:9: the run fails at tcp, which is all these tests need.
const target = 'https://127.0.0.1:9/v1';

describe('env stage', () => {
  it('reports versions, nameservers, hosts entries, CA files and TLS flags from the injected environment', async () => {
    const hosts = join(dir, 'hosts');
    const resolv = join(dir, 'resolv.conf');
    const ca = join(dir, 'extra.pem');
    writeFileSync(hosts, '127.0.0.1 localhost\n127.0.0.1 api.openai.com # pinned\n');
    writeFileSync(resolv, 'nameserver 127.0.0.53\nnameserver ::1\nsearch corp.example\n');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const env = cleanEnv({
      UPSTREAM_DOCTOR_HOSTS_FILE: hosts,
      UPSTREAM_DOCTOR_RESOLV_CONF: resolv,
      NODE_EXTRA_CA_CERTS: ca,
      SSL_CERT_FILE: join(dir, 'missing.pem'),
      NODE_OPTIONS: '--max-old-space-size=512 --use-openssl-ca',
    });
    const run = await runCli(['https://api.openai.com/v1', '--json', '--timeout', '2s', '--resolve', 'api.openai.com:443:127.0.0.1'], { env });
    const data = stageOf(run.report!, 'env').data;
    expect(data).toMatchObject({
      nameservers: ['127.0.0.53', '::1'],
      search: ['corp.example'],
      hosts: [{ address: '127.0.0.1', line: 2 }],
      nodeOptionsTls: ['--use-openssl-ca'],
      node: process.version,
      proxy: { via: 'direct' },
    });
    expect(typeof data.undici).toBe('string');
    expect(data.caFiles).toEqual([
      { variable: 'NODE_EXTRA_CA_CERTS', path: ca, readable: true, certificates: 1 },
      expect.objectContaining({ variable: 'SSL_CERT_FILE', readable: false }),
    ]);
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 is a loud warning of its own', async () => {
    const run = await runCli([target, '--json', '--timeout', '2s'], { env: cleanEnv({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }) });
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_VERIFY_DISABLED')!;
    expect(d).toMatchObject({ severity: 'warning', stage: 'env', origin: 'local', owner: 'you' });
    expect(stageOf(run.report!, 'env').status).toBe('warn');
  });

  it('a SOCKS proxy in the environment: PROXY_ENV_INVALID, the run goes direct, no credential printed', async () => {
    const run = await runCli([target, '--json', '--timeout', '2s'], { env: cleanEnv({ ALL_PROXY: 'socks5://alice:s3cret-socks@127.0.0.1:1080' }) });
    expect(codesOf(run.report!)).toContain('PROXY_ENV_INVALID');
    expect(run.report!.target.via).toBe('direct');
    expect(run.stdout).not.toContain('s3cret-socks');
  });

  it('the squid configurations never allow anything outside loopback', () => {
    for (const mode of ['allow', 'deny', 'auth'] as const) {
      const conf = squidConfig(mode, 3128, '/tmp/x').split('\n');
      const firstAccess = conf.find((l) => l.startsWith('http_access'));
      expect(firstAccess).toBe('http_access deny !loopback_dst');
      expect(conf).toContain('http_port 127.0.0.1:3128');
      expect(conf).toContain('dns_nameservers 127.0.0.1');
      expect(conf.at(-2)).toBe('http_access deny all');
    }
  });
});
