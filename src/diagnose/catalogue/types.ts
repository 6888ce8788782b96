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
}

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
