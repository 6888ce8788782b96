/**
 * Facts the report formats share, read defensively out of the stages' `data` (whose shapes belong
 * to each stage and grow over time): request ids, the egress address, HTTP status and version,
 * phase timings, certificate expiry. A fact that is not there is `undefined`, never a guess.
 */
import type { Report, StageId, StageResult } from '../report.js';

/** A request id or trace header the endpoint (or an intermediary) sent back. */
export interface RequestIdFact {
  /** The header name, lower case (`x-request-id`, `cf-ray`, ...). */
  name: string;
  value: string;
  /** The stage whose data held it. */
  stage: StageId;
}

/**
 * Headers that identify a request for the provider's or the edge's support: OpenAI and Anthropic
 * (`x-request-id`, `request-id`), Cloudflare (`cf-ray`), Azure (`apim-request-id`, `x-ms-*`),
 * AWS (`x-amzn-*`, `x-amz-cf-id`), Google (`x-cloud-trace-context`), Envoy (`x-envoy-*` ids).
 */
export const REQUEST_ID_HEADERS: readonly string[] = [
  'x-request-id',
  'request-id',
  'cf-ray',
  'apim-request-id',
  'x-ms-request-id',
  'x-ms-client-request-id',
  'x-amzn-requestid',
  'x-amzn-trace-id',
  'x-amz-cf-id',
  'x-cloud-trace-context',
  'x-goog-request-id',
  'x-envoy-request-id',
  'openai-request-id',
  'anthropic-request-id',
];

type Data = Record<string, unknown>;

const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function ranStages(report: Report): StageResult[] {
  return report.stages.filter((s) => s.status !== 'skip');
}

export function stageById(report: Report, id: StageId): StageResult | undefined {
  return report.stages.find((s) => s.id === id);
}

/** Header values come as a string, a list of strings, or something odd from a hostile server. */
function headerValues(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (isNumber(v)) return [String(v)];
  if (Array.isArray(v)) return v.flatMap(headerValues);
  return [];
}

/** Pairs of (name, value) from the shapes stages use: a map, a list of pairs, a list of {name,value}. */
function pairsOf(v: unknown): Array<[string, unknown]> {
  if (isObject(v)) return Object.entries(v);
  if (!Array.isArray(v)) return [];
  return v.flatMap((item): Array<[string, unknown]> => {
    if (Array.isArray(item) && typeof item[0] === 'string') return [[item[0], item[1]]];
    if (isObject(item)) {
      const name = item.name ?? item.header;
      if (typeof name === 'string') return [[name, item.value]];
    }
    return [];
  });
}

/** Request ids and cf-ray values from every stage that ran, deduplicated, in stage order. */
export function requestIdsOf(report: Report): RequestIdFact[] {
  const out: RequestIdFact[] = [];
  const seen = new Set<string>();
  const add = (stage: StageId, name: string, value: unknown) => {
    const lower = name.toLowerCase();
    for (const val of headerValues(value)) {
      const key = `${lower}\n${val}`;
      if (val === '' || seen.has(key)) continue;
      seen.add(key);
      out.push({ name: lower, value: val, stage });
    }
  };
  for (const s of ranStages(report)) {
    const d = s.data;
    // `requestIds` may also be a bare list of values (name unknown).
    if (Array.isArray(d.requestIds) && d.requestIds.every((x) => typeof x === 'string')) {
      for (const v of d.requestIds as string[]) add(s.id, 'request-id', v);
    } else for (const [name, value] of pairsOf(d.requestIds)) add(s.id, name, value);
    // A lone `requestId` repeats one of the named ids as a rule: keep it only when it is new.
    if (typeof d.requestId === 'string' && !out.some((r) => r.value === d.requestId)) add(s.id, 'request-id', d.requestId);
    if (d.cfRay !== undefined) add(s.id, 'cf-ray', d.cfRay);
    for (const [name, value] of pairsOf(d.headers)) {
      if (REQUEST_ID_HEADERS.includes(name.toLowerCase())) add(s.id, name, value);
    }
  }
  return out;
}

/** The local address the connection left from, when a stage recorded it. */
export function egressAddressOf(report: Report): string | undefined {
  for (const id of ['tcp', 'proxy', 'tls', 'http'] as const) {
    const d = stageById(report, id)?.data;
    if (!d) continue;
    // The tcp stage keeps it per attempt: take the attempt of the address later stages used.
    if (Array.isArray(d.attempts)) {
      const chosen = isObject(d.chosen) ? d.chosen.address : undefined;
      const ok = (d.attempts as unknown[]).filter(isObject).filter((a) => a.outcome === 'ok' && typeof a.localAddress === 'string');
      const a = ok.find((x) => x.address === chosen) ?? ok[0];
      if (a) return a.localAddress as string;
    }
    for (const v of [d.egressAddress, d.localAddress, isObject(d.local) ? d.local.address : undefined]) {
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return undefined;
}

/** Phase timings of the HTTP exchange, in milliseconds (see src/stages/http.ts). */
export interface HttpTimings {
  connect?: number;
  tls?: number;
  request?: number;
  firstByte?: number;
  download?: number;
  total?: number;
}

export function httpTimingsOf(report: Report): HttpTimings | undefined {
  const t = stageById(report, 'http')?.data.timings;
  if (!isObject(t)) return undefined;
  const out: HttpTimings = {};
  for (const k of ['connect', 'tls', 'request', 'firstByte', 'download', 'total'] as const) {
    if (isNumber(t[k]) && t[k] >= 0) out[k] = t[k];
  }
  return out;
}

/** The HTTP status the endpoint answered with, when one arrived. */
export function httpStatusOf(report: Report): number | undefined {
  const d = stageById(report, 'http')?.data;
  const v = d?.status ?? d?.statusCode;
  return isNumber(v) && v >= 100 && v <= 999 ? v : undefined;
}

/** `1.1`, `2`, `1.0`: the HTTP version of the answer (from the http stage, else the TLS ALPN). */
export function httpVersionOf(report: Report): number | undefined {
  const fromText = (v: unknown): number | undefined => {
    if (isNumber(v)) return v;
    if (typeof v !== 'string') return undefined;
    const t = v.trim().toLowerCase();
    if (t === 'h2' || t === 'h2c') return 2;
    if (t === 'h3') return 3;
    const m = /^(?:http\/)?(\d(?:\.\d)?)$/.exec(t);
    return m ? Number(m[1]) : undefined;
  };
  const d = stageById(report, 'http')?.data;
  return fromText(d?.httpVersion) ?? fromText(stageById(report, 'tls')?.data.alpn);
}

/** A date as unix seconds: ISO or X.509 text (`Jan  1 00:00:00 2030 GMT`), or a number in s or ms. */
export function unixSeconds(v: unknown): number | undefined {
  if (isNumber(v)) return v > 1e11 ? Math.floor(v / 1000) : v;
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** The earliest `validTo` of the certificates the TLS stage saw, in unix seconds. */
export function earliestCertExpiryOf(report: Report): number | undefined {
  const d = stageById(report, 'tls')?.data;
  if (!d) return undefined;
  const certs: unknown[] = [];
  for (const v of [d.chain, d.certificates]) if (Array.isArray(v)) certs.push(...v);
  for (const v of [d.cert, d.certificate, d.leaf]) if (isObject(v)) certs.push(v);
  const times = certs.map((c) => (isObject(c) ? unixSeconds(c.validTo ?? c.notAfter ?? c.valid_to) : undefined));
  if (d.validTo !== undefined) times.push(unixSeconds(d.validTo));
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}
