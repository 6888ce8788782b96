/**
 * Who answered a CONNECT, and what its refusal page says (pure). Forward proxies name themselves in
 * Server and Via, or in headers of their own; their pages bury one useful sentence under a title,
 * a stylesheet and a footer.
 */

/** Forward-proxy products told apart by their headers; checked in order, first match wins. */
const PRODUCTS: Array<{ name: string; test: (h: Record<string, string>) => boolean }> = [
  { name: 'squid', test: (h) => h['x-squid-error'] !== undefined || /squid/i.test(h['via'] ?? '') || /squid/i.test(h['server'] ?? '') },
  { name: 'tinyproxy', test: (h) => /tinyproxy/i.test(h['server'] ?? '') || /tinyproxy/i.test(h['via'] ?? '') },
  { name: 'zscaler', test: (h) => /zscaler/i.test(h['server'] ?? '') || Object.keys(h).some((k) => k.startsWith('x-zscaler')) },
  { name: 'bluecoat', test: (h) => /blue ?coat|proxysg/i.test(h['via'] ?? '') || h['x-bluecoat-via'] !== undefined },
  { name: 'mcafee-web-gateway', test: (h) => /mcafee web gateway|mwg/i.test(h['via'] ?? '') },
  { name: 'fortigate', test: (h) => /fortigate|fortinet/i.test(`${h['server'] ?? ''} ${h['via'] ?? ''}`) },
  { name: 'privoxy', test: (h) => /privoxy/i.test(`${h['server'] ?? ''} ${h['via'] ?? ''}`) || h['x-privoxy-error'] !== undefined },
  { name: 'apache', test: (h) => /^apache\b/i.test(h['server'] ?? '') },
];

/** Which product answered, from the proxy's own headers (`unknown` when none says). */
export function proxyIntermediary(headers: Record<string, string>): string {
  for (const p of PRODUCTS) if (p.test(headers)) return p.name;
  const via = headers['via'] ?? '';
  const server = headers['server'] ?? '';
  for (const name of ['envoy', 'nginx', 'haproxy']) if (new RegExp(name, 'i').test(server) || new RegExp(name, 'i').test(via)) return name;
  return 'unknown';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_m, e: string) => ENTITIES[e] ?? _m);
const squash = (s: string) => decode(s.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** Block-level tags: text on either side of them is a separate piece. */
const BLOCKS = /<\/?(?:h[1-6]|p|div|li|br|tr|td|th|blockquote|pre|hr|body|html|ul|ol|table|section|header|footer|center)\b[^>]*>/i;

/**
 * The gist of a refusal page: its title, then the first pieces of visible text that say more than
 * the title (headings that repeat it are dropped), at most `max` characters. Plain text pages give
 * their text. Undefined when nothing readable is left.
 */
export function bodyGist(body: string | undefined, max = 240): string | undefined {
  if (!body) return undefined;
  const title = squash(/<title[^>]*>([\s\S]{1,400}?)<\/title>/i.exec(body)?.[1] ?? '');
  const html = body
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script|head|title)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  const t = norm(title);
  const pieces = html
    .split(BLOCKS)
    .map(squash)
    .filter((p) => p !== '' && !(t !== '' && t.includes(norm(p))));
  const rest = pieces.join(' ');
  const text = title !== '' && rest !== '' ? `${title}: ${rest}` : title || rest;
  if (text === '') return undefined;
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))} …`;
}
