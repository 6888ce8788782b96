/** The published JSON Schema: accepts what the tool produces, refuses what breaks the contract. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit.js';
import { STAGE_IDS, type Report } from '../../src/report.js';
import { REPORT_SCHEMA, assertValidReport, reportSchemaErrors } from '../helpers/schema.js';
import { buildReport, failingReport, healthyReport } from '../helpers/reports.js';
import { compareReport, PROXY_REFUSES, TCP_REFUSES, WORKS, WORKS_DIRECT } from '../helpers/compare-reports.js';

type Mutable = Record<string, any>;
const clone = (r: Report): Mutable => JSON.parse(JSON.stringify(r)) as Mutable;

describe('report schema', () => {
  it('accepts healthy, failing, strict, internal-error and interrupted reports', () => {
    const reports = [
      healthyReport(),
      failingReport(),
      buildReport({ strict: true, findings: [{ code: 'CLOCK_SKEW', stage: 'http', evidence: ['Date 90 s ahead'] }] }),
      buildReport({ internalErrors: [{ stage: 'tool', message: 'TypeError: boom' }] }),
      buildReport({ interrupted: true }),
    ];
    for (const r of reports) expect(reportSchemaErrors(r)).toEqual([]);
    expect(reports.map((r) => r.exitCode)).toEqual([0, 11, 1, 3, 130]);
  });

  it('accepts a report with no key and fields it does not know', () => {
    const r = clone(healthyReport());
    r.key = null;
    r.somethingNew = { a: 1 };
    r.stages[0].extra = true;
    expect(reportSchemaErrors(r)).toEqual([]);
  });

  const broken: Array<[string, (r: Mutable) => void, RegExp]> = [
    ['missing verdict', (r) => delete r.verdict, /required property 'verdict'/],
    ['wrong schemaVersion', (r) => (r.schemaVersion = 2), /\/schemaVersion/],
    ['unknown stage id', (r) => (r.stages[0].id = 'ping'), /\/stages\/0\/id/],
    ['unknown stage status', (r) => (r.stages[0].status = 'ok'), /\/stages\/0\/status/],
    ['negative duration', (r) => (r.durationMs = -1), /\/durationMs/],
    ['exit code outside the contract', (r) => (r.exitCode = 4), /\/exitCode/],
    ['bad origin', (r) => (r.diagnoses[0].origin = 'cloud'), /\/diagnoses\/0\/origin/],
    ['bad owner', (r) => (r.diagnoses[0].owner = 'me'), /\/diagnoses\/0\/owner/],
    ['bad retry', (r) => (r.diagnoses[0].retry = 'maybe'), /\/diagnoses\/0\/retry/],
    ['lower-case code', (r) => (r.diagnoses[0].code = 'tcp_refused'), /\/diagnoses\/0\/code/],
    ['remediation step without text', (r) => (r.diagnoses[0].remediation[0] = { command: 'ls' }), /remediation\/0/],
    ['details missing', (r) => delete r.diagnoses[0].details, /required property 'details'/],
    ['startedAt not a date', (r) => (r.startedAt = 'yesterday'), /\/startedAt/],
    ['a whole key instead of a fingerprint', (r) => (r.key.fingerprint = 'sk-proj-abcdefghijklmnop'), /\/key/],
    ['ok verdict with an error diagnosis', (r) => (r.verdict = 'ok'), /\/diagnoses\/0\/severity/],
    ['interrupted without exit 130', (r) => (r.interrupted = true), /\/exitCode/],
    ['port out of range', (r) => (r.target.port = 70000), /\/target\/port/],
  ];
  it.each(broken)('refuses %s', (_name, mutate, where) => {
    const r = clone(failingReport());
    mutate(r);
    const errors = reportSchemaErrors(r);
    expect(errors.join('\n')).toMatch(where);
    expect(() => assertValidReport(r)).toThrow(/does not match schema\/report\.schema\.json/);
  });

  it('accepts --compare-direct reports of every outcome', () => {
    const reports = [compareReport(WORKS, TCP_REFUSES), compareReport(PROXY_REFUSES, WORKS_DIRECT), compareReport(WORKS, WORKS_DIRECT), compareReport(PROXY_REFUSES, TCP_REFUSES)];
    expect(reports.map((r) => r.compare!.outcome)).toEqual(['proxy-only', 'direct-only', 'both', 'neither']);
    for (const r of reports) expect(reportSchemaErrors(r)).toEqual([]);
  });

  const brokenCompare: Array<[string, (r: Mutable) => void, RegExp]> = [
    ['an unknown outcome', (r) => (r.compare.outcome = 'some'), /\/compare\/outcome/],
    ['no proxy', (r) => delete r.compare.proxy, /\/compare must have required property 'proxy'/],
    ['a direct side without stages', (r) => delete r.compare.direct.stages, /\/compare\/direct must have required property 'stages'/],
    ['a direct stage of unknown status', (r) => (r.compare.direct.stages[2].status = 'broken'), /\/compare\/direct\/stages\/2\/status/],
    ['a direct diagnosis without details', (r) => delete r.compare.direct.diagnoses[0].details, /\/compare\/direct\/diagnoses\/0 must have required property 'details'/],
    ['a root cause without its stage', (r) => delete r.compare.direct.stage, /\/compare\/direct must have property stage when property rootCause is present/],
    ['a working path that failed', (r) => (r.compare.outcome = 'both'), /\/compare\/direct\/verdict/],
    ['a comparison of a run without a proxy', (r) => (r.target.via = 'direct'), /\/target\/via/],
  ];
  it.each(brokenCompare)('refuses a comparison with %s', (_name, mutate, where) => {
    const r = clone(compareReport(WORKS, TCP_REFUSES));
    expect(reportSchemaErrors(r)).toEqual([]);
    mutate(r);
    expect(reportSchemaErrors(r).join('\n')).toMatch(where);
  });

  it('names exactly the stage ids and exit codes of the code', () => {
    const defs = REPORT_SCHEMA.$defs as Record<string, { enum: unknown[] }>;
    expect(defs.stageId!.enum).toEqual([...STAGE_IDS]);
    expect([...defs.exitCode!.enum].sort()).toEqual(Object.values(ExitCode).sort());
  });

  it('is shipped in the package and exported', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      files: string[];
      exports: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(pkg.files).toContain('schema');
    expect(pkg.exports['./schema/report.schema.json']).toBe('./schema/report.schema.json');
    expect(pkg.bin.diagnose).toBe('bin/diagnose.js');
  });
});
