/**
 * A handshake that did not complete -> one finding: reset or closed (TLS_HANDSHAKE_RESET), stalled
 * (TLS_HANDSHAKE_TIMEOUT) or not TLS at all (TLS_PROTOCOL_ERROR, with what the peer does speak,
 * read from its first bytes). Pure.
 */
import type { HandshakeFacts } from '../../net/tls/probe.js';
import type { Finding } from '../../stages/types.js';
import { alertLine, readAlert } from './explain.js';

/** What the peer's first bytes say it speaks, when it is not TLS. */
export type PeerProtocol = 'http' | 'ssh' | 'smtp-or-ftp' | 'pop3' | 'imap' | 'tls-alert' | 'unknown' | 'nothing';

export function peerSpeaks(head: string | undefined): PeerProtocol {
  if (!head) return 'nothing';
  if (/^HTTP\/\d/.test(head)) return 'http';
  if (head.startsWith('SSH-')) return 'ssh';
  if (/^2\d\d[ -]/.test(head)) return 'smtp-or-ftp';
  if (head.startsWith('+OK')) return 'pop3';
  if (head.startsWith('* OK')) return 'imap';
  if (head.charCodeAt(0) === 21 && head.charCodeAt(1) === 3) return 'tls-alert';
  return 'unknown';
}

/** The first bytes as a person reads them: printable text up to the first line end, else hex. */
export function preview(head: string | undefined, max = 48): string {
  if (!head) return '';
  const line = head.split(/\r?\n/)[0] ?? '';
  if (line.length > 0 && /^[\x20-\x7e]+$/.test(line)) return JSON.stringify(line.slice(0, max));
  return Buffer.from(head.slice(0, 16), 'latin1').toString('hex').replace(/(..)/g, '$1 ').trim();
}

const SPEAKS: Record<PeerProtocol, string> = {
  http: 'plain HTTP is served on this port',
  ssh: 'an SSH server listens on this port',
  'smtp-or-ftp': 'a mail or FTP server greets on this port',
  pop3: 'a POP3 server listens on this port',
  imap: 'an IMAP server listens on this port',
  'tls-alert': 'the peer answered with a TLS alert',
  unknown: 'the answer is not a TLS record',
  nothing: 'the peer sent nothing readable',
};

function bytes(h: HandshakeFacts): string {
  return `${h.bytesWritten} bytes written, ${h.bytesRead} read`;
}

/** What the client offered, for reading the peer's refusal. */
export interface Offer {
  /** The SNI sent; absent for IP literals. */
  sni?: string;
  alpn: string[];
}

/** A refusal by TLS alert: what it means, and the code and owner that follow from it. */
function describeAlert(h: HandshakeFacts, through: string, offer: Offer): Omit<Finding, 'params'> {
  const reading = readAlert(h.code);
  const certRequested = h.certRequested === true;
  const clientCert = reading.meaning === 'client-cert' || (reading.meaning === 'cipher' && certRequested);
  const when = h.afterHandshake ? 'right after the handshake had completed on this side (a TLS 1.3 server judges the client certificate last)' : `after ${Math.round(h.ms)} ms`;
  const evidence = [
    `the peer speaks TLS but refused the connection${through}: ${h.code ?? 'unknown error'} ${when} (${bytes(h)})`,
    alertLine(reading, { sni: offer.sni, alpn: offer.alpn, certRequested }),
    ...(certRequested ? ['the server asked for a client certificate (CertificateRequest in its handshake); none was configured here'] : []),
    ...(h.message ? [`TLS library: ${h.message.split('\n')[0]!.slice(0, 200)}`] : []),
  ];
  const details = {
    bytesWritten: h.bytesWritten,
    bytesRead: h.bytesRead,
    ms: h.ms,
    kind: h.kind,
    code: h.code,
    meaning: clientCert ? 'client-cert' : reading.meaning,
    ...(reading.alert ? { alert: reading.alert, alertNumber: reading.number } : {}),
    certRequested,
    ...(h.afterHandshake ? { afterHandshake: true } : {}),
  };
  if (clientCert) return { code: 'TLS_CLIENT_CERT_REQUIRED', evidence, details };
  // The peer decided: whoever runs it owns version, cipher and ALPN lists; a name it does not serve is the caller's to check.
  const owner = reading.meaning === 'sni' || reading.meaning === 'alpn' ? ('you' as const) : ('gateway' as const);
  return { code: 'TLS_PROTOCOL_ERROR', evidence, details, origin: 'unknown', owner };
}

