/**
 * The exporter's HTTP server, in the way of blackbox_exporter: `/probe` runs one diagnosis and
 * answers with its metrics, `/metrics` the exporter's own, `/` a status page. A bounded number of
 * probes run at once (more are refused with 503, which Prometheus records as a failed scrape);
 * each probe's time comes from Prometheus's X-Prometheus-Scrape-Timeout-Seconds header less an
 * offset, as blackbox does; close() drains: no new probe starts, the running ones finish.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diagnoseOne } from '../fleet/run.js';
import type { Report } from '../report.js';
import { Redactor } from '../secret.js';
import { ExporterStats, renderProbe, TEXT_FORMAT } from './exposition.js';
import { statusPage, type RecentProbe } from './status.js';
import { addConfigSecrets, addUrlSecrets, BadProbe, type ProbeTargets } from './targets.js';
import { KeyFileError, KeyFiles } from './key-files.js';
import { clockMs } from '../clock.js';

export interface ExporterOptions {
  host: string;
  port: number;
  targets: ProbeTargets;
  maxInFlight: number;
  env: Record<string, string | undefined>;
  version: string;
  /** Seconds taken off Prometheus's scrape timeout, so the answer arrives in time (blackbox: 0.5). */
  timeoutOffset?: number;
}

export interface Exporter {
  url: string;
  port: number;
  stats: ExporterStats;
  /** Stop accepting probes, let the running ones finish, then close. */
  drain(): Promise<void>;
}

/** Without the header, blackbox allows 120 s; so do we. */
const DEFAULT_SCRAPE_TIMEOUT_S = 120;

/** The probe's time budget in seconds, from Prometheus's header (blackbox's rule), or a BadProbe. */
export function probeTimeoutSeconds(header: string | undefined, offset: number): number {
  let t = DEFAULT_SCRAPE_TIMEOUT_S;
  if (header !== undefined && header !== '') {
    t = Number(header);
    if (!Number.isFinite(t) || t <= 0) throw new BadProbe(`X-Prometheus-Scrape-Timeout-Seconds: "${header}" is not a positive number of seconds`);
  }
  return t - offset > 0 ? t - offset : t;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

/** A refusal: one line of text, as blackbox answers. */
function refuse(res: ServerResponse, status: number, line: string, extra: Record<string, string> = {}): void {
  // One line, and a short one: a 16 KB target parameter is not sent back whole.
  const one = line.replace(/[\r\n]+/g, ' ');
  send(res, status, 'text/plain; charset=utf-8', `${one.length > 400 ? `${one.slice(0, 400)}...` : one}\n`, extra);
}

export async function startExporter(o: ExporterOptions): Promise<Exporter> {
  const stats = new ExporterStats();
  const recent: RecentProbe[] = [];
  let draining = false;
  let idle: (() => void) | undefined;
  const offset = o.timeoutOffset ?? 0.5;
  // A key file is read again when it changes: a rotated key is used without a restart.
  const keyFiles = new KeyFiles(o.targets.secrets);

  async function probe(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    if (draining) {
      stats.countRefused('draining');
      return refuse(res, 503, 'the exporter is shutting down', { connection: 'close' });
    }
    let timeoutS: number;
    let target;
    const module = query.get('module');
    try {
      timeoutS = probeTimeoutSeconds(req.headers['x-prometheus-scrape-timeout-seconds'] as string | undefined, offset);
      target = await o.targets.resolve(query.get('target'), module);
    } catch (e) {
      if (!(e instanceof BadProbe)) throw e;
      stats.countRefused('bad_request');
      // The line may quote the target asked for: a ?key= or a password in it is not repeated.
      const quoted = new Redactor();
      addUrlSecrets(quoted, query.get('target'));
      return refuse(res, 400, o.targets.secrets.scrub(quoted.scrub(e.message)));
    }
    try {
      target = await keyFiles.current(target);
    } catch (e) {
      if (!(e instanceof KeyFileError)) throw e;
      stats.countRefused('key_file');
      return refuse(res, 500, o.targets.secrets.scrub(e.message));
    }
    if (stats.inFlight >= o.maxInFlight) {
      stats.countRefused('overloaded');
      return refuse(res, 503, `${stats.inFlight} probes in flight, the most --max-in-flight allows; scrape less often or raise it`, { 'retry-after': '1' });
    }
    stats.inFlight++;
    const t0 = clockMs();
    // The probe ends at the scrape's deadline, or when Prometheus hangs up.
    const gone = new AbortController();
    res.once('close', () => gone.abort(new Error('client closed')));
    const interrupt = AbortSignal.any([AbortSignal.timeout(Math.ceil(timeoutS * 1000)), gone.signal]);
    const config = { ...target.config, timeoutMs: Math.min(target.config.timeoutMs, Math.max(1, Math.floor(timeoutS * 1000))) };
    const redactor = new Redactor();
    addConfigSecrets(redactor, target);
    addUrlSecrets(redactor, query.get('target'));
    let report: Report;
    try {
      report = await diagnoseOne({ ...target, config }, { env: o.env, interrupt, redactor });
    } finally {
      stats.inFlight--;
      if (stats.inFlight === 0) idle?.();
    }
    const seconds = (clockMs() - t0) / 1000;
    const ok = report.verdict !== 'failed' && !report.interrupted;
    stats.countProbe(module ?? '', ok ? 'success' : 'failure');
    stats.durations.observe(seconds);
    recent.unshift({ at: report.startedAt, target: o.targets.secrets.scrub(redactor.scrub(target.name)), module: module ?? '', verdict: report.verdict, rootCause: report.rootCause, exitCode: report.exitCode, ms: report.durationMs });
    recent.length = Math.min(recent.length, 50);
    if (!res.destroyed) send(res, 200, TEXT_FORMAT, redactor.scrub(renderProbe(report, timeoutS)));
  }

  // A slow client (headers trickled in, a request never finished) is cut off, as a scrape is
  // one short GET: it cannot hold a socket for Node's default five minutes.
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, connectionsCheckingInterval: 1_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://exporter');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, `${req.method} is not served; use GET`, { allow: 'GET, HEAD' });
    const handle = async () => {
      switch (url.pathname) {
        case '/probe':
          return probe(req, res, url.searchParams);
        case '/metrics':
          return send(res, 200, TEXT_FORMAT, stats.render(o.maxInFlight, o.version));
        case '/':
          return send(res, 200, 'text/html; charset=utf-8', o.targets.secrets.scrub(statusPage({ version: o.version, file: o.targets.file, recent, inFlight: stats.inFlight, maxInFlight: o.maxInFlight, draining })));
        default:
          return refuse(res, 404, `${url.pathname} is not here; try /probe?target=NAME, /metrics or /`);
      }
    };
    handle().catch((e: unknown) => {
      if (!res.headersSent) refuse(res, 500, o.targets.secrets.scrub(`internal error: ${e instanceof Error ? e.message : String(e)}`));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostText = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostText}:${addr.port}`,
    port: addr.port,
    stats,
    async drain() {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (stats.inFlight > 0) await new Promise<void>((r) => (idle = r));
      server.closeAllConnections();
      await closed;
    },
  };
}
