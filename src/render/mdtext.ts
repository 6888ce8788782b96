/**
 * Markdown escaping for text that may come from a server (summaries, evidence, header values).
 * Such text must render as itself: no raw HTML, no links, no emphasis, no broken tables.
 */

// Control characters other than tab and newline have no business in a ticket.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/g;

/**
 * Escape inline text (never placed at the start of a line, so list and heading markers are
 * harmless): emphasis, code, link and table punctuation backslashed, HTML specials as entities.
 */
export function mdText(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*[\]|~])/g, '\\$1')
    // An underscore inside a word (TCP_REFUSED) never starts emphasis in GFM; elsewhere it may.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_');
}

/** Inline code: a backtick run longer than any inside the text, as CommonMark allows. */
export function mdCode(text: string): string {
  const clean = text.replace(CONTROL, '').replace(/\r?\n|\r/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  // A pipe ends a table cell even inside a code span (GFM), so it stays escaped there.
  return `${ticks}${pad}${clean.replace(/\|/g, '\\|')}${pad}${ticks}`;
}

/** A fenced code block whose fence cannot be closed by the content. */
export function mdFence(text: string, lang = ''): string {
  const clean = text.replace(CONTROL, '');
  const longest = Math.max(2, ...(clean.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${clean.replace(/\n$/, '')}\n${fence}`;
}

/** A GFM table with escaped cells. */
export function mdTable(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}
