/**
 * TLS facts -> findings. Pure: the handshake facts, the local clock and the server's Date come in
 * as values. Order of findings: interception first (it explains an untrusted chain), then dates,
 * host name, trust; the expiring-soon warning last.
 */
import type { CertInfo } from '../../net/tls/cert.js';
import type { SystemStoreCheck } from '../../net/tls/system-store.js';
import type { CaEnvProblem } from '../../net/tls/ca-env.js';
import type { HandshakeFacts } from '../../net/tls/probe.js';
import type { ProviderName } from '../../report.js';
import type { Finding } from '../../stages/types.js';
import { sniFor } from '../../net/dial.js';
import { formatHost } from '../../target.js';
import { describeFailure } from './failure.js';
import { matchInterceptor, type InterceptorMatch } from './interceptors.js';
import { chainShape, chainShapeLines, hostnameHints } from './explain.js';
import { isWellKnownApiHost } from '../well-known-hosts.js';
import { readVerifyError } from './verify-errors.js';
import { WEAK_SIGNATURES } from '../../net/tls/sigalg.js';

/** Everything the tls rules look at. */
export interface TlsFacts {
  host: string;
  port: number;
  provider: ProviderName;
  handshake: HandshakeFacts;
  /** The local clock, ms since the epoch. */
  nowMs: number;
  /** The server's Date (clock check), when one was asked for. */
  serverDate?: { date?: string; ms?: number; error?: string };
  /** --ca was given. */
  extraCa: boolean;
  /** The verified path ends at a root the user passed with --ca (their own choice of trust). */
  anchorFromCa?: boolean;
  /** The connection goes through a forward proxy's tunnel. */
  viaProxy: boolean;
  /** For an untrusted chain: whether the operating system's CA bundle holds its root. */
  systemStore?: SystemStoreCheck;
  /** The ALPN protocols offered (default h2, http/1.1). */
  alpnOffered?: string[];
  /** NODE_EXTRA_CA_CERTS / SSL_CERT_FILE naming a file that is missing or unreadable. */
  caEnv?: CaEnvProblem[];
}

/** A certificate expiring within this many days earns TLS_CERT_EXPIRING. */
export const EXPIRING_DAYS = 14;
/** Clocks further apart than this (seconds) count as disagreeing (as the contract's CLOCK_SKEW). */
export const SKEW_LIMIT_S = 60;
const DAY = 86_400_000;

/** OpenSSL verification codes that mean "no trusted root behind this chain". */
export const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
// A bad signature, a revoked certificate, a wrong purpose, a weak digest ... are not "no trusted
// root": they fall through to TLS_CERT_REJECTED with their own reading (verify-errors.ts).


/** Does a handshake need the server's Date to judge it (a certificate outside its window)? */
export function needsClockCheck(h: HandshakeFacts, nowMs: number): boolean {
  if (h.kind !== 'ok') return false;
  if (h.chainError === 'CERT_HAS_EXPIRED' || h.chainError === 'CERT_NOT_YET_VALID') return true;
  // A chain that verified has no date problem on its path: an old cross-sign beside it is no reason to ask.
  if (h.chainError === undefined) return false;
  return (h.chain ?? []).some((c) => outside(c, nowMs) !== undefined);
}

