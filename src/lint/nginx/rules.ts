/**
 * What in an nginx configuration breaks LLM traffic. Pure: a parsed tree in, raw findings out
 * (codes, places and figures; the prose is in the catalogue). Defaults are nginx's own
 * (proxy_http_version 1.0, proxy_buffering on, proxy_read_timeout 60s, client_max_body_size 1m,
 * proxy_ssl_server_name off, limit_req_status 503, upstream keepalive_timeout 60s).
 */
import {
  APP_SERVER_IDLE_SECONDS, BODY_LIMIT_BYTES, UPLOAD_BODY_BYTES, UPLOAD_PATH, LLM_PATH, LONG_COMPLETION_SECONDS, SHORT_TIMEOUT_SECONDS, SSE_PATH, WS_PATH,
  formatBytes, isIp, isLlmHost, isLocalHost, parseDuration, parseSize, splitTarget,
} from '../common.js';
import type { RawFinding } from '../types.js';
import type { NginxDirective } from './parse.js';
import { lintNginxHeaders } from './headers.js';
import { collect, effective, effectiveArray, own, proxyPassOf, type Location, type Scope } from './scope.js';

const at = (d: NginxDirective) => ({ file: d.file, line: d.line });
const show = (d: NginxDirective) => `${d.name} ${d.args.map((a) => (/[\s;{}]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ')}`.trim() + ';';
const where = (d: NginxDirective) => `${d.file}:${d.line}`;

interface Route {
  loc: Location;
  pass: NginxDirective;
  target: string;
  host?: string;
  scheme?: string;
  sse: boolean;
  ws: boolean;
  llm: boolean;
  upload: boolean;
}

function header(scope: Scope, name: string): NginxDirective | undefined {
  return effectiveArray(scope, 'proxy_set_header').find((d) => d.args[0]?.toLowerCase() === name.toLowerCase());
}

function classify(loc: Location, pass: NginxDirective): Route {
  const target = pass.args[0] ?? '';
  const t = splitTarget(target);
  const knownLlm = t !== undefined && isLlmHost(t.host);
  const path = loc.path.replace(/^[=~*^]+\s*/, '');
  const ws = WS_PATH.test(path) || header(loc.scope, 'Upgrade') !== undefined;
  const sse = !ws && (SSE_PATH.test(path) || knownLlm);
  const raisedBody = own(loc.scope, 'client_max_body_size').some((d) => (parseSize(d.args[0] ?? '') ?? 0) > BODY_LIMIT_BYTES || d.args[0] === '0');
  return { loc, pass, target, host: t?.host, scheme: t?.scheme, sse, ws, llm: sse || ws || knownLlm || LLM_PATH.test(path) || UPLOAD_PATH.test(path) || raisedBody, upload: UPLOAD_PATH.test(path) };
}

