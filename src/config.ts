/** Flags + environment -> Config. Pure: throws UsageError, touches no files or sockets. */
import { isIP } from './net/is-ip.js';
import { UsageError } from './errors.js';
import { parseProxyUrl } from './net/proxy/env.js';
import { parseOutputMode } from './safe-io/output.js';
import type { ProviderName } from './report.js';
import { parseTarget, splitHostPort, parsePort, type Target } from './target.js';
import { parseCapture, parseSampling, type RawSamplingOptions, type SamplingConfig } from './sample/options.js';
import { parseCurlOptions, type CurlOptionsConfig, type RawCurlOptions } from './curlopts/options.js';
import { gatewayOptions, type GatewayOptions } from './config-gateway.js';

export const PROVIDERS: readonly ProviderName[] = ['openai', 'anthropic', 'azure-openai', 'gemini', 'openai-compatible', 'generic'];
export const FORMATS = ['human', 'json', 'md', 'junit', 'openmetrics', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/** The key variable each provider reads by default. */
export const DEFAULT_KEY_ENV: Record<ProviderName, string | undefined> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'azure-openai': 'AZURE_OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
  'openai-compatible': 'OPENAI_API_KEY',
  generic: undefined,
};

/** A `--resolve host:port:addr` pin, as curl takes it. */
export interface ResolvePin {
  host: string; // '*' matches any host
  port: number;
  addresses: string[];
}

/** A DNS server to ask directly (`--resolver`). */
export interface ResolverAddr {
  address: string;
  port: number;
}

export type KeySource =
  | { kind: 'env'; variable: string; explicit: boolean }
  | { kind: 'file'; path: string }
  | { kind: 'stdin' }
  | { kind: 'none' };

export interface Config extends CurlOptionsConfig {
  target: Target;
  provider: ProviderName;
  /** Whether the provider was given (true) or inferred from the host (false). */
  providerExplicit: boolean;
  keySource: KeySource;
  resolvers: ResolverAddr[];
  resolve: ResolvePin[];
  caFile?: string;
  /** An explicit forward proxy (`--proxy`), as typed. */
  proxy?: string;
  /** `--no-proxy`: ignore the proxy variables. */
  noProxy: boolean;
  /** Budget for each stage, in milliseconds. */
  timeoutMs: number;
  stream: boolean;
  mtu: boolean;
  /** `--http2`: offer h2 by ALPN and let the HTTP client use it (undici's allowH2), as curl and browsers do. */
  http2?: boolean;
  format: Format;
  output?: string;
  /** Format of the --output file: --format when it is a report format (json, md, junit, openmetrics), else the file's extension (.json .md .xml .prom), else json. */
  outputFormat?: Format;
  /** `--output-mode`: the file mode of the --output file (default by format: 0644 for openmetrics, else 0600). */
  outputMode?: number;
  strict: boolean;
  model?: string;
  compareDirect: boolean;
  /** `--allow-insecure-key`: send the key even over plain http to a host that is not this machine. */
  allowInsecureKey: boolean;
  /** `--keepalive`: measure how long an idle keep-alive connection survives (src/net/keepalive). */
  keepalive?: boolean;
  /** `--keepalive-max`: the longest idle time the keep-alive probe tries, in ms (default: timeoutMs). */
  keepaliveMaxMs?: number;
  /** A sampled run (`--repeat`, `--duration` ...); undefined for a single run. */
  sampling?: SamplingConfig;
  /** `--capture <file.pcap>`: record the run's packets with tcpdump. */
  capture?: string;
  /** `--gateway` and its companions: checks of the reverse proxy in front of the API (src/config-gateway.ts). */
  gateway?: GatewayOptions;
}

/** The options as commander hands them over (all strings or booleans). */
export interface RawOptions extends RawSamplingOptions, RawCurlOptions {
  provider?: string;
  apiKeyEnv?: string;
  apiKeyFile?: string;
  resolver?: string[];
  resolve?: string[];
  ca?: string;
  proxy?: string | boolean; // commander gives `false` for --no-proxy
  timeout?: string;
  stream?: boolean;
  mtu?: boolean;
  http2?: boolean;
  json?: boolean;
  format?: string;
  output?: string;
  outputMode?: string;
  strict?: boolean;
  model?: string;
  compareDirect?: boolean;
  allowInsecureKey?: boolean;
  keepalive?: boolean;
  keepaliveMax?: string;
  gateway?: boolean;
  origin?: string;
  burst?: string;
  httpPort?: string;
  wsIdle?: string;
}

