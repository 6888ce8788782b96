/**
 * The key-shape warning of the env stage, and the line it adds to an auth refusal (pure but for
 * re-reading the key's source, which the env stage does).
 */
import type { Finding } from '../../stages/types.js';
import { KEY_SHAPE_WORDS, type KeyShapeIssue } from './shape.js';

export function keyShapeFinding(issues: KeyShapeIssue[], where: string): Finding {
  const trimmedAway = issues.filter((i) => i === 'whitespace' || i === 'newline');
  const sentAsIs = issues.filter((i) => i === 'quoted' || i === 'bearer-prefix');
  return {
    code: 'API_KEY_FORMAT',
    evidence: [
      `the API key in ${where} is written oddly: ${issues.map((i) => KEY_SHAPE_WORDS[i]).join('; ')}`,
      ...(trimmedAway.length > 0
        ? ['this run trims surrounding whitespace before sending the key; clients that send the value as is fail (Node\'s fetch refuses a header with a line break; servers refuse the padded key)']
        : []),
      ...(sentAsIs.length > 0 ? ['quotes and a "Bearer " prefix are part of the value: this run sends them as your application does'] : []),
    ],
    details: { issues, source: where },
    params: { source: where },
  };
}

/** One evidence line for an auth refusal when the key is written oddly. */
export function keyShapeLine(issues: string[], where: string): string {
  return `the key in ${where} is written oddly: ${issues.map((i) => KEY_SHAPE_WORDS[i as KeyShapeIssue] ?? i).join('; ')}: that alone can make the provider refuse it`;
}
