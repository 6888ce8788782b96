/** Run the CLI in-process with an injected environment and capture what it prints. */
import { Readable } from 'node:stream';
import { main } from '../../src/cli.js';
import type { Report } from '../../src/report.js';
import { assertValidReport } from './schema.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed report when stdout held JSON. */
  report?: Report;
  /** Several targets: the reports of `{ schemaVersion, reports }`. */
  reports?: Report[];
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  interrupt?: AbortSignal;
}

/** A clean environment: no proxy variables or keys leak in from the machine running the tests. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...extra };
}

export async function runCli(argv: string[], opts: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: opts.stdin !== undefined ? Readable.from([opts.stdin]) : undefined,
    env: opts.env ?? cleanEnv(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    interrupt: opts.interrupt,
  });
  let report: Report | undefined;
  // Several targets: each report of the envelope must match the published schema.
  let envelope: { reports?: Report[] } | undefined;
  try {
    envelope = stdout.trimStart().startsWith('{') ? (JSON.parse(stdout) as { reports?: Report[] }) : undefined;
  } catch {
    envelope = undefined;
  }
  if (envelope?.reports !== undefined) {
    for (const r of envelope.reports) {
      assertValidReport(r);
      assertPlaceholdersFilled(r);
    }
    return { code, stdout, stderr, reports: envelope.reports };
  }
  if (stdout.trimStart().startsWith('{')) {
    try {
      report = JSON.parse(stdout) as Report;
    } catch {
      report = undefined;
    }
    // Every JSON report the suite sees must match the published schema (schema/report.schema.json).
    if (report !== undefined) {
      assertValidReport(report);
      assertPlaceholdersFilled(report);
    }
  }
  return { code, stdout, stderr, report };
}

/** The stage result of a given id in a report. */
export function stageOf(report: Report, id: string) {
  const s = report.stages.find((x) => x.id === id);
  if (!s) throw new Error(`no stage ${id} in report`);
  return s;
}

export function codesOf(report: Report): string[] {
  return report.diagnoses.map((d) => d.code);
}

/** Every `{name}` of the catalogue's remediation text must have been filled from the finding. */
export function assertPlaceholdersFilled(report: Report): void {
  for (const d of report.diagnoses) {
    for (const r of d.remediation) {
      const left = `${r.text}\n${r.command ?? ''}`.match(/\{[a-zA-Z][a-zA-Z0-9]*\}/g);
      if (left) throw new Error(`${d.code}: remediation has unfilled placeholders ${left.join(', ')}: ${r.text}`);
    }
  }
}
