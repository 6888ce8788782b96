/**
 * The env stage: what in this machine's environment shapes the path before a packet leaves.
 * It decides the forward proxy for the run (ctx.state.proxy) and reports the variables and files
 * that change how Node programs connect. Reads ctx.env (injected), never process.env.
 *
 * data: {
 *   proxy: { via, reason, from?, proxy?, considered[], noProxy? },
 *   variables: { [name]: value with credentials removed },
 *   nodeTlsRejectUnauthorized?, nodeOptionsTls[], nodeUseEnvProxy?,
 *   caFiles: [{ variable, path, readable, certificates?, problem? }],
 *   hosts: [{ address, line }], nameservers[], search[],
 *   node, undici
 * }
 */
import { stat } from '../safe-io/fs-async.js';
import { CA_BUNDLE_MAX, readCapped } from '../safe-io/read-capped.js';
import { envFindings, type EnvFacts } from '../diagnose/env-rules.js';
import { readHosts, hostsEntriesFor } from '../net/dns/hosts.js';
import { caseConflicts, chooseProxy, displayProxy, isLocalHost, parseProxyUrl, proxyCredentials, PROXY_VARIABLES } from '../net/proxy/env.js';
import { DEFAULT_RESOLV_CONF, readResolvConf } from '../net/dns/resolvconf.js';
import { notMeasuredSummary, resolvConfNotMeasured } from '../platform/not-measured.js';
import { UNDICI_VERSION } from '../version.js';
import { keyShape, rawKeyValue } from '../diagnose/key/shape.js';
import { keyShapeFinding } from '../diagnose/key/finding.js';
import type { RunContext, Stage, StageOutcome } from './types.js';
import { urlKeyFinding, urlKeys } from '../redact/url-key.js';

/** A variable's value safe to print: proxy URLs lose their credentials; NO_PROXY lists stay as they are. */
export function safeValue(name: string, value: string): string {
  if (name.toLowerCase() === 'no_proxy') return value;
  const p = parseProxyUrl(value);
  return p.ok ? displayProxy(p.url) : `(not a proxy URL, ${value.length} characters)`;
}

/** Every credential in any proxy variable or --proxy goes to the redactor before anything prints. */
function registerSecrets(ctx: RunContext): void {
  for (const k of urlKeys(ctx.config.target.query)) ctx.redactor.add(k.value);
  const values = [ctx.config.proxy, ...PROXY_VARIABLES.filter((n) => !n.toLowerCase().startsWith('no_')).map((n) => ctx.env[n])];
  for (const v of values) {
    if (!v) continue;
    const p = parseProxyUrl(v);
    const creds = p.ok ? proxyCredentials(p.url) : undefined;
    if (!creds) continue;
    ctx.redactor.add(creds.password);
    ctx.redactor.addCredential(creds.user, creds.password);
    ctx.redactor.add(creds.basic);
    ctx.redactor.add(p.ok ? `${p.url.username}:${p.url.password}` : undefined);
    // The user name alone is not registered: it is no secret, and scrubbing a common word (a proxy
    // user "doctor") would mangle unrelated output ("upstream-[REDACTED]"). No output prints it:
    // proxies are always shown by their display URL, which has no credentials.
  }
}

const NODE_TLS_FLAGS = /^--(tls-|use-openssl-ca|use-bundled-ca|use-system-ca|openssl-|enable-fips|force-fips|secure-heap)/;

/** The TLS-related flags in NODE_OPTIONS. */
export function nodeOptionsTlsFlags(nodeOptions: string | undefined): string[] {
  if (!nodeOptions) return [];
  return nodeOptions.split(/\s+/).filter((f) => NODE_TLS_FLAGS.test(f));
}

/** What a CA file variable points at; never throws, reads at most 4 MiB. */
async function inspectCaFile(variable: string, path: string): Promise<Record<string, unknown>> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) return { variable, path, readable: true, directory: true };
    if (st.size > 4 * 1024 * 1024) return { variable, path, readable: true, problem: `${st.size} bytes: too large to be a CA bundle` };
    // A FIFO or device is read with a size and a time cap: it never hangs the run or grows it.
    const text = (await readCapped(path, { maxBytes: CA_BUNDLE_MAX, timeoutMs: 2000 })).toString('utf8');
    const certificates = text.split('-----BEGIN CERTIFICATE-----').length - 1;
    return { variable, path, readable: true, certificates, ...(certificates === 0 ? { problem: 'holds no PEM certificate' } : {}) };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    return { variable, path, readable: false, problem: code === 'ENOENT' ? 'the file does not exist (Node ignores it with a warning)' : code };
  }
}

