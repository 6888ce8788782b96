/**
 * `-v`: the http stage's (and with --stream the streaming request's) request and response heads as `curl -v` shows them (`> ` sent, `< `
 * received), credentials redacted. Read from the report, so it shows exactly what was recorded.
 */
import type { Report } from '../report.js';
import { formatHost } from '../target.js';

export function verboseHeads(report: Report): string {
  const http = report.stages.find((s) => s.id === 'http');
  if (!http || http.status === 'skip') return `* http: ${http?.summary ?? 'not run'}\n`;
  const d = http.data as {
    request?: { method?: string; path?: string; headers?: Record<string, string> };
    httpVersion?: string;
    status?: number;
    headers?: Record<string, string>;
    requestIds?: Record<string, string>;
    error?: { code?: string; fact?: string; phase?: string };
  };
  const t = report.target;
  const out: string[] = [`* ${t.via === 'proxy' ? `via proxy ${t.proxy ?? ''} to` : 'connected to'} ${formatHost(t.host)}:${t.port}`];
  const req = d.request ?? {};
  out.push(`> ${req.method ?? 'GET'} ${req.path ?? '/'} HTTP/1.1`, `> host: ${formatHost(t.host)}${t.port === (t.url.startsWith('https') ? 443 : 80) ? '' : `:${t.port}`}`);
  for (const [k, v] of Object.entries(req.headers ?? {})) out.push(`> ${k}: ${v}`);
  out.push('>');
  if (d.status !== undefined) {
    out.push(`< HTTP/${d.httpVersion ?? '1.1'} ${d.status}`);
    for (const [k, v] of Object.entries(d.headers ?? {})) out.push(`< ${k}: ${v}`);
    out.push('<');
  } else if (d.error) out.push(`* no response: ${d.error.code ?? d.error.fact ?? 'error'} (phase ${d.error.phase ?? '?'})`);
  out.push(...streamHeads(report));
  return `${out.join('\n')}\n`;
}

/** The streaming request's heads (--stream), after the http stage's: what went out and what came back. */
function streamHeads(report: Report): string[] {
  const s = report.stages.find((x) => x.id === 'stream');
  if (!s || s.status === 'skip') return [];
  const d = s.data as {
    request?: { method?: string; path?: string; headers?: Record<string, string> };
    status?: number;
    headers?: Record<string, string>;
    end?: { kind?: string };
  };
  const t = report.target;
  const req = d.request ?? {};
  const out = ['*', `* stream: the streaming request`, `> ${req.method ?? 'POST'} ${req.path ?? '/'} HTTP/1.1`, `> host: ${formatHost(t.host)}${t.port === (t.url.startsWith('https') ? 443 : 80) ? '' : `:${t.port}`}`];
  for (const [k, v] of Object.entries(req.headers ?? {})) out.push(`> ${k}: ${v}`);
  out.push('>');
  if (d.status !== undefined) {
    out.push(`< HTTP/1.1 ${d.status}`);
    for (const [k, v] of Object.entries(d.headers ?? {})) out.push(`< ${k}: ${v}`);
    out.push('<');
  } else out.push(`* no response: ${d.end?.kind ?? 'error'}`);
  return out;
}