/** `2s`, `500ms`, `1.5s`, `1m`, or a bare number of seconds (as curl's -m). */
export function parseDuration(text: string, what = '--timeout'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: "${text}" is not a duration; write 2s, 500ms or 1m`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
  if (!(ms >= 1)) throw new UsageError(`${what}: "${text}" is too short; give at least 1ms`);
  if (ms > 3_600_000) throw new UsageError(`${what}: "${text}" is longer than one hour`);
  return Math.round(ms);
}

/**
 * The provider a host implies; for any other host, a base path whose last segment is `v1`
 * (`/v1`, `/api/v1`, `/openai/v1`) means the OpenAI wire format, the de facto standard of
 * self-hosted servers and gateways (vLLM, Ollama, LM Studio, LiteLLM, OpenRouter).
 */
export function inferProvider(host: string, basePath = ''): ProviderName {
  if (host === 'api.openai.com') return 'openai';
  if (host === 'api.anthropic.com') return 'anthropic';
  if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com')) return 'azure-openai';
  if (host === 'generativelanguage.googleapis.com') return 'gemini';
  if (/(^|\/)v1$/i.test(basePath)) return 'openai-compatible';
  return 'generic';
}

export function parseResolver(text: string): ResolverAddr {
  const { host, port } = splitHostPort(text.trim(), '--resolver');
  if (!isIP(host)) throw new UsageError(`--resolver: "${text}" is not an IP address (write 1.1.1.1, 127.0.0.1:5353 or [::1]:53)`);
  return { address: host, port: port ?? 53 };
}

export function parseResolvePin(text: string): ResolvePin {
  // host:port:addr[,addr...]; addr may be [v6].
  const m = /^([^:]+):(\d+):(.+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--resolve: "${text}" must be host:port:address, e.g. api.openai.com:443:127.0.0.1`);
  const host = m[1]!.toLowerCase();
  const port = parsePort(m[2]!, '--resolve');
  const addresses = m[3]!.split(',').map((a) => {
    const addr = a.trim().replace(/^\[(.*)\]$/, '$1');
    if (!isIP(addr)) throw new UsageError(`--resolve: "${a}" is not an IP address (write 127.0.0.1 or [::1])`);
    return addr;
  });
  return { host, port, addresses };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Formats meant for a terminal or a CI log, not for a report file. */
const CONSOLE_FORMATS: readonly Format[] = ['human', 'github'];

/** The format a file's extension names (.json .md .xml .prom), if any. */
export function formatFromExtension(file: string): Format | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase();
  switch (ext) {
    case 'json':
      return 'json';
    case 'md':
    case 'markdown':
      return 'md';
    case 'xml':
      return 'junit';
    case 'prom':
    case 'om':
      return 'openmetrics';
    default:
      return undefined;
  }
}

