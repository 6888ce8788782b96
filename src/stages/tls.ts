/**
 * The tls stage: one handshake to the chosen address (on the tcp stage's connection when it is
 * still open, else a new one; or through the proxy tunnel) with SNI = the
 * host and ALPN as the http stage will speak (http/1.1; h2 first with --http2); the whole peer chain kept even when it does not verify; the chain
 * and the host name judged separately; a clock check when a certificate is outside its dates.
 *
 * data: {
 *   address, sni?, alpnOffered, alpn?, protocol?, cipher?,
 *   outcome: HandshakeKind,  error?: code,  verifyError?: OpenSSL's chain verdict,
 *   hostname?: { ok, code?, reason? },  chain?: CertInfo[] (leaf first),
 *   bytesWritten, bytesRead, firstBytes? (a failed handshake's first bytes from the peer),
 *   clock?: { local, server?, error? },
 *   verifiedPath?: { indexes, anchor? }   the path OpenSSL verified (indexes into chain, trusted issuer first)
 *   systemStore?: { path, trusts, matched? }   for an untrusted chain: is its root in the OS bundle,
 *   tcpStageConnection?: true   the handshake ran on the connection the tcp stage opened (timings.connect is then that stage's)
 *   trustCheck?: { by: 'anchor-check' }   the chain was verified without Node's root store (net/tls/anchor-check.ts)
 *     | { by: 'openssl', firstHandshake: why }   that check left it to OpenSSL: the handshake was made again with the full store
 *   timings: { connect, handshake, handshakeClient? }   ms. handshake: a completed handshake's network and
 *     server part, from our last write of each flight (the ClientHello first) to the arrival on the raw
 *     socket of the server's answering flight, summed over the flights (one in TLS 1.3, two in 1.2); a
 *     failed one: from the start to the outcome. handshakeClient (completed only): the client's own
 *     processing (ClientHello, key exchange, chain verification), the rest up to Node's secureConnect
 * }
 */
import { catalogueEntry } from '../diagnose/catalogue/index.js';
import { CODE_BY_OUTCOME } from '../diagnose/tcp-rules.js';
import { decideTls, needsClockCheck, offPathOutOfDate, tlsParams, UNTRUSTED_CODES } from '../diagnose/tls/rules.js';
import { preview } from '../diagnose/tls/failure.js';
import { openRaw, openRawTimed, sniFor, trustedCas } from '../net/dial.js';
import { anchorsFor } from '../net/tls/path.js';
import { matchInterceptor } from '../diagnose/tls/interceptors.js';
import { hasSecureContext, nodeExtraCas, secureContextFor } from '../net/tls/context.js';
import { anchorCheckAllowed, untrustingContext } from '../net/tls/anchor-check.js';
import { fetchServerDate, type ServerDate } from '../net/server-date.js';
import { checkSystemStore } from '../net/tls/system-store.js';
import { caEnvProblems } from '../net/tls/ca-env.js';
import { outcomeOf } from '../net/tcp-probe.js';
import { observeHandshake, type HandshakeFacts, type KeptConnection } from '../net/tls/probe.js';
import { formatHost } from '../target.js';
import { alpnFor } from '../net/http/alpn.js';
import { warmParser } from '../net/http/undici.js';
import { readAlert } from '../diagnose/tls/explain.js';
import type { Socket } from 'node:net';
import type { Finding, RunContext, Stage, StageOutcome } from './types.js';

/** The longest the clock check may take (it only runs when a certificate is outside its dates). */
const CLOCK_CHECK_MS = 3000;

const severityOf = (f: Finding) => f.severity ?? catalogueEntry(f.code)?.severity ?? 'error';

