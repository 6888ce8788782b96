/** The one signature every stage shares, and the state the stages hand down the path. */
import type { Config } from '../config.js';
import type { Origin, Owner, Retry, Severity, StageId, StageStatus } from '../report.js';
import type { Redactor } from '../secret.js';

/**
 * What a rule concluded: a code from the catalogue plus the evidence that made it fire.
 * Stages and rules produce findings; the catalogue turns them into diagnoses with prose.
 */
export interface Finding {
  code: string;
  /** What was observed, with figures, in plain words. */
  evidence: string[];
  details?: Record<string, unknown>;
  /** Overrides of the catalogue's defaults when the evidence says otherwise. */
  origin?: Origin;
  owner?: Owner;
  retry?: Retry;
  severity?: Severity;
  /** Codes this finding explains (it becomes their root cause, e.g. MTU explains a TLS stall). */
  explains?: string[];
  /** The stage the finding belongs to, when not the stage that produced it. */
  stage?: StageId;
  /** Values for `{name}` placeholders in the catalogue's remediation text. */
  params?: Record<string, string | number>;
}

/** What a stage returns. Expected failures are values here, never exceptions. */
export interface StageOutcome {
  status: Exclude<StageStatus, 'skip'>;
  summary: string;
  data: Record<string, unknown>;
  findings: Finding[];
}

/** An address to connect to, with where it came from. */
export interface Endpoint {
  address: string;
  family: 4 | 6;
  port: number;
  /** How the address was learnt: the system resolver, a `--resolver`, a `--resolve` pin, an IP literal. */
  source: 'system' | 'resolver' | 'pin' | 'literal';
}

/** A forward proxy chosen for the run (credentials kept here only, never in output). */
export interface ProxyChoice {
  url: URL;
  /** Which variable or option chose it, e.g. `--proxy`, `HTTPS_PROXY`. */
  from: string;
  /** The URL without credentials, safe to print. */
  display: string;
  /** Extra CA certificates (PEM, from --ca) trusted when the proxy itself speaks TLS (https:// proxies). */
  ca?: string;
}

/**
 * What earlier stages established for later ones. Each field is written by one stage and read by
 * those after it; a missing field means that stage did not get that far.
 */
export interface PathState {
  /** dns: the addresses the host resolved to (or the pinned ones), in the order to try. */
  addresses?: Endpoint[];
  /** tcp: the address the later stages use. */
  endpoint?: Endpoint;
  /**
   * tcp: the connection to that address, left open for the tls stage to handshake on, as curl
   * uses its one connection for every step: a round trip fewer. Direct https targets only; its
   * connect time as the tcp stage measured it, and when it was kept (net/dial.ts openRawTimed).
   */
  tcpHandoff?: { socket: import('node:net').Socket; endpoint: Endpoint; connectMs: number; keptAt: number };
  /** env: the forward proxy, when one applies to the target. */
  proxy?: ProxyChoice;
  /** proxy: true once a CONNECT tunnel to the target was established. */
  tunnelOk?: boolean;
  /** env: how the API key is written, when it is odd (quotes, whitespace, a newline, a "Bearer " prefix). */
  keyShape?: { issues: string[]; where: string };
  /** tls: the ALPN protocol the server chose ('h2', 'http/1.1' or '' for none). */
  alpn?: string;
  /** tls: true when the handshake completed and the chain verified. */
  tlsOk?: boolean;
  /** http: true when an HTTP response arrived (whatever its status). */
  httpAnswered?: boolean;
  /** http: true when the endpoint accepted the request (2xx). */
  httpOk?: boolean;
  /**
   * Set by a stage that stalled after a good TCP connect (no bytes back): the mtu stage
   * runs by itself when this is set.
   */
  stall?: { stage: StageId; code: string; afterMs: number; bytesWritten?: number; bytesRead?: number };
  /**
   * tls: the handshake's connection, left open for the http stage's request when the handshake
   * passed (as curl sends its request on the connection it verified); the http stage takes it, and
   * the run closes it if nothing did. Its connect and handshake times as the tls stage measured them.
   */
  handoff?: import('../net/tls/probe.js').KeptConnection & { connectMs: number; tlsMs: number };
  /** Extra CA certificates (PEM) loaded from --ca. */
  ca?: string;
  /** --cert/--key: the client certificate the TLS handshakes present. */
  clientCert?: { cert: string; key: string };
}

export interface RunContext {
  config: Config;
  /** The environment the run sees (injected: tests pass their own). */
  env: Record<string, string | undefined>;
  /** The API key, when one was found; never to be printed (use redactor / fingerprint). */
  apiKey?: string;
  redactor: Redactor;
  state: PathState;
  /** Milliseconds, monotonic. */
  now: () => number;
  /** Results of the stages that ran before, by id. */
  results: Partial<Record<StageId, { status: StageStatus; data: Record<string, unknown> }>>;
  /** --reuse: the keep-alive pool the samples' HTTP requests share (sample/pool.ts). */
  pool?: import('../net/http/probe.js').ConnectionPool;
}

export type SkipDecision = { run: true } | { run: false; reason: string };

export interface Stage {
  id: StageId;
  /** Whether the stage can and should run given what came before; a reason when not. */
  shouldRun(ctx: RunContext): SkipDecision;
  /**
   * Run the stage. `signal` aborts at the stage's deadline (`deadline` is the absolute time in
   * ctx.now() units): a stage turns that into its own timeout finding and returns promptly.
   */
  run(ctx: RunContext, signal: AbortSignal, deadline: number): Promise<StageOutcome>;
}
