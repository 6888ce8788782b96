/**
 * The HTTP/1.1 parser's error codes (llhttp's HPE_*, as undici reports them) in plain words. Data
 * only; a code missing here is still an HTTP_PROTOCOL_ERROR, named by its code.
 */
export const PARSER_REASONS: Readonly<Record<string, string>> = {
  HPE_UNEXPECTED_CONTENT_LENGTH:
    'the response carries both Content-Length and Transfer-Encoding: chunked; HTTP/1.1 forbids the pair (it is the shape of request smuggling), so the client refuses the response',
  HPE_INVALID_CONTENT_LENGTH: 'the Content-Length header is not a number, or several disagree',
  HPE_INVALID_TRANSFER_ENCODING: 'the Transfer-Encoding header is invalid (chunked not last, or an unknown coding)',
  HPE_INVALID_CHUNK_SIZE: 'bad chunked encoding: a chunk-size line is not a hexadecimal number (a body that says chunked but is not, or a chunk cut and spliced)',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'bad chunked encoding: chunk extensions too long',
  HPE_STRICT: 'bad chunked encoding or framing: a chunk is not followed by CRLF where it must be',
  HPE_CR_EXPECTED: 'a line of the response head or a chunk does not end with CRLF',
  HPE_LF_EXPECTED: 'a line of the response head or a chunk does not end with CRLF',
  HPE_INVALID_HEADER_TOKEN: 'a response header name holds a character HTTP does not allow',
  HPE_INVALID_STATUS: 'the status code is not a three-digit number',
  HPE_INVALID_VERSION: 'the HTTP version in the status line is not one HTTP/1.x knows',
  HPE_INVALID_CONSTANT: 'the answer does not start with "HTTP/": the port speaks another protocol',
  HPE_INVALID_RESPONSE: 'the answer is not an HTTP/1.1 response',
  HPE_HEADER_OVERFLOW: 'the response head is larger than the client accepts',
  HPE_CLOSED_CONNECTION: 'data arrived after the response said the connection would close',
  HPE_INVALID_BODY: 'the body\'s framing is broken (bad chunked encoding, or a body that does not match its headers)',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH:
    'the response\'s framing does not add up: the body does not match its Content-Length (sent together with Transfer-Encoding: chunked, which HTTP/1.1 forbids, or simply wrong)',
  HPE_INVALID_EOF_STATE: 'the connection ended in the middle of the response framing',
};

export function parserReason(code: string | undefined): string | undefined {
  return code ? PARSER_REASONS[code] : undefined;
}