/** The raw connection could not be opened again although the tcp stage connected: say how. */
function reconnectFailure(ctx: RunContext, err: unknown, address: string, ms: number): StageOutcome {
  const { outcome, code } = outcomeOf(err);
  const evidence = [`re-opening the connection to ${address} for the handshake failed: ${outcome}${code ? ` (${code})` : ''} after ${Math.round(ms)} ms`];
  let finding: Finding;
  if (outcome === 'reset') finding = { code: 'TLS_HANDSHAKE_RESET', evidence, details: { kind: 'reset', code, bytesWritten: 0, bytesRead: 0 } };
  else if (outcome === 'timeout') finding = { code: 'TLS_HANDSHAKE_TIMEOUT', evidence, details: { connectTimeout: true, bytesWritten: 0, bytesRead: 0 } };
  else finding = { code: CODE_BY_OUTCOME[outcome as keyof typeof CODE_BY_OUTCOME] ?? 'TCP_UNREACHABLE', stage: 'tcp', evidence, details: { code } };
  finding.params = tlsParams(ctx.config.target.host, ctx.config.target.port);
  return { status: 'fail', summary: `could not re-open the connection to ${address}: ${outcome}`, data: { address, outcome: 'connect-failed', error: code, timings: { connect: ms } }, findings: [finding] };
}

function summaryOf(h: HandshakeFacts, findings: Finding[]): string {
  const timing = `${h.ms.toFixed(1)} ms`;
  if (h.kind !== 'ok') {
    const what = { timeout: 'did not finish in time', reset: 'reset by the peer', closed: 'closed by the peer', 'not-tls': 'the peer does not speak TLS', alert: 'refused by the peer', error: 'failed' }[h.kind];
    return `handshake ${what} (${h.bytesWritten} bytes written, ${h.bytesRead} read, ${timing})`;
  }
  const base = `${h.protocol ?? 'TLS'} ${h.cipher ?? ''}, ALPN ${h.alpn || 'none'}, ${timing}`.replace(/ ,/, ',');
  const errors = findings.filter((f) => severityOf(f) === 'error').map((f) => f.code);
  if (errors.length > 0) return `${base}; certificate not acceptable: ${errors.join(', ')}`;
  const warnings = findings.map((f) => f.code);
  const off = offPathOutOfDate(h.chain ?? [], h, Date.now());
  const note = off.length > 0 ? `; the server also sends ${off.map((c) => c.subject).join(', ')}, out of date but not on the verified path` : '';
  return `${base}; chain verified${warnings.length > 0 ? ` (${warnings.join(', ')})` : ''}${note}`;
}

/**
 * The peer refused every protocol offered (alert no_application_protocol) while h2 was not among
 * them: ask once more offering h2 alone. A server that takes it speaks only HTTP/2.
 */
async function h2OnlyCheck(ctx: RunContext, h: HandshakeFacts, offered: string[], servername: string | undefined, signal: AbortSignal): Promise<Finding | undefined> {
  if (h.kind !== 'alert' || readAlert(h.code).meaning !== 'alpn' || offered.includes('h2')) return undefined;
  let raw;
  try {
    raw = await openRaw(ctx, signal);
  } catch {
    return undefined;
  }
  const t = ctx.config.target;
  const again = await observeHandshake(raw, { host: t.host, servername, alpn: ['h2'], secureContext: secureContextFor(ctx.state.ca, ctx.state.clientCert) }, signal, ctx.now);
  if (again.kind !== 'ok' || again.alpn !== 'h2') return undefined;
  return {
    code: 'HTTP2_ONLY_SERVER',
    evidence: [
      `offering ${offered.join(', ')} by ALPN (what the HTTP/1.1 client speaks), the server refused the handshake: alert 120 no_application_protocol`,
      `offering h2, the same server completed the handshake and chose h2 (${again.protocol ?? 'TLS'}): it serves HTTP/2 only`,
      'clients that speak only HTTP/1.1 (Node\'s fetch, undici by default, many SDKs) cannot use this endpoint; curl and browsers offer h2 and get through',
    ],
    details: { seenBy: 'alpn', offered, accepted: 'h2' },
    params: tlsParams(t.host, t.port, undefined, { url: t.url.replace(/\/$/, '') }),
  };
}

