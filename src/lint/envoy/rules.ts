/**
 * What in an Envoy bootstrap (YAML or JSON, read with the `yaml` package, lines kept) breaks LLM
 * traffic. Envoy's defaults: a 15 s route timeout that counts the whole response (streams
 * included), no WebSocket upgrade unless configured, no SNI unless the TLS context sets it,
 * upstream idle connections kept for an hour.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import {
  APP_SERVER_IDLE_SECONDS, BODY_LIMIT_BYTES, LLM_PATH, LONG_COMPLETION_SECONDS, SHORT_TIMEOUT_SECONDS, SSE_PATH, WS_PATH,
  formatBytes, isIp, isLlmHost, isLocalHost, parseDuration,
} from '../common.js';
import { dedupe } from '../nginx/rules.js';
import { LintInputError, type RawFinding, type SourceFile } from '../types.js';

type N = YamlNode | null | undefined;

function get(node: unknown, ...keys: string[]): N {
  let cur = node as N;
  for (const k of keys) {
    if (!isMap(cur)) return undefined;
    const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === k);
    cur = pair?.value as N;
  }
  return cur;
}
/** The key node of `key` in a map: a finding about a whole block points at the line that names it. */
function keyOf(node: unknown, key: string): N {
  if (!isMap(node)) return undefined;
  return node.items.find((p) => isScalar(p.key) && String(p.key.value) === key)?.key as N;
}
/** Envoy's HTTP status names (type.v3.StatusCode) for the codes a rate limit might answer. */
const STATUS_NAMES: Record<string, number> = { TooManyRequests: 429, ServiceUnavailable: 503, Forbidden: 403, BadRequest: 400, InternalServerError: 500, Unauthorized: 401, Locked: 423, EnhanceYourCalm: 420 };
const items = (node: N): YamlNode[] => (isSeq(node) ? (node.items as YamlNode[]) : []);
const str = (node: N): string | undefined => (isScalar(node) ? String(node.value) : undefined);

/** Envoy durations: "15s", "0.5s", or { seconds, nanos }. */
function seconds(node: N): number | undefined {
  const s = str(node);
  if (s !== undefined) return parseDuration(s);
  const sec = str(get(node, 'seconds'));
  return sec !== undefined ? Number(sec) + Number(str(get(node, 'nanos')) ?? 0) / 1e9 : undefined;
}

