/**
 * The published JSON Schema (schema/report.schema.json) as a test helper: every JSON report the
 * suite produces goes through `assertValidReport`, so the schema and the code cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: depending on the loader its default export is the plugin or wraps it.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/report.schema.json', import.meta.url));

/** The schema as shipped in the package. */
export const REPORT_SCHEMA = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(REPORT_SCHEMA);

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(report)' : e.instancePath;
  return `${where} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ''}`;
}

/** The schema violations of a value, one line each; empty when it is a valid report. */
export function reportSchemaErrors(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describe);
}

/** Throws an error that lists every violation when `value` is not a valid schemaVersion 1 report. */
export function assertValidReport(value: unknown): void {
  const errors = reportSchemaErrors(value);
  if (errors.length > 0) {
    throw new Error(`the report does not match schema/report.schema.json:\n  ${errors.join('\n  ')}`);
  }
}
