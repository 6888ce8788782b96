/** Which configuration language a file is written in, from its content (and name as a hint). */
import { isNginxDump } from './nginx/parse.js';
import type { ConfigKind } from './types.js';

const HAPROXY_SECTION = /^(global|defaults|frontend|backend|listen|resolvers|userlist|peers|cache|program|http-errors|ring|mailers)(\s|$)/m;
const NGINX_WORD = /(^|[\s{;])(http|server|location|upstream|events|stream|proxy_pass|listen|server_name|include|worker_processes|error_log|access_log|map|root|return|add_header)\s[^\n;{]*[;{]/m;
const ENVOY_KEY = /(^|["\s{,])(static_resources|dynamic_resources|admin|layered_runtime|node|overload_manager)"?\s*:/m;

export function detectKind(text: string, path: string): ConfigKind | undefined {
  if (isNginxDump(text)) return 'nginx';
  const body = text.replace(/^\s*#.*$/gm, '');
  if (ENVOY_KEY.test(body) || (/\.(ya?ml|json)$/i.test(path) && /^\s*[{\w"-]/.test(body) && /:\s/.test(body) && !/;\s*$/m.test(body))) return 'envoy';
  if (HAPROXY_SECTION.test(body) && !/^\s*(http|server)\s*\{/m.test(body)) return 'haproxy';
  if (NGINX_WORD.test(body)) return 'nginx';
  return undefined;
}
