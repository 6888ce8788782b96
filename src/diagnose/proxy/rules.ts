/**
 * Proxy rules: what happened when we asked the forward proxy for a tunnel -> findings (pure).
 *
 * PROXY_UNREACHABLE covers every way of not getting an answer from the proxy once this stage runs:
 * its name not resolving, a TLS failure with an https:// proxy, a close, reset or silence after
 * CONNECT, or an answer that is not HTTP. (When TCP to the proxy fails, the tcp stage reports PROXY_UNREACHABLE itself and this
 * stage is skipped.) A 407 is PROXY_AUTH_REQUIRED; any other non-2xx is PROXY_REFUSED.
 */
import type { Finding } from '../../stages/types.js';
import { judgeAnswer, type ProxyAnswer, type TunnelTarget } from './refusal.js';

export { authSchemes, refusalKind, type RefusalKind, type TunnelTarget } from './refusal.js';
export { bodyGist, proxyIntermediary } from './products.js';

/** What the proxy stage observed. */
export type ProxyObservation =
  /** The proxy's own host name did not resolve (the dns stage failed on it). */
  | { kind: 'unresolved'; host: string; from: string; answers: string[] }
  | { kind: 'unreached'; code?: string }
  | { kind: 'proxy-tls-failed'; code?: string; message: string }
  | { kind: 'closed'; bytesRead: number }
  | { kind: 'reset'; code?: string }
  /** No answer in time: to the TLS handshake with an https:// proxy, or to CONNECT. */
  | { kind: 'timeout'; afterMs: number; phase?: 'proxy-tls' | 'connect' }
  | { kind: 'not-http'; message: string }
  | ({ kind: 'answered' } & ProxyAnswer);

export interface ProxyVerdict {
  ok: boolean;
  findings: Finding[];
}

function unreachable(evidence: string, details: Record<string, unknown>, extra: Partial<Finding> = {}): Finding {
  return { code: 'PROXY_UNREACHABLE', evidence: [evidence], details, ...extra };
}

/** The dns stage's codes that an unresolvable proxy name explains (they are about the proxy's name, not the API's). */
const PROXY_NAME_DNS_CODES = ['DNS_NXDOMAIN', 'DNS_NO_ADDRESS', 'DNS_SERVFAIL', 'DNS_TIMEOUT', 'DNS_BLOCKED'] as const;

/** TLS error codes that mean the proxy's certificate was not accepted (retrying does not change that). */
const CERT_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ISSUER|DEPTH_ZERO/;
/** TLS error codes that mean what answered does not speak TLS at all (a plain http:// proxy). */
const NOT_TLS_CODE = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER/;

function proxyTlsFinding(o: Extract<ProxyObservation, { kind: 'proxy-tls-failed' }>, proxyDisplay: string): Finding {
  const code = o.code ?? o.message;
  if (CERT_CODE.test(code)) {
    return unreachable(`TLS with the https proxy ${proxyDisplay} failed: its certificate was not accepted (${code})`, { phase: 'proxy-tls', code: o.code, tls: 'certificate' }, { retry: 'no' });
  }
  if (NOT_TLS_CODE.test(code)) {
    return unreachable(`TLS with the https proxy ${proxyDisplay} failed (${code}): it answered in something other than TLS, so it is most likely a plain http:// proxy`, { phase: 'proxy-tls', code: o.code, tls: 'not-tls' }, { retry: 'no' });
  }
  return unreachable(`TLS with the https proxy ${proxyDisplay} failed: ${code}`, { phase: 'proxy-tls', code: o.code });
}

export function judgeProxy(o: ProxyObservation, proxyDisplay: string, target: string | TunnelTarget): ProxyVerdict {
  const t: TunnelTarget = typeof target === 'string' ? { authority: target, port: Number(/:(\d+)$/.exec(target)?.[1] ?? 443), scheme: 'https' } : target;
  switch (o.kind) {
    case 'unresolved':
      // Named as the proxy's failure (exit 13), as the tcp stage does for a proxy it cannot connect to:
      // a stale proxy name (a machine off the corporate network or VPN) is the usual story.
      return {
        ok: false,
        findings: [
          unreachable(
            `the proxy host ${o.host} (from ${o.from}) did not resolve${o.answers.length ? `: ${o.answers.join(', ')}` : ''}; nothing can reach the API through it`,
            { phase: 'dns', host: o.host, from: o.from, answers: o.answers },
            { retry: 'no', explains: [...PROXY_NAME_DNS_CODES] },
          ),
        ],
      };
    case 'unreached':
      return { ok: false, findings: [unreachable(`connecting to the proxy ${proxyDisplay} failed (${o.code ?? 'error'}) although the tcp stage had reached it`, { phase: 'tcp', code: o.code }, { retry: 'yes' })] };
    case 'proxy-tls-failed':
      return { ok: false, findings: [proxyTlsFinding(o, proxyDisplay)] };
    case 'closed':
      return { ok: false, findings: [unreachable(`the proxy accepted the connection, then closed it without answering CONNECT ${t.authority} (${o.bytesRead} bytes received)`, { phase: 'connect', bytesRead: o.bytesRead }, { retry: 'once' })] };
    case 'reset':
      return { ok: false, findings: [unreachable(`the proxy reset the connection (${o.code ?? 'reset'}) instead of answering CONNECT ${t.authority}`, { phase: 'connect', code: o.code }, { retry: 'once' })] };
    case 'timeout':
      if (o.phase === 'proxy-tls') {
        return { ok: false, findings: [unreachable(`the https proxy ${proxyDisplay} did not complete a TLS handshake within ${Math.round(o.afterMs)} ms (CONNECT was never sent): it may not speak TLS on that port (an http:// proxy waits silently for a request)`, { phase: 'proxy-tls-timeout', afterMs: Math.round(o.afterMs) })] };
      }
      return { ok: false, findings: [unreachable(`no answer to CONNECT ${t.authority} from the proxy within ${Math.round(o.afterMs)} ms`, { phase: 'connect-timeout', afterMs: Math.round(o.afterMs) })] };
    case 'not-http':
      return { ok: false, findings: [unreachable(`${proxyDisplay} does not speak HTTP proxy protocol: ${o.message}`, { phase: 'not-http' }, { retry: 'no' })] };
    case 'answered':
      if (o.status >= 200 && o.status < 300) return { ok: true, findings: [] };
      return { ok: false, findings: [judgeAnswer(o, t)] };
  }
}