export function lintNginx(tree: NginxDirective[]): RawFinding[] {
  const { locations, upstreams, servers } = collect(tree);
  const out: RawFinding[] = [];
  const routes: Route[] = [];
  for (const loc of locations) {
    const pass = proxyPassOf(loc);
    if (pass) routes.push(classify(loc, pass));
  }
  const locName = (r: Route) => `location ${r.loc.path}`;
  const locLine = (r: Route) => at(r.loc.scope.node!);

  for (const r of routes) {
    const s = r.loc.scope;
    const buffering = effective(s, 'proxy_buffering');
    const version = effective(s, 'proxy_http_version');
    const http11 = version !== undefined && ['1.1', '2'].includes(version.args[0] ?? '');
    const gzip = effective(s, 'gzip');
    const gzipTypes = effective(s, 'gzip_types');
    const gzipOnStream = gzip?.args[0] === 'on' && gzipTypes !== undefined && gzipTypes.args.some((a) => a === 'text/event-stream' || a === '*');
    const buffered = buffering?.args[0] !== 'off';

    // Buffering on a streaming route: measured on nginx 1.22, HTTP/1.0 to the upstream with
    // buffering on holds every event to the end; with HTTP/1.1 events pass when the upstream
    // flushes, until a compressor or a slow client fills the buffers.
    if (r.sse && buffered) {
      const certain = !http11 || gzipOnStream;
      out.push({
        code: 'CONFIG_SSE_BUFFERED',
        severity: certain ? 'error' : 'warning',
        ...(buffering ? at(buffering) : locLine(r)),
        directive: 'proxy_buffering',
        evidence: [
          `${locName(r)} (${where(r.loc.scope.node!)}) carries event streams to ${r.target}, and proxy_buffering is ${buffering ? `on (${where(buffering)})` : 'on (nginx default)'}`,
          http11 ? `the upstream is spoken to in HTTP/${version!.args[0]}${gzipOnStream ? ', but gzip compresses text/event-stream here, and the compressor holds events back' : ': events pass while the upstream flushes, and are held once the buffers fill'}` : 'with HTTP/1.0 to the upstream (proxy_http_version unset), nginx holds the whole stream until the upstream ends it',
        ],
        details: { location: r.loc.path, http11, gzip: gzipOnStream },
      });
    }

    if (!http11) {
      out.push({
        code: 'CONFIG_UPSTREAM_HTTP10',
        severity: r.ws ? 'error' : 'warning',
        ...(version ? at(version) : locLine(r)),
        directive: 'proxy_http_version',
        evidence: [
          `${locName(r)} (${where(r.loc.scope.node!)}) proxies to ${r.target} in HTTP/${version?.args[0] ?? '1.0 (nginx default)'}`,
          r.ws ? 'a WebSocket upgrade needs HTTP/1.1: with 1.0 the handshake never reaches the upstream as an upgrade' : 'no keep-alive to the upstream (a new connection, and for https a new handshake, per request), and streamed answers wait for the connection to close',
        ],
        details: { location: r.loc.path, version: version?.args[0] ?? '1.0' },
      });
    }

    const read = effective(s, 'proxy_read_timeout');
    const readSeconds = read ? parseDuration(read.args[0] ?? '') : 60;
    if (readSeconds !== undefined && (readSeconds < SHORT_TIMEOUT_SECONDS || ((r.llm || r.ws) && readSeconds < LONG_COMPLETION_SECONDS))) {
      out.push({
        code: 'CONFIG_TIMEOUT_TOO_SHORT',
        severity: readSeconds < SHORT_TIMEOUT_SECONDS ? 'error' : 'warning',
        ...(read ? at(read) : locLine(r)),
        directive: 'proxy_read_timeout',
        evidence: [
          `${locName(r)} (${where(r.loc.scope.node!)}) waits at most ${readSeconds} s between two reads from ${r.target}${read ? ` (${show(read)} at ${where(read)})` : ' (proxy_read_timeout unset: nginx default 60s)'}`,
          r.ws
            ? 'an idle WebSocket is closed after that long without a message'
            : `a model that thinks before its first token, or a long answer that is not streamed, stays silent for longer than that (allow ${LONG_COMPLETION_SECONDS} s): nginx then answers 504 or cuts the stream`,
        ],
        details: { directive: 'proxy_read_timeout', seconds: readSeconds, location: r.loc.path },
      });
    }

    const body = effective(s, 'client_max_body_size');
    const bodyBytes = body ? (body.args[0] === '0' ? Infinity : parseSize(body.args[0] ?? '')) : 1024 * 1024;
    const needed = r.upload ? UPLOAD_BODY_BYTES : BODY_LIMIT_BYTES;
    if (bodyBytes !== undefined && bodyBytes < needed) {
      out.push({
        code: 'CONFIG_BODY_LIMIT_LOW',
        severity: bodyBytes < 1024 * 1024 ? 'error' : 'warning',
        ...(body ? at(body) : at(r.loc.server.node!)),
        directive: 'client_max_body_size',
        evidence: [
          `request bodies larger than ${formatBytes(bodyBytes)} get 413 on ${locName(r)}${body ? ` (${show(body)} at ${where(body)})` : ' (client_max_body_size unset: nginx default 1m)'}`,
          r.upload ? `an upload route: audio and files for model APIs go up to ${formatBytes(UPLOAD_BODY_BYTES)}` : 'an image sent as base64, an audio file or a long document in a chat request is several MB',
        ],
        details: { bytes: bodyBytes, limit: formatBytes(bodyBytes), location: r.loc.path },
      });
    }

    if (r.scheme === 'https') {
      const sni = effective(s, 'proxy_ssl_server_name');
      if (sni?.args[0] !== 'on') {
        out.push({
          code: 'CONFIG_UPSTREAM_SNI_OFF',
          ...(sni ? at(sni) : at(r.pass)),
          directive: 'proxy_ssl_server_name',
          evidence: [
            `${show(r.pass)} (${where(r.pass)}) opens TLS to ${r.host} without a server name (proxy_ssl_server_name ${sni ? `off at ${where(sni)}` : 'unset: nginx default off'})`,
            'CDN-fronted APIs pick the certificate by SNI and reset or refuse a handshake without it',
          ],
          details: { host: r.host ?? '' },
        });
      }
    }

    if (r.host && !r.host.includes('$') && !isIp(r.host) && r.host !== 'localhost' && !upstreams.has(r.host) && !isLocalHost(r.host)) {
      out.push({
        code: 'CONFIG_UPSTREAM_DNS_PINNED',
        ...at(r.pass),
        directive: 'proxy_pass',
        evidence: [`${show(r.pass)} (${where(r.pass)}) names ${r.host}: nginx resolves it once, at start or reload, and keeps those addresses until the next reload`],
        details: { host: r.host },
      });
    }

    if (gzipOnStream) {
      out.push({
        code: 'CONFIG_GZIP_EVENT_STREAM',
        severity: buffered ? 'error' : 'warning',
        ...at(gzipTypes!),
        directive: 'gzip_types',
        evidence: [
          `gzip is on (${where(gzip!)}) and ${show(gzipTypes!)} (${where(gzipTypes!)}) includes text/event-stream`,
          buffered ? `with proxy_buffering on, the compressor holds events until its buffer fills (${locName(r)})` : 'proxy_buffering off makes nginx flush the compressor per chunk, but clients and proxies after it may still wait for whole compressed blocks',
        ],
        details: { location: r.loc.path },
      });
    }

    if (r.ws) {
      const up = header(s, 'Upgrade');
      const conn = header(s, 'Connection');
      const connOk = conn !== undefined && /upgrade/i.test(conn.args.slice(1).join(' '));
      if (!up || !connOk) {
        const missing = [!up ? 'Upgrade' : '', !connOk ? 'Connection' : ''].filter(Boolean);
        out.push({
          code: 'CONFIG_WEBSOCKET_HEADERS_MISSING',
          ...locLine(r),
          directive: 'proxy_set_header',
          evidence: [`${locName(r)} (${where(r.loc.scope.node!)}) looks like a WebSocket route but does not pass ${missing.join(' and ')} to ${r.target}${conn && !connOk ? ` (${show(conn)} at ${where(conn)})` : ''}: nginx drops hop-by-hop headers, and the upgrade never happens`],
          details: { location: r.loc.path, missing: missing.join(',') },
        });
      }
    }

    const limit = effectiveArray(s, 'limit_req')[0];
    if (limit) {
      const status = effective(s, 'limit_req_status');
      if (status?.args[0] !== '429') {
        out.push({
          code: 'CONFIG_RATE_LIMIT_503',
          ...at(limit),
          directive: 'limit_req_status',
          evidence: [`${show(limit)} (${where(limit)}) rejects excess requests with ${status?.args[0] ?? '503 (limit_req_status unset: nginx default)'} on ${locName(r)}`, 'clients and SDKs read 503 as the service being down, not as a rate limit to back off from'],
          details: { status: Number(status?.args[0] ?? 503), location: r.loc.path },
        });
      }
    }
  }

  // Upstream blocks: keep-alive pools that outlive the application server's idle timeout, and names resolved once.
  for (const [name, up] of upstreams) {
    const keepalive = own(up, 'keepalive')[0];
    const servers = own(up, 'server');
    if (keepalive) {
      const kt = own(up, 'keepalive_timeout')[0];
      const idle = kt ? parseDuration(kt.args[0] ?? '') : 60;
      const local = servers.filter((d) => isLocalHost((d.args[0] ?? '').replace(/:\d+$/, '')));
      if (idle !== undefined && local.length > 0 && idle >= APP_SERVER_IDLE_SECONDS) {
        out.push({
          code: 'CONFIG_KEEPALIVE_RACE',
          ...(kt ? at(kt) : at(keepalive)),
          directive: 'keepalive_timeout',
          evidence: [
            `upstream ${name} (${where(up.node!)}) keeps idle connections to ${local.map((d) => d.args[0]).join(', ')} for ${idle} s${kt ? '' : ' (keepalive_timeout unset: nginx default 60s)'}`,
            `application servers close idle connections sooner (Node's http server and uvicorn after ${APP_SERVER_IDLE_SECONDS} s): a request sent on a connection the server is closing is reset, and nginx does not retry a POST`,
          ],
          details: { idleTimeoutSeconds: idle, upstream: name },
        });
      }
    }
    for (const sv of servers) {
      const host = (sv.args[0] ?? '').replace(/:\d+$/, '');
      if (host && !isIp(host) && !isLocalHost(host) && !host.startsWith('unix:') && !sv.args.includes('resolve')) {
        out.push({
          code: 'CONFIG_UPSTREAM_DNS_PINNED',
          ...at(sv),
          directive: 'server',
          evidence: [`${show(sv)} in upstream ${name} (${where(sv)}) names ${host} without "resolve": nginx resolves it once, at start or reload`],
          details: { host },
        });
      }
    }
  }

  // add_header without `always`: the header is missing on 4xx and 5xx answers (CORS on errors, security headers).
  const seen = new Set<string>();
  const visit = (ds: NginxDirective[]) => {
    for (const d of ds) {
      if (d.block) visit(d.block);
      else if (d.name === 'add_header' && d.args[d.args.length - 1] !== 'always' && !seen.has(where(d))) {
        seen.add(where(d));
        out.push({
          code: 'CONFIG_ADD_HEADER_NOT_ALWAYS',
          ...at(d),
          directive: 'add_header',
          evidence: [`${show(d)} (${where(d)}) is sent only with 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 answers: an error answer (429, 413, 502, 504) goes out without ${d.args[0]}`],
          details: { header: d.args[0] ?? '' },
        });
      }
    }
  };
  visit(tree);
  for (const f of lintNginxHeaders(servers, locations)) out.push(f);
  return dedupe(out);
}

/** One finding per code and place: a default that several locations inherit is reported once. */
export function dedupe(findings: RawFinding[]): RawFinding[] {
  const seen = new Map<string, RawFinding>();
  for (const f of findings) {
    const key = `${f.code}\0${f.file}\0${f.line}`;
    const prev = seen.get(key);
    if (!prev) seen.set(key, f);
    else if (prev.severity !== 'error' && f.severity === 'error') seen.set(key, f);
  }
  return [...seen.values()];
}
