/** Every encoding a careless server plausibly echoes a key in (the redaction audit's list). */
export function encodings(key: string): Record<string, string> {
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
  const chunks = (n: number) => key.match(new RegExp(`.{1,${n}}`, 'g'))!;
  return {
    plain: key,
    base64: Buffer.from(key).toString('base64'),
    base64url: Buffer.from(key).toString('base64url'),
    'base64 inside Basic user:key': Buffer.from(`user:${key}`).toString('base64'),
    'base64 folded across lines': Buffer.from(`x${key}`).toString('base64').replace(/(.{12})/g, '$1\n'),
    'percent-encoding of every character': [...key].map((c) => `%${hex(c).toUpperCase()}`).join(''),
    'percent-encoding of the dash': key.replace(/-/g, '%2D'),
    'percent-encoding lower case': [...key].map((c) => `%${hex(c)}`).join(''),
    'html decimal entities': [...key].map((c) => `&#${c.charCodeAt(0)};`).join(''),
    'html hex entities': [...key].map((c) => `&#x${hex(c)};`).join(''),
    'html entity for the dash': key.replace(/-/g, '&#45;'),
    '\\u escapes': [...key].map((c) => `\\u00${hex(c)}`).join(''),
    '\\u escape of the dash': key.replace(/-/g, '\\u002d'),
    'chunks of 4 with spaces': chunks(4).join(' '),
    'chunks of 6 across lines': chunks(6).join('\n'),
    'chunks across CRLF lines': chunks(10).join('\r\n'),
    'escaped line breaks': chunks(5).join('\\n'),
  };
}
