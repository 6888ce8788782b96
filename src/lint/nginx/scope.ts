/** nginx's inheritance: a directive applies from the innermost level (location, server, http) that sets it. */
import type { NginxDirective } from './parse.js';

export interface Scope {
  kind: 'main' | 'http' | 'server' | 'location' | 'upstream';
  node?: NginxDirective;
  directives: NginxDirective[];
  parent?: Scope;
}

/** Directives of a level by name, indexed once: a server with 10^5 locations stays linear. */
const index = new WeakMap<Scope, Map<string, NginxDirective[]>>();

export function own(scope: Scope, name: string): NginxDirective[] {
  let byName = index.get(scope);
  if (!byName) {
    byName = new Map();
    for (const d of scope.directives) {
      if (d.block) continue;
      const list = byName.get(d.name);
      if (list) list.push(d);
      else byName.set(d.name, [d]);
    }
    index.set(scope, byName);
  }
  return byName.get(name) ?? [];
}

/** The directive in force (the last one of the innermost level that has one). */
export function effective(scope: Scope | undefined, name: string): NginxDirective | undefined {
  for (let s = scope; s; s = s.parent) {
    const found = own(s, name);
    if (found.length > 0) return found[found.length - 1];
  }
  return undefined;
}

/**
 * Array directives (proxy_set_header, add_header, limit_req): a level that sets any of them
 * replaces, rather than extends, those of the levels above.
 */
export function effectiveArray(scope: Scope | undefined, name: string): NginxDirective[] {
  for (let s = scope; s; s = s.parent) {
    const found = own(s, name);
    if (found.length > 0) return found;
  }
  return [];
}

export interface Location {
  scope: Scope;
  /** `/api/`, `= /x`, `~ ^/v1/`. */
  path: string;
  /** The server block it belongs to. */
  server: Scope;
}

/** Servers, locations (nested too) and upstream blocks of a parsed configuration. */
export function collect(tree: NginxDirective[]): { servers: Scope[]; locations: Location[]; upstreams: Map<string, Scope>; http: Scope } {
  const main: Scope = { kind: 'main', directives: tree };
  // A conf.d snippet has server blocks at its top: its top level stands in for http.
  const httpNode = tree.find((d) => d.name === 'http' && d.block);
  const http: Scope = httpNode ? { kind: 'http', node: httpNode, directives: httpNode.block!, parent: main } : { kind: 'http', directives: tree, parent: main };
  const servers: Scope[] = [];
  const locations: Location[] = [];
  const upstreams = new Map<string, Scope>();
  const walkLocations = (parent: Scope, server: Scope) => {
    for (const d of parent.directives) {
      if (d.name !== 'location' || !d.block) continue;
      const scope: Scope = { kind: 'location', node: d, directives: d.block, parent };
      locations.push({ scope, path: d.args.join(' '), server });
      walkLocations(scope, server);
    }
  };
  for (const d of http.directives) {
    if (d.name === 'server' && d.block) {
      const s: Scope = { kind: 'server', node: d, directives: d.block, parent: http };
      servers.push(s);
      walkLocations(s, s);
    } else if (d.name === 'upstream' && d.block && d.args[0]) {
      upstreams.set(d.args[0], { kind: 'upstream', node: d, directives: d.block, parent: http });
    }
  }
  return { servers, locations, upstreams, http };
}

/** The proxy_pass of a location, also when it sits in an `if` or `limit_except` block. */
export function proxyPassOf(loc: Location): NginxDirective | undefined {
  const direct = own(loc.scope, 'proxy_pass')[0];
  if (direct) return direct;
  for (const d of loc.scope.directives) if ((d.name === 'if' || d.name === 'limit_except') && d.block) {
    const p = d.block.find((x) => x.name === 'proxy_pass');
    if (p) return p;
  }
  return undefined;
}
