/**
 * The first thing every entry point runs: is this Node new enough? Written so that it parses and
 * runs on old Node (no syntax newer than ES2017, no imports), because its whole job is to speak
 * up before code that needs Node 20 is loaded and fails with an obscure error (on Node 18, a
 * regular expression flag it does not know).
 */

/** The lowest Node this tool runs on; the same as package.json's engines field (a test checks). */
export const REQUIRED_NODE = '20.18.1';

function parts(version: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * Pure: the one line to print when `found` (e.g. process.versions.node) is older than `required`,
 * or undefined when it is new enough. An unreadable version is let through: better a real error
 * later than refusing a Node we cannot read.
 */
export function nodeVersionProblem(found: string, required: string = REQUIRED_NODE): string | undefined {
  const have = parts(found);
  const need = parts(required);
  if (have === undefined || need === undefined) return undefined;
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!) {
      const v = found.trim().replace(/^v?/, 'v');
      return (
        `diagnose: needs Node.js >= ${required}, found ${v}; ` +
        'install a newer Node, or use the standalone executable (npm run sea), which needs no Node at all'
      );
    }
  }
  return undefined;
}
