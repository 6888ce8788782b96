/** The shape of a catalogue entry: all prose of the tool lives in these entries. */
import type { Origin, Owner, Retry, Severity, StageId } from '../../report.js';

export interface CatalogueStep {
  /** Who acts: `you` (local configuration), `network`, `gateway` (its operator) or `provider`. */
  who: Owner;
  /** What to do, in the project's own words; `{name}` placeholders are filled from the finding's params. */
  text: string;
  /** A command or config snippet to copy. */
  command?: string;
  /**
   * Codes that make this step moot: when one of them is in the same report (e.g. MTU_RULED_OUT for
   * "lower the MTU"), the step is left out rather than sending the reader down a ruled-out path.
   */
  unless?: string[];
  /**
   * When the step applies: it is kept only if every condition holds for this finding (a list is
   * an AND; the values of one condition are an OR). Lets one code's steps follow the evidence the
   * rules already computed (Envoy's reset family, who refused a 403, which hop timed out) instead
   * of printing every branch. Steps without `when` always apply. Write the text so it still reads
   * right in `--explain`, where every step is listed.
   */
  when?: StepCondition | readonly StepCondition[];
}

/** A value a condition can compare with (details and params hold these). */
export type ConditionValue = string | number | boolean;

/**
 * One condition on a finding. `detail` reads the finding's details, `param` its placeholder
 * params (the target's `provider`, `host` ... and the finding's own); an array value matches when
 * any element does. Without `in`, the key only has to be present. A missing key fails the
 * condition unless `orMissing` (for findings from rules that could not tell). `origin`, `owner`
 * and `retry` test the diagnosis's final values (after the finding's overrides).
 */
export type StepCondition =
  | { detail: string; in?: readonly ConditionValue[]; orMissing?: boolean }
  | { param: string; in?: readonly ConditionValue[]; orMissing?: boolean }
  | { origin: readonly Origin[] }
  | { owner: readonly Owner[] }
  | { retry: readonly Retry[] };

export interface CatalogueEntry {
  code: string;
  stage: StageId;
  severity: Severity;
  /** The process exit code when this diagnosis is the root cause. */
  exitCode: number;
  /** One line. */
  title: string;
  /** A short paragraph: what this means and why it happens. */
  explanation: string;
  origin: Origin;
  owner: Owner;
  retry: Retry;
  /** Ordered steps: what you can do now first, then what to ask others. */
  steps: CatalogueStep[];
  /** What to attach when escalating to the owner (request ids, cf-ray, times ...). */
  attach?: string[];
}