async function observe(ctx: RunContext) {
  const env = ctx.env;
  const t = ctx.config.target;
  const decision = chooseProxy(
    { scheme: t.scheme, host: t.host, port: t.port, explicit: ctx.config.proxy, ignoreEnv: ctx.config.noProxy },
    env,
  );
  const variables: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) {
    const v = env[name];
    if (v !== undefined && v !== '') variables[name] = safeValue(name, v);
  }
  const conflicts = caseConflicts(env).map((c) => ({ ...c, lowerValue: variables[c.lower] ?? '', upperValue: variables[c.upper] ?? '' }));
  const caFiles = await Promise.all(
    (['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const).filter((n) => env[n]).map((n) => inspectCaFile(n, env[n]!)),
  );
  // The same test hooks as the dns stage: tests point both stages at files of their own.
  const resolvPath = env.UPSTREAM_DOCTOR_RESOLV_CONF || DEFAULT_RESOLV_CONF;
  const [hosts, resolv] = await Promise.all([readHosts(env.UPSTREAM_DOCTOR_HOSTS_FILE || undefined), readResolvConf(resolvPath)]);
  return { decision, variables, conflicts, caFiles, hosts: hostsEntriesFor(hosts, t.host), resolv, notMeasured: resolvConfNotMeasured(resolvPath, resolv.unreadable) };
}

export const envStage: Stage = {
  id: 'env',
  shouldRun: () => ({ run: true }),
  async run(ctx): Promise<StageOutcome> {
    registerSecrets(ctx);
    const o = await observe(ctx);
    const env = ctx.env;
    const facts: EnvFacts = {
      host: ctx.config.target.host,
      hostIsLocal: isLocalHost(ctx.config.target.host),
      decision: o.decision,
      conflicts: o.conflicts,
      tlsRejectUnauthorized: env.NODE_TLS_REJECT_UNAUTHORIZED,
    };
    const findings = envFindings(facts);
    // How the key is written: re-read from its source (never kept, never printed; only its shape).
    const rawKey = await rawKeyValue(ctx.config.keySource, env);
    const issues = rawKey ? keyShape(rawKey.raw, rawKey.fromFile) : [];
    if (rawKey && issues.length > 0) {
      ctx.state.keyShape = { issues, where: rawKey.where };
      findings.push(keyShapeFinding(issues, rawKey.where));
    }
    const inUrl = urlKeyFinding(ctx.config.target.query, ctx.config.provider);
    if (inUrl) findings.push(inUrl);
    const d = o.decision;
    if (d.proxy) ctx.state.proxy = { ...d.proxy, ...(ctx.state.ca !== undefined ? { ca: ctx.state.ca } : {}) };

    const data: Record<string, unknown> = {
      proxy: {
        via: d.proxy ? 'proxy' : 'direct',
        reason: d.reason,
        ...(d.from ? { from: d.from } : {}),
        ...(d.proxy ? { proxy: d.proxy.display } : {}),
        considered: d.considered,
        ...(d.noProxy ? { noProxy: d.noProxy } : {}),
      },
      variables: o.variables,
      ...(env.NODE_TLS_REJECT_UNAUTHORIZED !== undefined ? { nodeTlsRejectUnauthorized: env.NODE_TLS_REJECT_UNAUTHORIZED } : {}),
      nodeOptionsTls: nodeOptionsTlsFlags(env.NODE_OPTIONS),
      ...(env.NODE_USE_ENV_PROXY !== undefined ? { nodeUseEnvProxy: env.NODE_USE_ENV_PROXY } : {}),
      caFiles: o.caFiles,
      hosts: o.hosts.map((h) => ({ address: h.address, line: h.line })),
      nameservers: o.resolv.nameservers,
      search: o.resolv.search,
      node: process.version,
      ...(UNDICI_VERSION ? { undici: UNDICI_VERSION } : {}),
      ...(o.notMeasured.length > 0 ? { notMeasured: o.notMeasured } : {}),
    };
    const parts = [
      d.proxy ? `via ${d.proxy.display} (${d.from})` : d.reason,
      o.resolv.unreadable === undefined ? `${o.resolv.nameservers.length} nameserver(s)` : notMeasuredSummary(o.notMeasured),
      o.hosts.length > 0 ? `hosts file pins ${ctx.config.target.host}` : undefined,
      `Node ${process.version}${UNDICI_VERSION ? `, undici ${UNDICI_VERSION}` : ''}`,
    ].filter(Boolean);
    return { status: findings.length > 0 ? 'warn' : 'pass', summary: parts.join('; '), data, findings };
  },
};
