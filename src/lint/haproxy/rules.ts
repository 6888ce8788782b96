/**
 * What in an HAProxy configuration breaks LLM traffic. Pure. HAProxy's defaults: no server
 * timeout (it warns), bare timeout numbers in milliseconds, no SNI and no re-resolution unless
 * the server line says so, `http-request deny` answering 403, http-response rules skipping
 * HAProxy's own error answers.
 */
import { APP_SERVER_IDLE_SECONDS, BODY_LIMIT_BYTES, LLM_PATH, LONG_COMPLETION_SECONDS, SHORT_TIMEOUT_SECONDS, SSE_PATH, WS_PATH, formatBytes, isIp, isLlmHost, isLocalHost, parseDuration, parseSize } from '../common.js';
import type { RawFinding } from '../types.js';
import { dedupe } from '../nginx/rules.js';
import type { HaproxyLine, HaproxySection } from './parse.js';

const where = (l: { file: string; line: number }) => `${l.file}:${l.line}`;
const show = (l: HaproxyLine) => l.words.join(' ');

function find(s: HaproxySection | undefined, ...prefix: string[]): HaproxyLine | undefined {
  if (!s) return undefined;
  const found = s.lines.filter((l) => prefix.every((p, i) => l.words[i] === p));
  return found[found.length - 1];
}

