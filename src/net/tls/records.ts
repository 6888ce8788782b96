/**
 * The plaintext part of a server's TLS flight, read from the raw bytes (pure): which handshake
 * messages it holds. Before TLS 1.3 the whole server flight is plaintext, so a CertificateRequest
 * (the server asking for a client certificate) can be seen there; in TLS 1.3 only the ServerHello is.
 */

/** Handshake message types of interest (RFC 8446 section 4). */
export const HANDSHAKE = { serverHello: 2, certificate: 11, certificateRequest: 13, serverHelloDone: 14 } as const;

/**
 * The handshake message types in the plaintext handshake records at the start of `bytes`, in order.
 * Stops at the first record that is not a plaintext handshake (change_cipher_spec, an alert,
 * encrypted data) or is incomplete. Bounded by the input: a hostile length cannot make it loop.
 */
export function handshakeTypes(bytes: Buffer): number[] {
  // Handshake messages may span records: join the record payloads first.
  const parts: Buffer[] = [];
  let off = 0;
  while (off + 5 <= bytes.length) {
    const type = bytes[off]!;
    const len = bytes.readUInt16BE(off + 3);
    if (type !== 22 || bytes[off + 1] !== 3 || off + 5 + len > bytes.length) break;
    parts.push(bytes.subarray(off + 5, off + 5 + len));
    off += 5 + len;
  }
  const payload = Buffer.concat(parts);
  const types: number[] = [];
  let p = 0;
  while (p + 4 <= payload.length && types.length < 64) {
    types.push(payload[p]!);
    p += 4 + payload.readUIntBE(p + 1, 3);
  }
  return types;
}
