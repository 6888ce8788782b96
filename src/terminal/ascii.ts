/** ASCII stand-ins for the report's Unicode marks, for terminals and locales that cannot show them. */
const MAP: Record<string, string> = {
  '✔': '+', '✘': 'x', '✕': 'x', '·': '-', '│': '|', '…': '...', '█': '#', '▏': '|', '▕': '|', '▁': '_', '▂': '.', '▅': 'o', '─': '-', '━': '=',
  '→': '->', '←': '<-', '≈': '~', '×': 'x', '–': '-', '—': '-', '‘': "'", '’': "'", '“': '"', '”': '"', '⠋': '|', '≥': '>=', '≤': '<=', 'µ': 'u',
};

/** Replace every mark above; any other non-ASCII character becomes `?`. */
export function toAscii(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x00-\x7f]/g, (ch) => MAP[ch] ?? '?');
}
