/**
 * The proxy stage: ask the forward proxy for a CONNECT tunnel to the target and judge its answer.
 * TCP to the proxy is the tcp stage's (its address comes from dns on the proxy's host, see hop.ts);
 * this stage opens its own connection to that address, performs TLS first for https:// proxies,
 * sends CONNECT (with Basic credentials when the proxy URL has them) and reads the answer with a hard
 * size cap. The tls and http stages then run inside tunnels of their own (openRaw in net/dial.ts).
 *
 * data: { proxy, from, hop: { address, port }, tcpMs?, proxyTlsMs?, connectMs?, status?, statusText?,
 *         headers?, intermediary?, credentialsSent, phase? }
 */
import { judgeProxy, proxyIntermediary, type ProxyObservation } from '../diagnose/proxy/rules.js';
import { connectTcp } from '../net/dial.js';
import { errorFacts } from '../net/failure.js';
import { proxyCredentials } from '../net/proxy/env.js';
import { openTunnel, TunnelError } from '../net/proxy/tunnel.js';
import { formatHost } from '../target.js';
import { firstHop } from './hop.js';
import type { Stage, StageOutcome } from './types.js';
import { proxyEndpoint, proxyShouldRun } from './proxy-when.js';

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The address of the proxy to dial: the one the tcp stage chose, else an IP literal hop. */

/** What the dns stage got for the proxy's name, in short (`system lookup ENOTFOUND`, `127.0.0.1:53 NXDOMAIN`). */
function dnsAnswers(data: Record<string, unknown> | undefined): string[] {
  const system = data?.system as { error?: string } | undefined;
  const servers = (data?.servers as Array<{ server?: string; kind?: string; rcode?: string }> | undefined) ?? [];
  const seen = new Set<string>();
  const out = system?.error ? [`system lookup ${system.error}`] : [];
  for (const s of servers) {
    const line = `${s.server ?? '?'} ${s.rcode ?? s.kind ?? '?'}`;
    if (!seen.has(line) && seen.add(line)) out.push(line);
  }
  return out.slice(0, 6);
}

/** An error met while tunnelling -> what the rules judge. */
function observationOf(err: unknown, afterMs: number, credentialsSent: boolean): ProxyObservation {
  if (err instanceof TunnelError) {
    if (err.code === 'ERR_TUNNEL_STATUS' && err.response) return { kind: 'answered', ...err.response, connectMs: afterMs, credentialsSent };
    if (err.code === 'ERR_TUNNEL_CLOSED') return { kind: 'closed', bytesRead: err.bytesRead };
    if (err.code === 'ERR_TUNNEL_MALFORMED') return { kind: 'not-http', message: err.message };
    if (err.code === 'ERR_TUNNEL_PROXY_TLS') {
      const f = errorFacts(err.cause);
      return f.fact === 'aborted' ? { kind: 'timeout', afterMs, phase: 'proxy-tls' } : { kind: 'proxy-tls-failed', code: f.code, message: f.message };
    }
  }
  const f = errorFacts(err);
  if (f.fact === 'aborted' || f.fact === 'timeout') return { kind: 'timeout', afterMs, phase: 'connect' };
  return { kind: 'reset', code: f.code };
}

export const proxyStage: Stage = {
  id: 'proxy',
  shouldRun: proxyShouldRun,
  async run(ctx, signal): Promise<StageOutcome> {
    const proxy = ctx.state.proxy!;
    const t = ctx.config.target;
    const target = `${formatHost(t.host)}:${t.port}`;
    const credentialsSent = proxyCredentials(proxy.url) !== undefined;
    const hop = firstHop(ctx);
    const data: Record<string, unknown> = { proxy: proxy.display, from: proxy.from, hop: { host: hop.host, port: hop.port }, target, credentialsSent };
    const finish = (o: ProxyObservation, extra: Record<string, unknown> = {}): StageOutcome => {
      const v = judgeProxy(o, proxy.display, { authority: target, port: t.port, scheme: t.scheme });
      ctx.state.tunnelOk = v.ok;
      const out = { ...data, ...extra };
      const summary = v.ok
        ? `tunnel to ${target} through ${proxy.display} opened in ${out.connectMs} ms`
        : o.kind === 'answered'
          ? `${proxy.display} refused CONNECT ${target}: ${o.status} ${o.statusText}`.trim()
          : `${proxy.display} could not carry a tunnel to ${target} (${o.kind})`;
      return { status: v.ok ? 'pass' : 'fail', summary, data: out, findings: v.findings };
    };

    const endpoint = proxyEndpoint(ctx);
    if (!endpoint) {
      const v = judgeProxy({ kind: 'unresolved', host: hop.host, from: proxy.from, answers: dnsAnswers(ctx.results.dns?.data) }, proxy.display, target);
      return { status: 'fail', summary: `the proxy host ${hop.host} did not resolve (dns stage): no tunnel can be asked for`, data: { ...data, phase: 'dns' }, findings: v.findings };
    }
    data.hop = { host: hop.host, address: endpoint.address, port: endpoint.port };

    const started = ctx.now();
    let socket;
    try {
      socket = await connectTcp(endpoint, signal);
    } catch (err) {
      const f = errorFacts(err);
      if (f.fact === 'aborted') return finish({ kind: 'timeout', afterMs: ctx.now() - started }, { phase: 'tcp' });
      return finish({ kind: 'unreached', code: f.code }, { phase: 'tcp' });
    }
    const tcpMs = round(ctx.now() - started);
    const t0 = ctx.now();
    try {
      const tunnel = await openTunnel(socket, proxy, { host: t.host, port: t.port }, signal);
      tunnel.socket.destroy();
      return finish(
        { kind: 'answered', ...tunnel, credentialsSent },
        {
          tcpMs,
          connectMs: round(tunnel.connectMs),
          ...(tunnel.proxyTlsMs !== undefined ? { proxyTlsMs: round(tunnel.proxyTlsMs) } : {}),
          status: tunnel.status,
          statusText: tunnel.statusText,
          headers: tunnel.headers,
          intermediary: proxyIntermediary(tunnel.headers),
        },
      );
    } catch (err) {
      socket.destroy();
      const o = observationOf(err, ctx.now() - t0, credentialsSent);
      const extra: Record<string, unknown> = { tcpMs, phase: o.kind };
      if (o.kind === 'answered') {
        Object.assign(extra, { connectMs: round(o.connectMs), status: o.status, statusText: o.statusText, headers: o.headers, intermediary: proxyIntermediary(o.headers) });
      }
      return finish(o, extra);
    }
  },
};
