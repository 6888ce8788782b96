/**
 * XML 1.0 escaping. Server text (bodies, headers, reasons) can hold anything, including control
 * characters and lone surrogates that XML forbids even as character references; those are removed
 * so the document always parses.
 */

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is one code point in D800-DFFF, outside the class.
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Remove the characters XML 1.0 does not allow anywhere. */
export function stripForbiddenXml(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/** Escape text for an element's content. */
export function xmlText(text: string): string {
  return stripForbiddenXml(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escape text for a double-quoted attribute value. Tabs and line breaks become character
 * references: a parser would otherwise normalise them to spaces.
 */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** An element with attributes (undefined ones left out) and already-escaped inner XML. */
export function element(name: string, attrs: Record<string, string | number | undefined>, inner?: string): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
  return inner === undefined || inner === '' ? `<${name}${a}/>` : `<${name}${a}>${inner}</${name}>`;
}
