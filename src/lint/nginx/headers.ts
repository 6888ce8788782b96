/**
 * What an nginx configuration does to the answers a browser or client sees from the gateway:
 * add_header levels that silently drop the headers of the level above, security headers and HSTS
 * missing on a TLS server, an http-to-https redirect that turns a POST into a GET, and a CORS
 * preflight answered without CORS headers (or not answered at all). Each has a live symptom that
 * `--gateway` names (SECURITY_HEADERS_MISSING, HSTS_MISSING, REDIRECT_DROPS_METHOD,
 * CORS_PREFLIGHT_REJECTED).
 */
import type { RawFinding } from '../types.js';
import type { NginxDirective } from './parse.js';
import { effectiveArray, own, proxyPassOf, type Location, type Scope } from './scope.js';

const where = (d: NginxDirective) => `${d.file}:${d.line}`;
const at = (d: NginxDirective) => ({ file: d.file, line: d.line });
const names = (ds: NginxDirective[]) => ds.map((d) => (d.args[0] ?? '').toLowerCase());

/** The headers the reference document sets on every answer, and HSTS for a TLS server. */
export const SECURITY_HEADERS = ['strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy'];

/** The nearest level above `scope` that has add_header of its own. */
function above(scope: Scope): Scope | undefined {
  for (let s = scope.parent; s; s = s.parent) if (own(s, 'add_header').length > 0) return s;
  return undefined;
}

const label = (s: Scope) => (s.kind === 'location' ? `location ${s.node!.args.join(' ')}` : s.kind === 'server' ? 'the server block' : 'the http block');

function isTls(server: Scope): boolean {
  return own(server, 'listen').some((d) => d.args.includes('ssl') || d.args.includes('quic')) || own(server, 'ssl_certificate').length > 0;
}

export function lintNginxHeaders(servers: Scope[], locations: Location[]): RawFinding[] {
  const out: RawFinding[] = [];

  // add_header is an array directive: a level with any add_header inherits none from above.
  const levels: Scope[] = [...servers, ...locations.map((l) => l.scope)];
  for (const s of levels) {
    const mine = own(s, 'add_header');
    if (mine.length === 0) continue;
    const up = above(s);
    if (!up) continue;
    const have = new Set(names(mine));
    const dropped = own(up, 'add_header').filter((d) => !have.has((d.args[0] ?? '').toLowerCase()));
    if (dropped.length === 0) continue;
    const list = [...new Set(dropped.map((d) => d.args[0] ?? ''))];
    out.push({
      code: 'CONFIG_ADD_HEADER_NOT_INHERITED',
      ...at(mine[0]!),
      directive: 'add_header',
      evidence: [
        `${label(s)} (${where(s.node!)}) sets add_header ${[...have].join(', ')} of its own, so nginx sends none of the ${dropped.length} add_header of ${label(up)}${up.node ? ` (${where(up.node)})` : ''} on its answers`,
        `missing there: ${list.join(', ')}`,
      ],
      details: { location: s.kind === 'location' ? s.node!.args.join(' ') : label(s), dropped: list.join(',') },
    });
  }

  const byServer = new Map<Scope, Location[]>();
  for (const l of locations) {
    const list = byServer.get(l.server);
    if (list) list.push(l);
    else byServer.set(l.server, [l]);
  }
  for (const server of servers) {
    const mine = byServer.get(server) ?? [];
    // An http-to-https redirect with 301/302/303: clients repeat a POST as a GET without its body.
    for (const r of [...own(server, 'return'), ...mine.flatMap((l) => own(l.scope, 'return'))]) {
      const status = Number(r.args[0]);
      if ([301, 302, 303].includes(status) && /^https:\/\//i.test(r.args[1] ?? '')) {
        out.push({
          code: 'CONFIG_REDIRECT_DROPS_METHOD',
          ...at(r),
          directive: 'return',
          evidence: [`return ${r.args.join(' ')} (${where(r)}) sends plain-http requests to https with ${status}: a client follows it with a GET and no body, so a POST to the API is lost (307 and 308 keep the method)`],
          details: { status },
        });
      }
    }

    // Security headers and HSTS on a TLS server that proxies: judged where answers leave, per
    // proxied location, leaving out what the inheritance rule above already names.
    if (!isTls(server)) continue;
    const proxied = mine.filter((l) => proxyPassOf(l));
    const serverHave = new Set(names(effectiveArray(server, 'add_header')));
    const missing = new Set<string>();
    const scopes = proxied.length > 0 ? proxied.map((l) => l.scope) : [server];
    for (const sc of scopes) {
      const have = new Set(names(effectiveArray(sc, 'add_header')));
      for (const h of SECURITY_HEADERS) if (!have.has(h) && !serverHave.has(h)) missing.add(h);
    }
    if (missing.size > 0) {
      const list = SECURITY_HEADERS.filter((h) => missing.has(h));
      out.push({
        code: 'CONFIG_SECURITY_HEADERS_MISSING',
        ...at(server.node!),
        directive: 'add_header',
        evidence: [`the TLS server block (${where(server.node!)}) sends no ${list.join(', ')} on its answers${list.includes('strict-transport-security') ? ': without HSTS a browser keeps trying plain http first, where the redirect can be intercepted' : ''}`],
        details: { missing: list.join(','), hsts: list.includes('strict-transport-security') },
      });
    }
  }

  // CORS: a preflight answered by nginx needs Access-Control-Allow-Origin on that answer; CORS
  // headers without an OPTIONS answer send the preflight to the API, which refuses it (401/404/405).
  for (const l of locations) {
    const ifs = l.scope.directives.filter((d) => d.name === 'if' && d.block && /\$request_method/.test(d.args.join(' ')) && /OPTIONS/.test(d.args.join(' ')));
    const answers = ifs.filter((d) => d.block!.some((x) => x.name === 'return' && /^2\d\d$/.test(x.args[0] ?? '')));
    const locHeaders = names(effectiveArray(l.scope, 'add_header'));
    const corsHere = own(l.scope, 'add_header').some((d) => /^access-control-allow-origin$/i.test(d.args[0] ?? ''));
    for (const a of answers) {
      const inIf = a.block!.filter((x) => x.name === 'add_header');
      const sent = inIf.length > 0 ? names(inIf) : locHeaders;
      if (!sent.includes('access-control-allow-origin')) {
        out.push({
          code: 'CONFIG_CORS_PREFLIGHT_INCOMPLETE',
          ...at(a),
          directive: 'add_header',
          evidence: [`location ${l.path} answers the OPTIONS preflight itself (${where(a)}) without Access-Control-Allow-Origin: the browser refuses the request that was to follow`],
          details: { location: l.path, missing: 'access-control-allow-origin' },
        });
      }
    }
    if (corsHere && answers.length === 0 && own(l.scope, 'limit_except').length === 0 && proxyPassOf(l)) {
      out.push({
        code: 'CONFIG_CORS_PREFLIGHT_INCOMPLETE',
        ...at(l.scope.node!),
        directive: 'if',
        evidence: [`location ${l.path} (${where(l.scope.node!)}) sets CORS headers but passes the OPTIONS preflight on to the API, which answers it like any request without a key (401, 404 or 405): the browser then refuses the call`],
        details: { location: l.path, missing: 'options-answer' },
      });
    }
  }
  return out;
}