export function lintEnvoy(src: SourceFile): RawFinding[] {
  const lc = new LineCounter();
  const doc = parseDocument(src.text, { lineCounter: lc, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new LintInputError(`${src.path}:${e.linePos?.[0]?.line ?? 1}: not valid YAML or JSON (${e.code})`);
  }
  const root = doc.contents;
  if (!isMap(root) || !(get(root, 'static_resources') || get(root, 'dynamic_resources') || get(root, 'admin'))) {
    throw new LintInputError(`${src.path}: YAML/JSON without static_resources, dynamic_resources or admin: not an Envoy bootstrap`);
  }
  const lineOf = (n: N) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const at = (n: N) => ({ file: src.path, line: lineOf(n) });
  const out: RawFinding[] = [];

  // Clusters first: routes are judged by the cluster they send to.
  const clusterHosts = new Map<string, string[]>();
  for (const c of items(get(root, 'static_resources', 'clusters'))) {
    const name = str(get(c, 'name')) ?? '';
    const addrs: { host: string; node: N }[] = [];
    for (const ep of items(get(c, 'load_assignment', 'endpoints')))
      for (const lb of items(get(ep, 'lb_endpoints'))) {
        const sa = get(lb, 'endpoint', 'address', 'socket_address');
        const host = str(get(sa, 'address'));
        if (host) addrs.push({ host, node: sa });
      }
    clusterHosts.set(name, addrs.map((a) => a.host));
    const type = str(get(c, 'type')) ?? 'STATIC';
    const ts = get(c, 'transport_socket');
    const tsType = str(get(ts, 'typed_config', '@type')) ?? '';
    const tls = /tls/i.test(str(get(ts, 'name')) ?? '') || /UpstreamTlsContext/.test(tsType);
    const remote = addrs.filter((a) => !isLocalHost(a.host));
    const autoSni = /auto_sni["']?\s*:\s*true/.test(src.text);
    if (tls && remote.length > 0 && !str(get(ts, 'typed_config', 'sni')) && !autoSni) {
      out.push({
        code: 'CONFIG_UPSTREAM_SNI_OFF', ...at(keyOf(c, 'transport_socket') ?? ts), directive: 'sni',
        evidence: [`cluster ${name} (line ${lineOf(c)}) opens TLS to ${remote.map((a) => a.host).join(', ')} and its UpstreamTlsContext has no sni`],
        details: { host: remote[0]!.host },
      });
    }
    if (type === 'STATIC' && remote.some((a) => isIp(a.host)) && tls) {
      out.push({
        code: 'CONFIG_UPSTREAM_DNS_PINNED', ...at(get(c, 'type') ?? c), directive: 'type',
        evidence: [`cluster ${name} (line ${lineOf(c)}) is STATIC with the address ${remote.find((a) => isIp(a.host))!.host} written in: a name resolved by hand once, never again`],
        details: { host: remote[0]!.host },
      });
    }
    const idleNode = get(c, 'typed_extension_protocol_options', 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions', 'common_http_protocol_options', 'idle_timeout') ?? get(c, 'common_http_protocol_options', 'idle_timeout');
    const idle = idleNode ? seconds(idleNode) : 3600;
    const local = addrs.filter((a) => isLocalHost(a.host));
    if (local.length > 0 && idle !== undefined && idle >= APP_SERVER_IDLE_SECONDS) {
      out.push({
        code: 'CONFIG_KEEPALIVE_RACE', ...at(idleNode ?? c), directive: 'idle_timeout',
        evidence: [
          `cluster ${name} (line ${lineOf(c)}) keeps idle connections to ${local.map((a) => a.host).join(', ')} for ${idle} s${idleNode ? '' : ' (idle_timeout unset: Envoy default 1 h)'}`,
          `application servers close idle connections sooner (Node and uvicorn after ${APP_SERVER_IDLE_SECONDS} s): the next request on such a connection gets "upstream connect error or disconnect/reset before headers. reset reason: connection termination"`,
        ],
        details: { idleTimeoutSeconds: idle, cluster: name },
      });
    }
  }

  for (const l of items(get(root, 'static_resources', 'listeners')))
    for (const fc of items(get(l, 'filter_chains')))
      for (const f of items(get(fc, 'filters'))) {
        const hcm = get(f, 'typed_config');
        if (!/http_connection_manager/.test(str(get(f, 'name')) ?? '') && !/HttpConnectionManager/.test(str(get(hcm, '@type')) ?? '')) continue;
        const hcmWs = items(get(hcm, 'upgrade_configs')).some((u) => /websocket/i.test(str(get(u, 'upgrade_type')) ?? ''));
        for (const hf of items(get(hcm, 'http_filters'))) {
          const hname = str(get(hf, 'name')) ?? '';
          const types = [...items(get(hf, 'typed_config', 'response_direction_config', 'common_config', 'content_type')), ...items(get(hf, 'typed_config', 'content_type'))];
          const es = types.find((t) => str(t) === 'text/event-stream');
          if (/compressor|gzip/.test(hname) && es) {
            out.push({ code: 'CONFIG_GZIP_EVENT_STREAM', ...at(es), directive: 'content_type', evidence: [`the ${hname} filter (line ${lineOf(hf)}) compresses text/event-stream`], details: {} });
          }
          const maxReq = get(hf, 'typed_config', 'max_request_bytes');
          const bytes = Number(str(maxReq));
          if (/buffer/.test(hname) && maxReq && Number.isFinite(bytes) && bytes < BODY_LIMIT_BYTES) {
            out.push({
              code: 'CONFIG_BODY_LIMIT_LOW', severity: bytes < 1024 * 1024 ? 'error' : 'warning', ...at(maxReq), directive: 'max_request_bytes',
              evidence: [`the buffer filter (line ${lineOf(hf)}) refuses request bodies over ${formatBytes(bytes)} with 413`],
              details: { bytes, limit: formatBytes(bytes) },
            });
          }
        }
        for (const vh of items(get(hcm, 'route_config', 'virtual_hosts')))
          for (const r of items(get(vh, 'routes'))) {
            const route = get(r, 'route');
            if (!route) continue;
            const m = get(r, 'match');
            const path = str(get(m, 'prefix')) ?? str(get(m, 'path')) ?? str(get(m, 'safe_regex', 'regex')) ?? '';
            const cluster = str(get(route, 'cluster')) ?? '';
            const hosts = clusterHosts.get(cluster) ?? [];
            const ws = WS_PATH.test(path) || WS_PATH.test(cluster);
            const llm = SSE_PATH.test(path) || LLM_PATH.test(path) || LLM_PATH.test(cluster) || hosts.some(isLlmHost);
            const tNode = get(route, 'timeout');
            const secs = tNode ? seconds(tNode) : 15;
            if (!ws && secs !== undefined && secs > 0 && (secs < SHORT_TIMEOUT_SECONDS || (llm && secs < LONG_COMPLETION_SECONDS))) {
              out.push({
                code: 'CONFIG_TIMEOUT_TOO_SHORT', severity: secs < SHORT_TIMEOUT_SECONDS ? 'error' : 'warning', ...at(tNode ?? route), directive: 'route.timeout',
                evidence: [
                  `the route for ${path || '(any)'} to cluster ${cluster} (line ${lineOf(r)}) must finish its whole response within ${secs} s${tNode ? '' : ' (timeout unset: Envoy default 15s)'}`,
                  'the route timeout counts until the last byte, so a streamed completion longer than that is cut with "upstream request timeout"',
                ],
                details: { directive: 'route.timeout', seconds: secs, route: path },
              });
            }
            const routeWs = items(get(route, 'upgrade_configs')).some((u) => /websocket/i.test(str(get(u, 'upgrade_type')) ?? ''));
            if (ws && !hcmWs && !routeWs) {
              out.push({
                code: 'CONFIG_WEBSOCKET_HEADERS_MISSING', ...at(r), directive: 'upgrade_configs',
                evidence: [`the route for ${path} (line ${lineOf(r)}) looks like a WebSocket route, and neither it nor its connection manager allows upgrade_type websocket: Envoy answers the handshake 403 or passes it as plain HTTP`],
                details: { route: path },
              });
            }
          }
      }
  // Rate limits that answer something else than 429 (Envoy's local and global limits default to
  // 429; a `status` of the local one, or `rate_limited_status` of the global one, changes it).
  visit(doc, {
    Map(_k, m) {
      const type = str(get(m, '@type')) ?? '';
      const local = /local_ratelimit\.v3\.LocalRateLimit$/.test(type);
      const global = /filters\.http\.ratelimit\.v3\.RateLimit$/.test(type);
      if (!local && !global) return;
      const node = local ? get(m, 'status', 'code') : get(m, 'rate_limited_status', 'code');
      const v = str(node);
      if (v === undefined) return;
      const status = /^\d+$/.test(v) ? Number(v) : STATUS_NAMES[v];
      if (status === 429) return;
      out.push({
        code: 'CONFIG_RATE_LIMIT_503', ...at(node), directive: local ? 'status' : 'rate_limited_status',
        evidence: [`the ${local ? 'local' : 'global'} rate limit (line ${lineOf(m)}) answers ${v}${status ? ` (${status})` : ''} instead of 429 TooManyRequests`, 'clients and SDKs read that as an outage, not as a rate limit to back off from'],
        details: { status: status ?? v },
      });
    },
  });
  return dedupe(out);
}
