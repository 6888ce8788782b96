/**
 * The report: the one contract between the parts of the tool and the outside world
 * (../shared/spec/contract.md, schemaVersion 1). Plain JSON data only: no Error objects, no classes.
 */

import type { KeepaliveSection } from './net/keepalive/section.js';
import type { GatewaySection } from './net/gateway/section.js';

export const SCHEMA_VERSION = 1 as const;

/** The stages of the path, in the order they run. */
export const STAGE_IDS = ['env', 'dns', 'tcp', 'proxy', 'tls', 'http', 'stream', 'mtu'] as const;
export type StageId = (typeof STAGE_IDS)[number];

export type StageStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type Severity = 'error' | 'warning' | 'info';
/** Where the failure happened, or who answered. */
export type Origin = 'local' | 'network' | 'forward-proxy' | 'gateway' | 'provider-edge' | 'provider' | 'unknown';
/** Who can fix it. */
export type Owner = 'you' | 'network' | 'gateway' | 'provider';
/** Whether retrying helps; `once` means on a fresh connection. */
export type Retry = 'yes' | 'once' | 'no';
export type Verdict = 'ok' | 'degraded' | 'failed';

export type ProviderName = 'openai' | 'anthropic' | 'azure-openai' | 'gemini' | 'openai-compatible' | 'generic';

/** One remediation step. `who` says which party acts (an addition to the contract). */
export interface RemediationStep {
  text: string;
  /** A command or config snippet to copy. */
  command?: string;
  who?: Owner;
}

export interface Diagnosis {
  /** A stable code from the contract's table. */
  code: string;
  severity: Severity;
  stage: StageId;
  /** One line. */
  title: string;
  /** What was observed, with figures. */
  evidence: string[];
  remediation: RemediationStep[];
  origin: Origin;
  owner: Owner;
  retry: Retry;
  details: Record<string, unknown>;
  /** Codes of other diagnoses in this report that this one explains (it is their root cause). */
  explains?: string[];
}

export interface StageResult {
  id: StageId;
  status: StageStatus;
  /** Wall time of the stage in milliseconds (0 for a skipped stage). */
  durationMs: number;
  /** One line a person reads. */
  summary: string;
  /** The facts the stage gathered; shape documented in each stage's module. */
  data: Record<string, unknown>;
}

export interface TargetInfo {
  /** The target exactly as typed. */
  input: string;
  /** Normalised URL: scheme, host, port when not the default, base path. */
  url: string;
  host: string;
  port: number;
  provider: ProviderName;
  /** `direct`, or `proxy` when a forward proxy carries the traffic. */
  via: 'direct' | 'proxy';
  /** The proxy URL with credentials removed, when via is `proxy`. */
  proxy?: string;
  /** The target's name in a --config file, when the run came from one. */
  name?: string;
}

/** A bug of the tool itself, met while running a stage. */
export interface InternalError {
  stage: StageId | 'tool';
  message: string;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'upstream-doctor'; version: string };
  target: TargetInfo;
  /** ISO 8601, UTC. */
  startedAt: string;
  durationMs: number;
  verdict: Verdict;
  exitCode: number;
  interrupted: boolean;
  stages: StageResult[];
  diagnoses: Diagnosis[];
  /** The code whose stage sets the exit code, when there is an error. */
  rootCause?: string;
  /** Bugs of the tool met during the run (exit 3). */
  internalErrors?: InternalError[];
  /** Where the run happened: host name, Node and undici versions, platform. */
  host?: { hostname: string; node: string; undici?: string; platform: string };
  /**
   * `--compare-direct`: the same checks without the forward proxy, side by side with the proxied run
   * (shape: CompareSection in diagnose/compare-direct.ts). Absent when no proxy applied.
   */
  compare?: {
    proxy: string;
    /** Which path works: `both`, `proxy-only`, `direct-only` or `neither`. */
    outcome: 'both' | 'proxy-only' | 'direct-only' | 'neither';
    proxied: { verdict: Verdict; rootCause?: string; stage?: StageId };
    direct: { verdict: Verdict; rootCause?: string; stage?: StageId; stages: StageResult[]; diagnoses: Diagnosis[] };
  };
  /**
   * `--keepalive`: how long an idle keep-alive connection survived (src/net/keepalive/section.ts),
   * or why the probe did not run.
   */
  keepalive?: KeepaliveSection | { skipped: string };
  /** `--gateway`: what the reverse proxy in front of the API answered to each check (src/net/gateway/section.ts), or why the checks did not run. */
  gateway?: GatewaySection | { skipped: string };
  /** A fingerprint of the key used (`sk-…abcd`), never the key. */
  key?: { source: string; fingerprint: string } | null;
  /** A sampled run (--repeat / --duration): the summary of every sample (shape: SamplesSection in sample/summary.ts). */
  samples?: import('./sample/summary.js').SamplesSection;
  /** --capture: the packet capture of the run (shape: CaptureInfo in sample/capture.ts). */
  capture?: import('./sample/capture.js').CaptureInfo;
}
