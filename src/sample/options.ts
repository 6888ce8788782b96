/**
 * The options of a sampled run (`--repeat`, `--duration`, `--interval`, `--concurrency`, `--reuse`,
 * `--max-failure-rate`) and `--capture`: raw strings in, a SamplingConfig out. Pure: throws UsageError.
 */
import { UsageError } from '../errors.js';
import { parseDuration } from '../config.js';

export const MAX_REPEAT = 10_000;
export const MAX_CONCURRENCY = 16;
export const DEFAULT_INTERVAL_MS = 1000;
/** The interval between two sample starts is jittered by this share either way. */
export const INTERVAL_JITTER = 0.1;

export interface SamplingConfig {
  /** How many samples at most (`--repeat`); undefined when only --duration bounds the run. */
  repeat?: number;
  /** How long to take samples (`--duration`), ms; undefined when only --repeat bounds it. */
  durationMs?: number;
  /** Time between two sample starts, before jitter, ms. */
  intervalMs: number;
  /** Samples in flight at once. */
  concurrency: number;
  /** `--reuse`: the samples' HTTP requests share a keep-alive pool. */
  reuse: boolean;
  /** The run fails when more than this share (0..1) of samples fail. */
  maxFailureRate: number;
}

export interface RawSamplingOptions {
  repeat?: string;
  duration?: string;
  interval?: string;
  concurrency?: string;
  reuse?: boolean;
  maxFailureRate?: string;
  capture?: string;
}

function wholeNumber(text: string, what: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    throw new UsageError(`${what}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return Number(t);
}

/** `0.05`, `5%`: a share from 0 to 1. */
export function parseRate(text: string, what = '--max-failure-rate'): number {
  const m = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v >= 0 && v <= 1)) throw new UsageError(`${what}: "${text}" is not a share from 0 to 1; write 0.05 or 5%`);
  return v;
}

/** The sampling settings, or undefined for a single run (neither --repeat nor --duration). */
export function parseSampling(raw: RawSamplingOptions): SamplingConfig | undefined {
  const repeat = raw.repeat !== undefined ? wholeNumber(raw.repeat, '--repeat', 1, MAX_REPEAT) : undefined;
  const durationMs = raw.duration !== undefined ? parseDuration(raw.duration, '--duration') : undefined;
  const intervalMs = raw.interval !== undefined ? parseDuration(raw.interval, '--interval') : DEFAULT_INTERVAL_MS;
  const concurrency = raw.concurrency !== undefined ? wholeNumber(raw.concurrency, '--concurrency', 1, MAX_CONCURRENCY) : 1;
  const maxFailureRate = raw.maxFailureRate !== undefined ? parseRate(raw.maxFailureRate) : 0;
  if (repeat === undefined && durationMs === undefined) {
    const given = (['interval', 'concurrency', 'reuse', 'maxFailureRate'] as const).filter((k) => raw[k] !== undefined && raw[k] !== false);
    if (given.length > 0) {
      const flag = given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw new UsageError(`--${flag} needs a sampled run; add --repeat N or --duration d`);
    }
    return undefined;
  }
  return { repeat, durationMs, intervalMs, concurrency, reuse: raw.reuse === true, maxFailureRate };
}

/** `--capture <file.pcap>`: a path, checked for shape only. */
export function parseCapture(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError('--capture: empty path; give a file such as run.pcap');
  return text;
}
