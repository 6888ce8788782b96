/** The exporter's `/` page: what it serves, and the latest probes (as blackbox's page lists them). */
import type { TargetsFile } from '../fleet/config-file.js';

export interface RecentProbe {
  at: string;
  target: string;
  module: string;
  verdict: string;
  rootCause?: string;
  exitCode: number;
  ms: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function statusPage(p: { version: string; file: TargetsFile; recent: RecentProbe[]; inFlight: number; maxInFlight: number; draining: boolean }): string {
  const link = (target: string, module = '') => `/probe?target=${encodeURIComponent(target)}${module ? `&module=${encodeURIComponent(module)}` : ''}`;
  const targets = p.file.targets.map((t) => `<tr><td><a href="${esc(link(t.name))}">${esc(t.name)}</a></td><td>${esc(t.url)}</td></tr>`).join('\n');
  const modules = [...p.file.modules.keys()].map((m) => `<li>${esc(m)}</li>`).join('');
  const rows = p.recent
    .map((r) => `<tr><td>${esc(r.at)}</td><td>${esc(r.target)}</td><td>${esc(r.module)}</td><td>${esc(r.verdict)}</td><td>${r.exitCode}</td><td>${esc(r.rootCause ?? '')}</td><td>${r.ms} ms</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>upstream-doctor exporter</title></head>
<body>
<h1>upstream-doctor exporter ${esc(p.version)}</h1>
<p>${p.draining ? 'shutting down: ' : ''}${p.inFlight} of at most ${p.maxInFlight} probes in flight · <a href="/metrics">/metrics</a> · config ${esc(p.file.file)}</p>
<h2>Targets</h2>
<table><tr><th>name</th><th>url</th></tr>
${targets}
</table>
<h2>Modules</h2>
<ul>${modules || '<li>none</li>'}</ul>
<h2>Recent probes</h2>
<table><tr><th>started</th><th>target</th><th>module</th><th>verdict</th><th>exit</th><th>root cause</th><th>time</th></tr>
${rows}
</table>
</body></html>
`;
}
