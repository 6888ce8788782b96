/**
 * The entry cli.ts takes for --repeat / --duration / --capture: sets up the capture and the shared
 * pool of --reuse around the sampling loop (or around one runDoctor for a single captured run).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from '../net/is-ip.js';
import { pinFor, type Config } from '../config.js';
import { runDoctor, type DoctorOptions } from '../doctor.js';
import { chooseProxy, proxyPort } from '../net/proxy/env.js';
import type { Report } from '../report.js';
import { captureFilter, startCapture, type CaptureInfo } from './capture.js';
import { runSampled } from './loop.js';
import { createReusePool } from './pool.js';
import { urlKeys } from '../redact/url-key.js';
import { isLoopbackHost } from '../target.js';

/** The first hop's addresses and port: the proxy's when one applies, else the target's. */
async function firstHopEndpoints(config: Config, env: Record<string, string | undefined>): Promise<Array<{ address: string; port: number }>> {
  const t = config.target;
  const decision = chooseProxy({ scheme: t.scheme as 'http' | 'https', host: t.host, port: t.port, explicit: config.proxy, ignoreEnv: config.noProxy }, env);
  const host = decision.proxy ? decision.proxy.url.hostname.replace(/^\[(.*)\]$/, '$1') : t.host;
  const port = decision.proxy ? proxyPort(decision.proxy.url) : t.port;
  if (isIP(host)) return [{ address: host, port }];
  const pin = pinFor(config.resolve, host, port);
  if (pin) return pin.addresses.map((address) => ({ address, port }));
  try {
    const all = await lookup(host, { all: true });
    return all.map((a) => ({ address: a.address, port }));
  } catch {
    return [];
  }
}

/**
 * What a capture of this run holds in clear: the key (and secret -H values) when the target is
 * plain http, a proxy's password when the proxy is reached over plain http (Proxy-Authorization
 * goes out before any TLS, whatever the target's scheme).
 */
export function clearCredentials(config: Config, opts: Pick<DoctorOptions, 'apiKey' | 'env'>): string[] {
  const out: string[] = [];
  const t = config.target;
  // Over plain http the key goes out only to this machine, or everywhere with --allow-insecure-key.
  const plain = t.scheme === 'http' && (config.allowInsecureKey === true || isLoopbackHost(t.host));
  if (plain && (opts.apiKey || urlKeys(t.query).length > 0)) out.push('the API key (the target is plain http)');
  if (plain && (config.headers ?? []).some((h) => h.secret)) out.push('secret -H header values (the target is plain http)');
  const decision = chooseProxy({ scheme: t.scheme as 'http' | 'https', host: t.host, port: t.port, explicit: config.proxy, ignoreEnv: config.noProxy }, opts.env);
  if (decision.proxy && decision.proxy.url.protocol === 'http:' && decision.proxy.url.password !== '') out.push('the proxy password (Proxy-Authorization to a plain-http proxy)');
  return out;
}

export async function runSampledOrCaptured(config: Config, opts: DoctorOptions): Promise<Report> {
  let capture: Awaited<ReturnType<typeof startCapture>> | undefined;
  if (config.capture !== undefined) capture = await startCapture(captureFilter(await firstHopEndpoints(config, opts.env)), opts.env);
  const windows: Array<[number, number]> = [];
  let report: Report;
  try {
    if (config.sampling) {
      const reuse = config.sampling.reuse ? createReusePool() : undefined;
      report = await runSampled(config, { ...opts, reuse, windows });
    } else report = await runDoctor(config, opts);
  } finally {
    if (capture && 'finish' in capture && config.capture !== undefined) {
      const running = capture;
      capture = await running.finish(config.capture, config.sampling ? windows : undefined).catch(
        (e: unknown): CaptureInfo => ({ packets: 0, filter: running.filter, warning: `the capture could not be written: ${(e as { code?: string }).code ?? String(e)}` }),
      );
    }
  }
  if (capture && !('finish' in capture)) {
    const clear = capture.file !== undefined ? clearCredentials(config, opts) : [];
    report.capture = clear.length > 0 ? { ...capture, credentialsInClear: clear } : capture;
  }
  return report;
}
