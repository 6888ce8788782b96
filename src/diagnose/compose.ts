/**
 * Findings -> diagnoses (with the catalogue's prose), the root cause, and the verdict.
 * Precedence: the earliest stage with an error is the root cause, unless another error explains
 * it (its `explains` names the earlier code), in which case the explaining one takes its place.
 */
import { STAGE_IDS, type Diagnosis, type StageId, type Verdict } from '../report.js';
import type { Finding } from '../stages/types.js';
import { catalogueEntry, fillTemplate } from './catalogue/index.js';
import type { CatalogueStep, ConditionValue, StepCondition } from './catalogue/types.js';

export class UnknownCodeError extends Error {
  override readonly name = 'UnknownCodeError';
}

export function toDiagnosis(f: Finding & { stage: StageId }, base: Params = {}, present: ReadonlySet<string> = new Set()): Diagnosis {
  const params = { ...base, ...f.params };
  const entry = catalogueEntry(f.code);
  if (!entry) throw new UnknownCodeError(`finding with a code the catalogue does not know: ${f.code}`);
  const origin = f.origin ?? entry.origin;
  const owner = f.owner ?? entry.owner;
  const retry = f.retry ?? entry.retry;
  const facts: StepFacts = { details: f.details ?? {}, params, origin, owner, retry };
  const d: Diagnosis = {
    code: entry.code,
    severity: f.severity ?? entry.severity,
    stage: f.stage ?? entry.stage,
    title: fillTemplate(entry.title, params),
    evidence: f.evidence,
    remediation: entry.steps.filter((s) => !s.unless?.some((c) => present.has(c)) && stepApplies(s, facts)).map((s) => ({
      text: fillTemplate(s.text, params),
      ...(s.command !== undefined ? { command: fillTemplate(s.command, params) } : {}),
      who: s.who,
    })),
    origin,
    owner,
    retry,
    details: f.details ?? {},
  };
  if (f.explains && f.explains.length > 0) d.explains = f.explains;
  return d;
}

/** What a step's `when` is tested against: one finding's details and params, and the diagnosis's final origin, owner and retry. */
export interface StepFacts {
  details: Record<string, unknown>;
  params: Params;
  origin: Diagnosis['origin'];
  owner: Diagnosis['owner'];
  retry: Diagnosis['retry'];
}

/** True when one value (or, for an array, any element) is among the allowed ones. */
function valueMatches(value: unknown, allowed: readonly ConditionValue[] | undefined): boolean {
  if (Array.isArray(value)) return value.some((v) => valueMatches(v, allowed));
  if (allowed === undefined) return true;
  return allowed.some((a) => a === value);
}

function conditionHolds(c: StepCondition, facts: StepFacts): boolean {
  if ('origin' in c) return c.origin.includes(facts.origin);
  if ('owner' in c) return c.owner.includes(facts.owner);
  if ('retry' in c) return c.retry.includes(facts.retry);
  const bag: Record<string, unknown> = 'detail' in c ? facts.details : facts.params;
  const value = bag['detail' in c ? c.detail : c.param];
  // null, undefined and an empty list all say "the rules did not establish this".
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return c.orMissing === true;
  return valueMatches(value, c.in);
}

/** Whether a step's `when` holds for these facts (pure; a step without `when` always applies). */
export function stepApplies(step: Pick<CatalogueStep, 'when'>, facts: StepFacts): boolean {
  if (step.when === undefined) return true;
  const all: readonly StepCondition[] = Array.isArray(step.when) ? step.when : [step.when as StepCondition];
  return all.every((c) => conditionHolds(c, facts));
}

const stageRank = (s: StageId) => STAGE_IDS.indexOf(s);

export interface Composition {
  diagnoses: Diagnosis[];
  rootCause?: string;
}

/** Placeholder values every finding inherits (the target's host, port ...); its own params win. */
export type Params = Record<string, string | number>;

/** Order diagnoses (root cause first, then by stage and severity) and pick the root cause. */
export function compose(findings: Array<Finding & { stage: StageId }>, base: Params = {}): Composition {
  // One diagnosis per code: a second finding of the same code adds its evidence.
  const byCode = new Map<string, Diagnosis>();
  // Every code in the report: a step that one of them makes moot is left out.
  const present = new Set(findings.map((f) => f.code));
  for (const f of findings) {
    const d = toDiagnosis(f, base, present);
    const seen = byCode.get(d.code);
    if (seen) {
      for (const e of d.evidence) if (!seen.evidence.includes(e)) seen.evidence.push(e);
      seen.details = { ...d.details, ...seen.details };
    } else byCode.set(d.code, d);
  }
  const all = [...byCode.values()];
  const errors = all.filter((d) => d.severity === 'error');
  const explained = new Set(errors.flatMap((d) => d.explains ?? []));
  const candidates = errors.filter((d) => !explained.has(d.code));
  candidates.sort((a, b) => stageRank(a.stage) - stageRank(b.stage));
  const root = candidates[0] ?? errors[0];

  const sevRank = { error: 0, warning: 1, info: 2 } as const;
  const ordered = all
    .filter((d) => d !== root)
    .sort((a, b) => stageRank(a.stage) - stageRank(b.stage) || sevRank[a.severity] - sevRank[b.severity]);
  return { diagnoses: root ? [root, ...ordered] : ordered, rootCause: root?.code };
}

export function verdictOf(diagnoses: Diagnosis[], hasInternalError: boolean): Verdict {
  if (hasInternalError || diagnoses.some((d) => d.severity === 'error')) return 'failed';
  if (diagnoses.some((d) => d.severity === 'warning')) return 'degraded';
  return 'ok';
}