/** Build the Config from the target argument and raw options. */
export function buildConfig(targetText: string | undefined, raw: RawOptions): Config {
  if (targetText === undefined) throw new UsageError('missing target; try: diagnose api.openai.com');
  const target = parseTarget(targetText);

  let provider: ProviderName;
  let providerExplicit = false;
  if (raw.provider !== undefined) {
    if (!(PROVIDERS as readonly string[]).includes(raw.provider)) {
      throw new UsageError(`--provider: "${raw.provider}" is not one of ${PROVIDERS.join(', ')}`);
    }
    provider = raw.provider as ProviderName;
    providerExplicit = true;
  } else {
    provider = inferProvider(target.host, target.basePath);
  }

  if (raw.apiKeyEnv !== undefined && raw.apiKeyFile !== undefined) {
    throw new UsageError('--api-key-env and --api-key-file both given; choose one');
  }
  let keySource: KeySource;
  if (raw.apiKeyFile !== undefined) {
    if (raw.apiKeyFile === '') throw new UsageError('--api-key-file: empty path; give a file, or - for stdin');
    keySource = raw.apiKeyFile === '-' ? { kind: 'stdin' } : { kind: 'file', path: raw.apiKeyFile };
  } else if (raw.apiKeyEnv !== undefined) {
    if (!ENV_NAME.test(raw.apiKeyEnv)) {
      throw new UsageError(`--api-key-env: "${raw.apiKeyEnv}" is not a variable name (the option takes the name, e.g. OPENAI_API_KEY, never the key itself)`);
    }
    keySource = { kind: 'env', variable: raw.apiKeyEnv, explicit: true };
  } else {
    const variable = DEFAULT_KEY_ENV[provider];
    keySource = variable ? { kind: 'env', variable, explicit: false } : { kind: 'none' };
  }

  let format: Format = 'human';
  if (raw.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(raw.format)) {
      throw new UsageError(`--format: "${raw.format}" is not one of ${FORMATS.join(', ')}`);
    }
    format = raw.format as Format;
  }
  if (raw.json) {
    if (raw.format !== undefined && raw.format !== 'json') {
      throw new UsageError(`--json and --format ${raw.format} disagree; give one of them`);
    }
    format = 'json';
  }

  let outputFormat: Format | undefined;
  if (raw.output !== undefined) {
    if (raw.output === '') throw new UsageError('--output: empty path');
    // A report format given with --format names the file's format too. The console formats
    // (human, github) do not belong in a file: then the extension decides, so
    // `--format github --output report.json` annotates on stdout and keeps the JSON.
    const explicitFormat = (raw.format !== undefined || raw.json) && !CONSOLE_FORMATS.includes(format);
    outputFormat = explicitFormat ? format : (formatFromExtension(raw.output) ?? 'json');
  }

  let proxy: string | undefined;
  let noProxy = false;
  if (raw.proxy === false) noProxy = true;
  else if (typeof raw.proxy === 'string') {
    proxy = raw.proxy;
    // '' means "no proxy" (as curl); anything else must be a usable proxy URL. The message never
    // repeats the value: it may hold a password.
    const parsed = proxy.trim() === '' ? undefined : parseProxyUrl(proxy);
    if (parsed && !parsed.ok) throw new UsageError(`--proxy: the proxy URL ${parsed.problem}`);
  }

  return {
    target,
    provider,
    providerExplicit,
    keySource,
    resolvers: (raw.resolver ?? []).map(parseResolver),
    resolve: (raw.resolve ?? []).map(parseResolvePin),
    caFile: raw.ca,
    proxy,
    noProxy,
    timeoutMs: raw.timeout !== undefined ? parseDuration(raw.timeout) : 10_000,
    stream: raw.stream ?? false,
    mtu: raw.mtu ?? false,
    ...(raw.http2 ? { http2: true } : {}),
    format,
    output: raw.output,
    outputFormat,
    ...(raw.outputMode !== undefined ? { outputMode: parseOutputMode(raw.outputMode) } : {}),
    strict: raw.strict ?? false,
    model: raw.model,
    compareDirect: raw.compareDirect ?? false,
    allowInsecureKey: raw.allowInsecureKey ?? false,
    ...keepaliveOptions(raw),
    sampling: parseSampling(raw),
    capture: parseCapture(raw.capture),
    ...parseCurlOptions(raw),
    ...gatewayOptions(raw, target),
  };
}

/** `--keepalive` and `--keepalive-max <d>` (the latter only makes sense with the former). */
function keepaliveOptions(raw: RawOptions): Pick<Config, 'keepalive' | 'keepaliveMaxMs'> {
  if (raw.keepaliveMax !== undefined && !raw.keepalive) throw new UsageError('--keepalive-max needs --keepalive (e.g. --keepalive --keepalive-max 30s)');
  if (!raw.keepalive) return {};
  if (raw.keepaliveMax === undefined) return { keepalive: true };
  const ms = parseDuration(raw.keepaliveMax, '--keepalive-max');
  if (ms < 500) throw new UsageError(`--keepalive-max: "${raw.keepaliveMax}" is too short; give at least 500ms`);
  if (ms > 900_000) throw new UsageError(`--keepalive-max: "${raw.keepaliveMax}" is longer than 15m`);
  return { keepalive: true, keepaliveMaxMs: ms };
}

/** The `--resolve` pin that applies to host:port, if any (exact host first, then `*`). */
export function pinFor(pins: ResolvePin[], host: string, port: number): ResolvePin | undefined {
  return pins.find((p) => p.host === host && p.port === port) ?? pins.find((p) => p.host === '*' && p.port === port);
}