export const tlsStage: Stage = {
  id: 'tls',
  shouldRun(ctx) {
    if (ctx.config.target.scheme !== 'https') return { run: false, reason: 'plain http: no TLS' };
    if (!ctx.state.endpoint) return { run: false, reason: 'no TCP connection to build on' };
    if (ctx.state.proxy && !ctx.state.tunnelOk) return { run: false, reason: 'no tunnel through the forward proxy' };
    return { run: true };
  },
  async run(ctx: RunContext, signal: AbortSignal, deadline: number) {
    const t = ctx.config.target;
    const ep = ctx.state.endpoint!;
    const address = `${formatHost(ep.address)}:${ep.port}`;
    /** A connection for the handshake (the tcp stage's when `reuse` and it is still open), or the failure to report. */
    const dial = async (reuse: boolean): Promise<{ raw: Socket; connectMs: number; fromTcp: boolean } | { failure: StageOutcome }> => {
      const t0 = ctx.now();
      try {
        const got = reuse ? await openRawTimed(ctx, signal) : { socket: await openRaw(ctx, signal), connectMs: undefined };
        return { raw: got.socket, connectMs: got.connectMs ?? Math.round((ctx.now() - t0) * 100) / 100, fromTcp: got.connectMs !== undefined };
      } catch (err) {
        return { failure: reconnectFailure(ctx, err, address, ctx.now() - t0) };
      }
    };
    let conn = await dial(true);
    if ('failure' in conn) return conn.failure;
    const servername = sniFor(t.host);
    // Offer what the http stage will speak: an h2-only server must show here, not as a garbled request later.
    const ALPN = alpnFor(ctx.config);
    // The http stage's parser compiles on another thread meanwhile (net/http/undici.ts).
    warmParser();
    const { ca, clientCert } = ctx.state;
    // Built (or reused) before the handshake clock starts: parsing the trusted roots is not the
    // server's time. Not built at all while it does not exist yet (net/tls/anchor-check.ts): Node
    // parses its whole root store for any context with anchors, about a fifth of a one-shot run,
    // and the chain needs one root of it, or none. `ca` is still given: a path rebuilt for dates uses it.
    const light = !hasSecureContext(ca, clientCert) && anchorCheckAllowed();
    let kept: KeptConnection | undefined;
    const handshake = (on: Socket, anchorCheck: boolean) => {
      const secureContext = anchorCheck ? untrustingContext(clientCert) : secureContextFor(ca, clientCert);
      const extraCas = [nodeExtraCas(), ca].filter((c): c is string => c !== undefined);
      return observeHandshake(on, { host: t.host, servername, alpn: ALPN, secureContext, ca: trustedCas(ctx), keep: (c) => (kept = c), ...(anchorCheck ? { anchorCheck: { extraCas } } : {}) }, signal, ctx.now);
    };
    let h = await handshake(conn.raw, light);
    // The tcp stage's connection closed before the server said a word (a server that drops idle
    // connections, or closed it while other addresses were tried): that is not the server's answer
    // to a handshake. A new connection asks again, and its answer is the one reported.
    if (conn.fromTcp && (h.kind === 'closed' || h.kind === 'reset') && h.bytesRead === 0 && !signal.aborted) {
      conn = await dial(false);
      if ('failure' in conn) return conn.failure;
      h = await handshake(conn.raw, light);
    }
    // A chain the check left to OpenSSL: the handshake again on a new connection, with the full
    // store, whose verdict is the one reported (the first connection is closed unused). Even when
    // the stage's time is up: the first handshake's code (an empty store's) is no verdict, and the
    // dial then fails as a timeout instead.
    let leftToOpenssl: string | undefined;
    if (h.anchorCheck?.trusted === false) {
      leftToOpenssl = h.anchorCheck.reason;
      kept?.close();
      kept = undefined;
      conn = await dial(false);
      if ('failure' in conn) return conn.failure;
      h = await handshake(conn.raw, false);
    }
    const { connectMs, fromTcp } = conn;
    const h2Only = await h2OnlyCheck(ctx, h, ALPN, servername, signal);

    const nowMs = Date.now();
    let serverDate: ServerDate | undefined;
    if (needsClockCheck(h, nowMs)) {
      serverDate = await fetchServerDate(ctx, signal, Math.min(CLOCK_CHECK_MS, deadline - ctx.now()));
    }
    // Node ignores the OS bundle: whether the root is there tells "install it" from "point Node at it".
    const systemStore = h.kind === 'ok' && h.chainError && UNTRUSTED_CODES.has(h.chainError) ? await checkSystemStore(h.chain ?? [], ctx.env) : undefined;
    const caEnv = h.kind === 'ok' && h.chainError && UNTRUSTED_CODES.has(h.chainError) ? await caEnvProblems(ctx.env) : undefined;
    const findings = h2Only ? [h2Only] : decideTls({
      host: t.host,
      port: t.port,
      provider: ctx.config.provider,
      handshake: h,
      nowMs,
      serverDate,
      extraCa: ctx.state.ca !== undefined,
      anchorFromCa: anchorFromCa(ctx.state.ca, h),
      viaProxy: ctx.state.proxy !== undefined,
      systemStore,
      alpnOffered: ALPN,
      caEnv,
    });

    if (h.kind === 'ok') ctx.state.alpn = h.alpn ?? '';
    ctx.state.tlsOk = h.kind === 'ok' && !findings.some((f) => severityOf(f) === 'error');
    // A connection that passed carries the http stage's request; any other is closed here.
    if (kept && ctx.state.tlsOk && !h2Only && !signal.aborted) ctx.state.handoff = { ...kept, connectMs, tlsMs: h.ms + (h.clientMs ?? 0) };
    else kept?.close();
    if (h.kind === 'timeout') {
      // The mtu stage runs by itself on a stall after a good TCP connect.
      ctx.state.stall = { stage: 'tls', code: 'TLS_HANDSHAKE_TIMEOUT', afterMs: h.ms, bytesWritten: h.bytesWritten, bytesRead: h.bytesRead };
    }
    const status = findings.some((f) => severityOf(f) === 'error') ? 'fail' : findings.length > 0 ? 'warn' : 'pass';
    return {
      status,
      summary: summaryOf(h, findings) + chosenRootNote(ctx.state.ca, h),
      data: {
        address,
        ...(servername ? { sni: servername } : {}),
        alpnOffered: ALPN,
        outcome: h.kind,
        ...(h.kind === 'ok' ? { alpn: h.alpn, protocol: h.protocol, cipher: h.cipher, verifyError: h.chainError ?? null, hostname: h.hostname, chain: h.chain, ...(h.verifiedPath ? { verifiedPath: h.verifiedPath } : {}) } : { error: h.code }),
        bytesWritten: h.bytesWritten,
        bytesRead: h.bytesRead,
        ...(fromTcp ? { tcpStageConnection: true } : {}),
        ...(h.anchorCheck?.trusted ? { trustCheck: { by: 'anchor-check' } } : leftToOpenssl !== undefined ? { trustCheck: { by: 'openssl', firstHandshake: leftToOpenssl } } : {}),
        ...(h.kind !== 'ok' && h.head ? { firstBytes: preview(h.head) } : {}),
        ...(systemStore ? { systemStore } : {}),
        ...(h2Only ? { h2Only: true } : {}),
        ...(serverDate ? { clock: { local: new Date(nowMs).toISOString(), server: serverDate.date, error: serverDate.error } } : {}),
        timings: { connect: connectMs, handshake: h.ms, ...(h.clientMs !== undefined ? { handshakeClient: h.clientMs } : {}) },
      },
      findings,
    };
  },
};

/**
 * Whether the chain verified to one of the --ca certificates: the chain Node reports ends at the
 * trust anchor it linked (the rebuilt path's anchor when there is one).
 */
function anchorFromCa(ca: string | undefined, h: HandshakeFacts): boolean {
  if (ca === undefined || h.kind !== 'ok' || h.chainError !== undefined) return false;
  const chain = h.chain ?? [];
  const sha = h.verifiedPath?.anchor?.sha256 ?? chain[chain.length - 1]?.sha256;
  if (sha === undefined) return false;
  return anchorsFor([ca]).some((a) => a.fingerprint256 === sha);
}

/** A chain that verified to an inspection product's root the user passed with --ca: said, not judged. */
function chosenRootNote(ca: string | undefined, h: HandshakeFacts): string {
  if (h.kind !== 'ok' || !anchorFromCa(ca, h)) return '';
  const m = matchInterceptor(h.chain ?? []);
  return m ? `; it ends at the --ca root of ${m.product} (an inspection product): programs without that root would not trust it` : '';
}
