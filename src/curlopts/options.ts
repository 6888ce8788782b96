/**
 * The options people bring from curl: `-H/--header`, `--cert/--key`, `--connect-to` (pure parsing;
 * the files are read in cli.ts). An auth-looking header is a secret: its value goes to the redactor
 * and is printed only as a variable.
 */
import { UsageError } from '../errors.js';
import { parsePort } from '../target.js';
import { isSecretName } from '../redact/secret-names.js';

/** A header given with -H. */
export interface ExtraHeader {
  /** As typed (case kept). */
  name: string;
  value: string;
  /** True for Authorization, x-api-key, api-key ... or a value that looks like a key: never printed. */
  secret: boolean;
}

/** A `--connect-to HOST1:PORT1:HOST2:PORT2` rule, as curl takes it ('' means any / unchanged). */
export interface ConnectTo {
  /** '' matches any host. */
  host: string;
  /** undefined matches any port. */
  port?: number;
  /** '' keeps the target's host. */
  toHost: string;
  /** undefined keeps the target's port. */
  toPort?: number;
}

export interface RawCurlOptions {
  header?: string[];
  cert?: string;
  key?: string;
  connectTo?: string[];
}

export interface CurlOptionsConfig {
  headers?: ExtraHeader[];
  /** `--cert <file>`: PEM client certificate (and key, when no --key). */
  clientCertFile?: string;
  /** `--key <file>`: PEM private key of the client certificate. */
  clientKeyFile?: string;
  connectTo?: ConnectTo[];
}

/** Header names that carry credentials. */
export const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'x-auth-token', 'x-access-token']);

/** Whether a header's name says it carries a credential. */
export function isSecretHeaderName(name: string): boolean {
  return AUTH_HEADERS.has(name.toLowerCase()) || isSecretName(name);
}

/** Whether a header value looks like a credential whatever its name (sk-..., Bearer ..., a long token). */
export function looksLikeKey(value: string): boolean {
  const v = value.trim();
  if (/^(bearer|basic|token|apikey)\s+\S/i.test(v)) return true;
  if (/^(sk|pk|rk|ak|key|sess)[-_][A-Za-z0-9_-]{8,}$/i.test(v)) return true;
  if (/^AIza[0-9A-Za-z_-]{20,}$/.test(v)) return true;
  // A long run of token characters with letters and digits mixed, or with both cases (a random
  // token without a digit, one in a thousand of 40 characters): an opaque credential. Telling a
  // CamelCase word from one is not attempted: a value masked for nothing costs less than a leak.
  if (v.length < 24 || !/^[A-Za-z0-9_\-.+/=]+$/.test(v) || /^[0-9a-f-]{36}$/i.test(v)) return false;
  return /[A-Za-z]/.test(v) && (/[0-9]/.test(v) || (/[a-z]/.test(v) && /[A-Z]/.test(v)));
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the tool sets itself from the target: a -H for them would make the probe lie. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade']);

export function parseHeader(text: string): ExtraHeader {
  const i = text.indexOf(':');
  const name = i < 0 ? '' : text.slice(0, i).trim();
  if (i < 0 || name === '' || !TOKEN.test(name)) throw new UsageError(`-H/--header: expected "Name: value", e.g. -H "OpenAI-Organization: org-123"`);
  if (RESERVED.has(name.toLowerCase())) throw new UsageError(`-H/--header: ${name} is set by the tool itself from the target; leave it out`);
  const value = text.slice(i + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new UsageError(`-H/--header ${name}: the value holds a line break or NUL`);
  return { name, value, secret: isSecretHeaderName(name) || looksLikeKey(value) };
}

function connectHost(text: string): string {
  const h = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return h.toLowerCase();
}

/** `HOST1:PORT1:HOST2:PORT2`; hosts may be [v6] literals; any part may be empty. */
export function parseConnectTo(text: string): ConnectTo {
  const m = /^(\[[^\]]*\]|[^:[\]]*):(\d*):(\[[^\]]*\]|[^:[\]]*):(\d*)$/.exec(text.trim());
  if (!m) throw new UsageError(`--connect-to: "${text}" must be HOST1:PORT1:HOST2:PORT2, e.g. api.openai.com:443:gateway.internal:8443 (empty parts mean any / unchanged)`);
  const rule: ConnectTo = { host: connectHost(m[1]!), toHost: connectHost(m[3]!) };
  if (m[2] !== '') rule.port = parsePort(m[2]!, '--connect-to');
  if (m[4] !== '') rule.toPort = parsePort(m[4]!, '--connect-to');
  if (rule.toHost === '' && rule.toPort === undefined) throw new UsageError(`--connect-to: "${text}" changes nothing; give HOST2, PORT2 or both`);
  return rule;
}

export function parseCurlOptions(raw: RawCurlOptions): CurlOptionsConfig {
  const out: CurlOptionsConfig = {};
  if (raw.header && raw.header.length > 0) out.headers = raw.header.map(parseHeader);
  if (raw.key !== undefined && raw.cert === undefined) throw new UsageError('--key needs --cert (the client certificate it belongs to)');
  if (raw.cert !== undefined) {
    if (raw.cert === '') throw new UsageError('--cert: empty path');
    out.clientCertFile = raw.cert;
  }
  if (raw.key !== undefined) {
    if (raw.key === '') throw new UsageError('--key: empty path');
    out.clientKeyFile = raw.key;
  }
  if (raw.connectTo && raw.connectTo.length > 0) out.connectTo = raw.connectTo.map(parseConnectTo);
  return out;
}

/** Where a connection to host:port really goes under --connect-to (the first rule that matches, as curl). */
export function connectTarget(rules: readonly ConnectTo[] | undefined, host: string, port: number): { host: string; port: number; rule?: ConnectTo } {
  const r = rules?.find((c) => (c.host === '' || c.host === host) && (c.port === undefined || c.port === port));
  if (!r) return { host, port };
  return { host: r.toHost || host, port: r.toPort ?? port, rule: r };
}

/** A rule as curl's option text (for printed commands). */
export function connectToText(c: ConnectTo): string {
  const h = (x: string) => (x.includes(':') ? `[${x}]` : x);
  return `${h(c.host)}:${c.port ?? ''}:${h(c.toHost)}:${c.toPort ?? ''}`;
}

/**
 * The -H headers to send, lower-cased names (they replace the tool's own, as curl's do). Secret ones
 * are held back, as the key is, over plain http that leaves this machine without --allow-insecure-key.
 */
export function extraHeaders(headers: readonly ExtraHeader[] | undefined, withholdSecrets: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) if (!(h.secret && withholdSecrets)) out[h.name.toLowerCase()] = h.value;
  return out;
}
