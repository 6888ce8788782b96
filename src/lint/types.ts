/** Shared types of `diagnose lint`: what a rule finds, before the catalogue adds the prose. */
import type { RemediationStep, Severity } from '../report.js';

/** The configuration languages lint reads. */
export type ConfigKind = 'nginx' | 'envoy' | 'haproxy';

/** One source file of a configuration (the main file or one it includes). */
export interface SourceFile {
  /** The path as the user or the include directive names it. */
  path: string;
  text: string;
}

/** What a rule found: a code, where, and the facts; no prose beyond the evidence lines. */
export interface RawFinding {
  code: string;
  /** Overrides the catalogue's default severity (a rule can tell a certain break from a risk). */
  severity?: Severity;
  file: string;
  /** 1-based line of the directive at fault (or of the block that lacks it). */
  line: number;
  /** The directive at fault or missing (`proxy_buffering`, `timeout server`, `route.timeout`). */
  directive: string;
  /** What was read, with figures: "location /v1/ proxies to http://127.0.0.1:3000 with proxy_buffering on (nginx default)". */
  evidence: string[];
  /** Values for the catalogue's `{placeholders}` and for the JSON's details. */
  details: Record<string, string | number | boolean>;
}

/** A finding as printed and put into JSON. */
export interface LintFinding extends RawFinding {
  severity: Severity;
  title: string;
  remediation: RemediationStep[];
}

export interface LintResult {
  /** The file named on the command line. */
  file: string;
  kind: ConfigKind;
  /** Every file read (the main one first, then the includes). */
  files: string[];
  findings: LintFinding[];
}

/** Input lint cannot read: one line on stderr, exit 2. */
export class LintInputError extends Error {
  override readonly name = 'LintInputError';
}
