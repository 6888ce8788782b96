/** Which host the client talks to first: the target itself, or the forward proxy in front of it. */
import type { RunContext } from './types.js';

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
  return { host: ctx.config.target.host, port: ctx.config.target.port, kind: 'target' };
}