/**
 * Inside a CONNECT tunnel the proxy sees the ClientHello first: a cut or an HTTP page there is most
 * likely its doing, and the network team runs it. The evidence says how to confirm.
 */
function blameTunnel(f: Omit<Finding, 'params'>, why: string): Omit<Finding, 'params'> {
  return { ...f, origin: 'forward-proxy', owner: 'network', evidence: [...f.evidence, `${why}; run again with --compare-direct, or ask for the proxy's log of this CONNECT`] };
}

/** The finding (without params) for a handshake that did not complete. */
export function describeFailure(h: HandshakeFacts, viaProxy: boolean, offer: Offer = { alpn: ['h2', 'http/1.1'] }): Omit<Finding, 'params'> {
  const through = viaProxy ? ' (through the proxy tunnel)' : '';
  const wire = { bytesWritten: h.bytesWritten, bytesRead: h.bytesRead, ms: h.ms };
  switch (h.kind) {
    case 'timeout':
      return {
        code: 'TLS_HANDSHAKE_TIMEOUT',
        evidence: [
          `the ClientHello went out${through}, and the handshake had not finished ${Math.round(h.ms)} ms later (${bytes(h)})`,
          h.bytesRead === 0 ? 'not a single byte came back: no ServerHello' : `the server's answer stopped after ${h.bytesRead} bytes`,
        ],
        details: { ...wire, noBytesBack: h.bytesRead === 0 },
      };
    case 'reset':
    case 'closed': {
      const how = h.kind === 'reset' ? `reset the connection${h.code ? ` (${h.code})` : ''}` : 'closed the connection (FIN)';
      const f: Omit<Finding, 'params'> = {
        code: 'TLS_HANDSHAKE_RESET',
        evidence: [
          `the peer ${how}${through} ${Math.round(h.ms)} ms into the handshake, ${bytes(h)}`,
          h.bytesRead === 0 ? 'it did so before any ServerHello: right after reading the ClientHello' : `it did so after sending ${h.bytesRead} bytes of its handshake`,
        ],
        details: { ...wire, kind: h.kind, code: h.code },
      };
      return viaProxy ? blameTunnel(f, 'a proxy that filters TLS by the name in the ClientHello cuts the tunnel exactly here') : f;
    }
    case 'not-tls': {
      const speaks = peerSpeaks(h.head);
      // Inside a tunnel, an HTTP answer may be the proxy's own error page rather than the target's.
      const what = viaProxy && speaks === 'http' ? 'an HTTP answer inside the tunnel, from the proxy or the target' : SPEAKS[speaks];
      const f: Omit<Finding, 'params'> = {
        code: 'TLS_PROTOCOL_ERROR',
        evidence: [`the peer answered the ClientHello${through} with ${preview(h.head)}: ${what}`, `TLS error: ${h.code ?? 'unknown'}`],
        details: { ...wire, kind: 'not-tls', peerSpeaks: speaks, firstBytes: preview(h.head), code: h.code },
      };
      return viaProxy && speaks === 'http' ? blameTunnel(f, 'a proxy that refuses the site after opening the tunnel answers with its own page instead of a ServerHello') : f;
    }
    case 'alert':
      return describeAlert(h, through, offer);
    case 'error':
    default:
      return {
        code: 'TLS_PROTOCOL_ERROR',
        evidence: [
          `the peer speaks TLS but refused the handshake${through}: ${h.code ?? 'unknown error'} after ${Math.round(h.ms)} ms (${bytes(h)})`,
          ...(h.message ? [`TLS library: ${h.message.split('\n')[0]!.slice(0, 200)}`] : []),
        ],
        details: { ...wire, kind: h.kind, code: h.code },
      };
  }
}
