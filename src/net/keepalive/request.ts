/**
 * The bytes of the keep-alive probe's request: the http stage's key-check request (same method,
 * path, headers, and the same rule on when the key may be sent), as HTTP/1.1 that asks to keep
 * the connection open. The bytes may carry the key: they are written to the socket, never kept.
 */
import { planKeyCheck } from '../http/request.js';
import type { RunContext } from '../../stages/types.js';
import { formatHost } from '../../target.js';

export interface KeepaliveRequest {
  method: string;
  bytes: Buffer;
}

export function keepaliveRequest(ctx: RunContext): KeepaliveRequest {
  const plan = planKeyCheck(ctx);
  const t = ctx.config.target;
  const defaultPort = t.scheme === 'https' ? 443 : 80;
  const host = `${formatHost(t.host)}${t.port === defaultPort ? '' : `:${t.port}`}`;
  const lines = [`${plan.spec.method} ${plan.spec.path} HTTP/1.1`, `host: ${host}`];
  for (const [k, v] of Object.entries(plan.spec.headers)) if (!/^(host|connection|content-length|keep-alive|transfer-encoding)$/i.test(k)) lines.push(`${k}: ${v}`);
  const body = plan.spec.body;
  if (body !== undefined) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  lines.push('connection: keep-alive');
  const head = `${lines.join('\r\n')}\r\n\r\n`;
  return { method: plan.spec.method, bytes: Buffer.concat([Buffer.from(head), Buffer.from(body ?? '')]) };
}