export function lintHaproxy(sections: HaproxySection[]): RawFinding[] {
  const out: RawFinding[] = [];
  let defaults: HaproxySection | undefined;
  for (const s of sections) {
    if (s.type === 'defaults') {
      defaults = s;
      continue;
    }
    const proxy = s.type === 'backend' || s.type === 'listen' || s.type === 'frontend';
    if (!proxy) continue;
    const servers = s.lines.filter((l) => l.words[0] === 'server' || l.words[0] === 'default-server');
    const hosts = servers.filter((l) => l.words[0] === 'server').map((l) => (l.words[2] ?? '').replace(/:\d+$/, ''));
    const llm = LLM_PATH.test(s.name) || SSE_PATH.test(s.name) || hosts.some(isLlmHost);

    if (s.type !== 'frontend') {
      const t = find(s, 'timeout', 'server') ?? find(s, 'timeout', 'srvtimeout') ?? find(defaults, 'timeout', 'server');
      const secs = t ? parseDuration(t.words[2] ?? '', 'ms') : undefined;
      if (t && secs !== undefined && secs > 0 && (secs < SHORT_TIMEOUT_SECONDS || (llm && secs < LONG_COMPLETION_SECONDS))) {
        out.push({
          code: 'CONFIG_TIMEOUT_TOO_SHORT',
          severity: secs < SHORT_TIMEOUT_SECONDS ? 'error' : 'warning',
          file: t.file,
          line: t.line,
          directive: 'timeout server',
          evidence: [
            `${s.type} ${s.name} (${where(s)}) waits at most ${secs} s for the server to say something (${show(t)} at ${where(t)})`,
            `a model that thinks before its first token, or a long answer not streamed, is silent for longer (allow ${LONG_COMPLETION_SECONDS} s): HAProxy then answers 504 or cuts the stream`,
          ],
          details: { directive: 'timeout server', seconds: secs, section: s.name },
        });
      }
    }

    // WebSockets: HAProxy passes the upgrade itself; the idle socket then lives `timeout tunnel`,
    // or without it the shorter of timeout client and timeout server.
    if (s.type !== 'frontend') {
      const tunnel = find(s, 'timeout', 'tunnel') ?? find(defaults, 'timeout', 'tunnel');
      const tunnelSecs = tunnel ? parseDuration(tunnel.words[2] ?? '', 'ms') : undefined;
      const wsHint = WS_PATH.test(s.name) || sections.some((x) => x.lines.some((l) => /hdr\(upgrade\)|websocket/i.test(l.words.join(' '))));
      if (tunnel && tunnelSecs !== undefined && tunnelSecs > 0 && tunnelSecs < LONG_COMPLETION_SECONDS) {
        out.push({
          code: 'CONFIG_TIMEOUT_TOO_SHORT', severity: tunnelSecs < SHORT_TIMEOUT_SECONDS ? 'error' : 'warning', file: tunnel.file, line: tunnel.line, directive: 'timeout tunnel',
          evidence: [`${s.type} ${s.name} (${where(s)}) closes a WebSocket (or any upgraded connection) idle for ${tunnelSecs} s (${show(tunnel)} at ${where(tunnel)})`, 'a realtime or status socket is often silent for minutes'],
          details: { directive: 'timeout tunnel', seconds: tunnelSecs, section: s.name },
        });
      } else if (!tunnel && wsHint) {
        const c = find(s, 'timeout', 'client') ?? find(defaults, 'timeout', 'client');
        const sv = find(s, 'timeout', 'server') ?? find(defaults, 'timeout', 'server');
        const secs = Math.min(...[c, sv].map((t) => (t ? parseDuration(t.words[2] ?? '', 'ms') ?? Infinity : Infinity)));
        if (Number.isFinite(secs) && secs < LONG_COMPLETION_SECONDS) {
          out.push({
            code: 'CONFIG_TIMEOUT_TOO_SHORT', severity: secs < SHORT_TIMEOUT_SECONDS ? 'error' : 'warning', file: s.file, line: s.line, directive: 'timeout tunnel',
            evidence: [`${s.type} ${s.name} (${where(s)}) carries WebSockets without timeout tunnel: an idle socket is closed after ${secs} s (timeout client/server)`],
            details: { directive: 'timeout tunnel', seconds: secs, section: s.name },
          });
        }
      }
    }

    for (const l of servers) {
      const host = (l.words[2] ?? '').replace(/:\d+$/, '');
      if (l.words[0] !== 'server' || !host) continue;
      const name = !isIp(host) && !isLocalHost(host);
      if (l.words.includes('ssl') && !l.words.includes('sni') && name) {
        out.push({
          code: 'CONFIG_UPSTREAM_SNI_OFF', file: l.file, line: l.line, directive: 'sni',
          evidence: [`${show(l)} (${where(l)}) opens TLS to ${host} without "sni": HAProxy sends no server name unless told`],
          details: { host },
        });
      }
      if (name && !l.words.includes('resolvers')) {
        out.push({
          code: 'CONFIG_UPSTREAM_DNS_PINNED', file: l.file, line: l.line, directive: 'resolvers',
          evidence: [`${show(l)} (${where(l)}) names ${host} without "resolvers": HAProxy resolves it once, at start`],
          details: { host },
        });
      }
    }

    for (const l of [...s.lines, ...(defaults?.lines ?? [])]) {
      const w = l.words;
      if (w[0] === 'compression' && w[1] === 'type' && w.slice(2).includes('text/event-stream')) {
        out.push({
          code: 'CONFIG_GZIP_EVENT_STREAM', file: l.file, line: l.line, directive: 'compression type',
          evidence: [`${show(l)} (${where(l)}) compresses text/event-stream`],
          details: { section: s.name },
        });
      }
      if (w[0] === 'http-request' && (w[1] === 'deny' || w[1] === 'tarpit') && /_rate\(|sc\d?_http_req_rate|sc_gpc|_conn_rate/.test(w.join(' ')) && !/\b429\b/.test(w.join(' '))) {
        const status = w[1] === 'tarpit' ? 500 : 403;
        out.push({
          code: 'CONFIG_RATE_LIMIT_503', file: l.file, line: l.line, directive: 'deny_status',
          evidence: [`${show(l)} (${where(l)}) is a rate limit that answers ${status} (no deny_status 429)`],
          details: { status },
        });
      }
      // A body limit made of a deny rule: `http-request deny [deny_status 413] if { req.body_size gt N }`
      // (or the Content-Length header's value).
      const body = /(req\.body_size|req\.hdr_val\(content-length\)|req\.hdr\(content-length\))\s+(?:gt|ge)\s+(\d+[kKmMgG]?)/i.exec(w.join(' '));
      if (w[0] === 'http-request' && w[1] === 'deny' && body) {
        const bytes = parseSize(body[2]!);
        if (bytes !== undefined && bytes < BODY_LIMIT_BYTES) {
          out.push({
            code: 'CONFIG_BODY_LIMIT_LOW', severity: bytes < 1024 * 1024 ? 'error' : 'warning', file: l.file, line: l.line, directive: 'http-request deny',
            evidence: [`${show(l)} (${where(l)}) refuses request bodies over ${formatBytes(bytes)}`, 'an image sent as base64, an audio file or a long document in a chat request is several MB'],
            details: { bytes, limit: formatBytes(bytes), section: s.name },
          });
        }
      }
      if (w[0] === 'http-request' && w[1] === 'redirect' && w[2] === 'scheme' && w[3] === 'https') {
        const ci = w.indexOf('code');
        const status = ci > 0 ? Number(w[ci + 1]) : 302;
        if ([301, 302, 303].includes(status)) {
          out.push({
            code: 'CONFIG_REDIRECT_DROPS_METHOD', file: l.file, line: l.line, directive: 'http-request redirect',
            evidence: [`${show(l)} (${where(l)}) sends plain-http requests to https with ${status}${ci > 0 ? '' : ' (no code: HAProxy default 302)'}: a client follows it with a GET and no body`],
            details: { status },
          });
        }
      }
      if ((w[0] === 'server' || w[0] === 'default-server') && w.includes('pool-purge-delay')) {
        const delay = parseDuration(w[w.indexOf('pool-purge-delay') + 1] ?? '', 'ms');
        const host = w[0] === 'server' ? (w[2] ?? '').replace(/:\d+$/, '') : '';
        const local = w[0] === 'default-server' ? hosts.some(isLocalHost) : isLocalHost(host);
        if (delay !== undefined && delay >= APP_SERVER_IDLE_SECONDS && local && !w.includes('http-reuse')) {
          out.push({
            code: 'CONFIG_KEEPALIVE_RACE', file: l.file, line: l.line, directive: 'pool-purge-delay',
            evidence: [
              `${show(l)} (${where(l)}) keeps idle server connections at least ${delay} s before purging them`,
              `application servers close idle connections sooner (Node and uvicorn after ${APP_SERVER_IDLE_SECONDS} s): a request sent on one the server is closing is reset`,
            ],
            details: { idleTimeoutSeconds: delay, section: s.name },
          });
        }
      }
      if (w[0] === 'http-response' && (w[1] === 'set-header' || w[1] === 'add-header')) {
        out.push({
          code: 'CONFIG_ADD_HEADER_NOT_ALWAYS', file: l.file, line: l.line, directive: 'http-response',
          evidence: [`${show(l)} (${where(l)}) is skipped on HAProxy's own error answers (503 no server, 504 timeout, denies): ${w[2]} is missing there`],
          details: { header: w[2] ?? '' },
        });
      }
    }
  }
  return dedupe(out);
}
