/** A raw HTTP/1.x response head (status line + headers) -> data (pure, bounded). */

/** The most header lines kept: a hostile peer cannot grow the report without limit. */
const MAX_HEADERS = 100;
/** The most characters kept of one header value. */
const MAX_VALUE = 1024;

export interface ParsedHead {
  status: number;
  /** The reason phrase as the peer wrote it ('' when absent). */
  statusText: string;
  /** `HTTP/1.1`, `HTTP/1.0` ... */
  httpVersion: string;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Every header line in order (repeated ones, e.g. several Proxy-Authenticate, stay apart). */
  rawHeaders: Array<[string, string]>;
}

/** Parse the text before the blank line; undefined when the status line is not HTTP. */
export function parseHead(text: string): ParsedHead | undefined {
  const lines = text.split(/\r?\n/);
  const m = /^(HTTP\/\d(?:\.\d)?) +(\d{3})(?: +(.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  const rawHeaders: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (rawHeaders.length >= MAX_HEADERS) break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim().slice(0, MAX_VALUE);
    rawHeaders.push([name, value]);
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  return { httpVersion: m[1]!, status: Number(m[2]), statusText: (m[3] ?? '').slice(0, 200), headers, rawHeaders };
}