function outside(c: CertInfo, t: number): 'expired' | 'notyet' | undefined {
  if (t > Date.parse(c.validTo)) return 'expired';
  if (t < Date.parse(c.validFrom)) return 'notyet';
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const days = (ms: number) => Math.round(Math.abs(ms) / DAY);

/** What the clock check says about a certificate outside its window at the local time. */
function clockFinding(f: TlsFacts, cert: CertInfo, which: 'expired' | 'notyet'): Finding {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  const ago = which === 'expired' ? `it expired ${days(f.nowMs - to)} days before that` : `it becomes valid ${days(from - f.nowMs)} days after that`;
  const idx = (f.handshake.chain ?? []).indexOf(cert);
  const role = idx <= 0 ? 'the server certificate' : cert.selfSigned ? `the root CA certificate (chain[${idx}])` : `the intermediate CA certificate chain[${idx}] (the server's own certificate is in date: it serves an outdated chain file)`;
  const evidence = [`${role} ${cert.subject} is valid from ${cert.validFrom} to ${cert.validTo}; the local clock says ${iso(f.nowMs)}: ${ago}`];
  const h = f.handshake;
  if (h.chainError) evidence.push(`chain verification: ${h.chainError}`);
  const details: Record<string, unknown> = { subject: cert.subject, chainIndex: Math.max(0, idx), validFrom: cert.validFrom, validTo: cert.validTo, localTime: iso(f.nowMs) };
  const sd = f.serverDate;
  let clockWrong: boolean | undefined;
  if (sd?.ms !== undefined) {
    const skew = Math.round((f.nowMs - sd.ms) / 1000);
    const inWindow = sd.ms >= from && sd.ms <= to;
    clockWrong = Math.abs(skew) > SKEW_LIMIT_S && inWindow;
    details.serverDate = sd.date;
    details.clockSkewSeconds = skew;
    evidence.push(
      `the server's Date header says ${sd.date} (local clock ${skew >= 0 ? 'ahead' : 'behind'} by ${Math.abs(skew)} s): ` +
        (clockWrong ? 'by the server\'s clock the certificate is valid, so the local clock is wrong' : inWindow ? 'the certificate is valid by the server\'s time as well' : 'by the server\'s clock it is outside its validity too'),
    );
  } else {
    evidence.push(`the server's Date could not be read (${sd?.error ?? 'not asked'}); compare the local clock with a trusted source`);
  }
  details.clockWrong = clockWrong ?? null;
  const code = which === 'expired' ? 'TLS_CERT_EXPIRED' : 'TLS_CERT_NOT_YET_VALID';
  // The server's owner renews it: a provider only for the providers' own public names; a loopback or
  // private address, or any other name (whatever --provider says), is a server the user's side runs.
  const overrides =
    clockWrong === true
      ? { origin: 'local' as const, owner: 'you' as const }
      : clockWrong === false || !isWellKnownApiHost(f.host)
        ? { origin: 'unknown' as const, owner: isWellKnownApiHost(f.host) ? ('provider' as const) : ('gateway' as const) }
        : {};
  return { code, evidence, details, ...overrides, params: params(f) };
}

/**
 * Values for the catalogue's placeholders: host, port, hostPort, sniArg (` -servername host`, none
 * for IPs), systemBundle (the OS CA bundle to point Node at).
 */
function params(f: TlsFacts, extra: Record<string, string> = {}): Record<string, string | number> {
  return tlsParams(f.host, f.port, f.systemStore?.path, extra);
}

/** The placeholder values for a host and port (also for findings made outside decideTls). */
export function tlsParams(host: string, port: number, systemBundle?: string, extra: Record<string, string> = {}): Record<string, string | number> {
  const sni = sniFor(host);
  return {
    host,
    port,
    hostPort: `${formatHost(host)}:${port}`,
    sniArg: sni ? ` -servername ${sni}` : '',
    systemBundle: systemBundle ?? '/etc/ssl/certs/ca-certificates.crt',
    ...extra,
  };
}

const CA_ENV_PROBLEM: Record<CaEnvProblem['problem'], string> = {
  missing: 'which does not exist',
  unreadable: 'which cannot be read',
  directory: 'which is a directory, not a PEM file',
  empty: 'which holds no PEM certificate',
};

/** Evidence about CA variables that name a broken file, joined to an untrusted chain. */
function caEnvLines(f: TlsFacts): string[] {
  return (f.caEnv ?? []).map((p) =>
    p.variable === 'NODE_EXTRA_CA_CERTS'
      ? `NODE_EXTRA_CA_CERTS names ${p.path}, ${CA_ENV_PROBLEM[p.problem]}${p.code ? ` (${p.code})` : ''}: Node programs here start without the CA it was meant to add (Node only prints a warning at start-up), which is why they would not trust this chain either`
      : `SSL_CERT_FILE names ${p.path}, ${CA_ENV_PROBLEM[p.problem]}${p.code ? ` (${p.code})` : ''}: curl, Python and Node with --use-openssl-ca read their CA bundle from it, so they lose the trust it was meant to give`,
  );
}

function caEnvDetails(f: TlsFacts): Record<string, unknown> {
  const c = f.caEnv ?? [];
  return c.length > 0 ? { caEnvBroken: c.map((p) => ({ variable: p.variable, path: p.path, problem: p.problem })) } : {};
}

/** Evidence about the OS bundle for an untrusted chain (Node does not read it by default). */
function systemStoreLines(f: TlsFacts): string[] {
  const s = f.systemStore;
  if (!s) return [];
  return s.trusts
    ? [`the system CA bundle ${s.path} does hold this root (${s.matched}): curl and Python trust it, Node programs do not unless pointed at it`]
    : [`the system CA bundle ${s.path} does not hold this root either`];
}

function chainLines(chain: CertInfo[]): string[] {
  return chain.slice(0, 4).map((c, i) => `chain[${i}]: subject ${c.subject}; issuer ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`);
}

function interceptionFinding(f: TlsFacts, chain: CertInfo[], m: InterceptorMatch | undefined, trusted: boolean): Finding {
  const product = m?.product ?? 'an unidentified inspection proxy';
  const evidence = m
    ? [`the chain names ${m.product}: ${m.matched}`]
    : [`${f.host} is a public API whose certificates chain to a public root, but this chain does not (${f.handshake.chainError})`];
  evidence.push(...chainLines(chain));
  const trustedBy = f.extraCa ? 'with the --ca certificates' : "against Node's CA store";
  evidence.push(
    trusted
      ? `the chain verified ${trustedBy}, so this run got through; every program that lacks the forging root will fail`
      : `chain verification: ${f.handshake.chainError}`,
  );
  if (!trusted) evidence.push(...systemStoreLines(f), ...caEnvLines(f));
  const top = chain[chain.length - 1];
  const root = top?.selfSigned ? top : undefined;
  return {
    code: 'TLS_INTERCEPTED',
    evidence,
    details: {
      product: m?.product ?? 'unidentified',
      matched: m?.matched,
      trusted,
      rootSubject: root?.subject,
      rootSha256: root?.sha256,
      // The CA to ask IT for when the root itself was not sent: the top certificate's issuer.
      ...(root ? {} : { issuerOfTop: top?.issuer }),
      inSystemStore: f.systemStore?.trusts ?? null,
      ...(trusted ? {} : caEnvDetails(f)),
    },
    ...(trusted ? { severity: 'warning' as const } : {}),
    params: params(f, { product }),
  };
}

/** The chain as verified: the rebuilt path when there is one, else the chain Node reported. */
export function onPath(chain: CertInfo[], h: HandshakeFacts): CertInfo[] {
  const idx = h.verifiedPath?.indexes;
  if (!idx || idx.length === 0) return chain;
  const path = idx.map((i) => chain[i]).filter((c): c is CertInfo => c !== undefined);
  return path.length > 0 ? path : chain;
}

/** Certificates the server sent (or Node linked) that the verified path does not use, outside their dates. */
export function offPathOutOfDate(chain: CertInfo[], h: HandshakeFacts, nowMs: number): CertInfo[] {
  if (h.chainError !== undefined || !h.verifiedPath) return [];
  const path = new Set(onPath(chain, h));
  return chain.filter((c) => !path.has(c) && outside(c, nowMs) !== undefined);
}

/**
 * The reason behind a verify error. Node names some OpenSSL errors only "UNSPECIFIED" (CA_MD_TOO_WEAK
 * among them): a weak signature on a certificate below the root then names it.
 */
function reasonCode(code: string, chain: CertInfo[]): { reasonCode: string; weak?: CertInfo } {
  if (code !== 'UNSPECIFIED' && code !== 'CA_MD_TOO_WEAK') return { reasonCode: code };
  const weak = chain.find((c) => !c.selfSigned && c.signatureAlgorithm !== undefined && WEAK_SIGNATURES.has(c.signatureAlgorithm));
  return weak ? { reasonCode: 'CA_MD_TOO_WEAK', weak } : { reasonCode: code };
}

function rejectedFinding(f: TlsFacts, chain: CertInfo[]): Finding {
  const code = f.handshake.chainError!;
  const { reasonCode: why, weak } = reasonCode(code, chain);
  const reading = readVerifyError(why);
  const leaf = chain[0];
  return {
    code: 'TLS_CERT_REJECTED',
    evidence: [
      `chain verification: ${code}${why !== code ? ` (${why})` : ''}: ${reading.reason}`,
      ...(weak ? [`${weak === chain[0] ? 'the server certificate' : 'the CA certificate'} ${weak.subject} is signed with ${weak.signatureAlgorithm}`] : []),
      ...chainLines(chain),
      ...(leaf ? [`the server certificate ${leaf.subject} is itself in date (${leaf.validFrom} to ${leaf.validTo}): the refusal is about what the certificate is, not when`] : []),
      'Node and every client built on OpenSSL refuse this chain the same way; turning verification off is not the fix',
    ],
    details: { verifyError: code, reasonCode: why, reason: reading.reason, fix: reading.fix, extraCa: f.extraCa, ...(weak ? { weakSignature: weak.signatureAlgorithm, weakSubject: weak.subject } : {}) },
    ...(reading.fix === 'local' ? { origin: 'local' as const, owner: 'you' as const } : {}),
    params: params(f, { verifyError: code }),
  };
}

/** Findings for a completed handshake. */
function completedFindings(f: TlsFacts): Finding[] {
  const h = f.handshake;
  const chain = h.chain ?? [];
  const out: Finding[] = [];
  const untrusted = h.chainError !== undefined && UNTRUSTED_CODES.has(h.chainError);
  // The certificates OpenSSL really used: a cross-signed root the server also sends for old clients
  // is not on it (the 2021 Let's Encrypt shape), so neither its dates nor its names count.
  const path = onPath(chain, h);
  const match = matchInterceptor(path);
  // Only the providers' own host names are known to chain to a public root: never an IP literal,
  // localhost, or a host the user named a provider for with --provider. And a lone self-signed
  // leaf is a test or default certificate, not a product forging certificates for the name.
  const publicApi = isWellKnownApiHost(f.host);
  const loneSelfSigned = h.chainError === 'DEPTH_ZERO_SELF_SIGNED_CERT' || (chain.length === 1 && chain[0]!.selfSigned);
  const unnamedInterception = !match && untrusted && publicApi && !loneSelfSigned;
  // A chain that verified to a root the user passed with --ca is the trust they chose, even when
  // that root is an inspection product's: not a finding.
  const chosenRoot = match !== undefined && h.chainError === undefined && f.anchorFromCa === true;
  if ((match && !chosenRoot) || unnamedInterception) out.push(interceptionFinding(f, chain, match, h.chainError === undefined));

  // Dates: the first certificate on the verified path outside its window at the local time (the
  // leaf, usually). A chain that verified has none by definition; an off-path one is only noted.
  for (const which of ['notyet', 'expired'] as const) {
    const code = which === 'expired' ? 'CERT_HAS_EXPIRED' : 'CERT_NOT_YET_VALID';
    if (h.chainError === undefined) continue;
    const cert = path.find((c) => outside(c, f.nowMs) === which) ?? (h.chainError === code ? (chain.find((c) => outside(c, f.nowMs) === which) ?? chain[0]) : undefined);
    if (cert) out.push(clockFinding(f, cert, which));
  }
  if (h.hostname && !h.hostname.ok) {
    const leaf = chain[0];
    out.push({
      code: 'TLS_HOSTNAME_MISMATCH',
      evidence: [
        `the certificate does not cover ${f.host}: ${(h.hostname.reason ?? h.hostname.code ?? '').replace(/: $/, '')}`,
        ...(leaf ? [`it names ${leaf.sans.length > 0 ? leaf.sans.join(', ') : leaf.subject}`] : []),
        ...(leaf ? hostnameHints(f.host, leaf.sans) : []),
      ],
      details: { host: f.host, sans: leaf?.sans ?? [], subject: leaf?.subject, code: h.hostname.code },
      params: params(f),
    });
  }
  if (untrusted && !match && !unnamedInterception) {
    const shape = chainShape(chain, h.chainError);
    const top = chain[chain.length - 1];
    out.push({
      code: 'TLS_UNTRUSTED_CA',
      evidence: [
        `chain verification: ${h.chainError}${f.extraCa ? ' (with the --ca certificates added to the default store)' : ''}`,
        ...chainLines(chain),
        ...chainShapeLines(shape, chain.length),
        ...systemStoreLines(f),
        ...caEnvLines(f),
      ],
      details: {
        verifyError: h.chainError,
        extraCa: f.extraCa,
        rootSubject: shape.endsAtRoot ? top?.subject : undefined,
        chainLength: chain.length,
        ...(shape.missingIssuer ? { missingIssuer: shape.missingIssuer, incompleteChain: true } : {}),
        inSystemStore: f.systemStore?.trusts ?? null,
        ...caEnvDetails(f),
      },
      params: params(f),
    });
  }
  // Any other verify error still fails the stage, with its reason: the http stage would refuse the
  // same chain later and only report a transport error.
  const explained = untrusted || out.some((x) => x.code === 'TLS_CERT_EXPIRED' || x.code === 'TLS_CERT_NOT_YET_VALID' || x.code === 'TLS_INTERCEPTED');
  if (h.chainError !== undefined && !explained) out.push(rejectedFinding(f, chain));
  const leaf = chain[0];
  if (leaf && !out.some((x) => x.code === 'TLS_CERT_EXPIRED' || x.code === 'TLS_CERT_NOT_YET_VALID')) {
    const left = Date.parse(leaf.validTo) - f.nowMs;
    if (left >= 0 && left < EXPIRING_DAYS * DAY) {
      out.push({
        code: 'TLS_CERT_EXPIRING',
        evidence: [`certificate ${leaf.subject} expires on ${leaf.validTo}, in ${(left / DAY).toFixed(1)} days`],
        details: { validTo: leaf.validTo, daysLeft: Math.floor(left / DAY) },
        params: params(f),
      });
    }
  }
  return out;
}

/** All findings of the tls stage. */
export function decideTls(f: TlsFacts): Finding[] {
  if (f.handshake.kind === 'ok') return completedFindings(f);
  const failure = describeFailure(f.handshake, f.viaProxy, { sni: sniFor(f.host), alpn: f.alpnOffered ?? ['h2', 'http/1.1'] });
  return [{ ...failure, params: params(f) }];
}
