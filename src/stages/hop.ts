/** Which host the client talks to first: the target itself, or the forward proxy in front of it. */
import type { RunContext } from './types.js';
import { connectTarget } from '../curlopts/options.js';

export interface Hop {
  host: string;
  port: number;
  /** `proxy` when the first hop is a forward proxy (then the target is reached with CONNECT). */
  kind: 'target' | 'proxy';
}

export function firstHop(ctx: RunContext): Hop {
  const p = ctx.state.proxy;
  if (p) {
    const port = p.url.port !== '' ? Number(p.url.port) : p.url.protocol === 'https:' ? 443 : 80;
    return { host: p.url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port, kind: 'proxy' };
  }
  // --connect-to: the connection goes to HOST2:PORT2 (resolved, pinned and dialled as such); TLS and HTTP still name the target.
  const to = connectTarget(ctx.config.connectTo, ctx.config.target.host, ctx.config.target.port);
  return { host: to.host, port: to.port, kind: 'target' };
}
