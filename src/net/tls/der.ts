/**
 * Just enough DER to read what Node 20's X509Certificate does not expose: a certificate's
 * signature algorithm, its issuer and subject names as bytes, and its extensions (basic
 * constraints with the path length, key usage bits, extended key usage, which are critical).
 * Pure; every reader returns undefined for bytes it cannot read, never throws.
 */

/** Read one TLV header at `at`: [tag, contentStart, contentLength]. */
export function tlv(b: Buffer, at: number): [number, number, number] | undefined {
  if (at + 2 > b.length) return undefined;
  const tag = b[at]!;
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > b.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i]!;
    p += n;
  }
  if (p + len > b.length) return undefined;
  return [tag, p, len];
}

/** The dotted text of an OID's content bytes. */
export function oidText(b: Buffer): string {
  if (b.length === 0) return '';
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** One TLV inside a constructed value: [tag, contentStart, contentLength, tlvStart]. */
type Child = [number, number, number, number];

/** The TLVs inside a constructed value, in order (undefined when one cannot be read). */
function children(b: Buffer, start: number, length: number): Child[] | undefined {
  const out: Child[] = [];
  let at = start;
  const end = start + length;
  while (at < end) {
    const t = tlv(b, at);
    if (!t || t[1] + t[2] > end) return undefined;
    out.push([t[0], t[1], t[2], at]);
    at = t[1] + t[2];
  }
  return out;
}

export interface Extension {
  oid: string;
  critical: boolean;
  /** The extnValue's content (the DER of the extension's own value). */
  value: Buffer;
}

export interface CertFields {
  /** The issuer Name, its whole TLV. */
  issuer: Buffer;
  /** The subject Name, its whole TLV. */
  subject: Buffer;
  /** The outer signature algorithm OID. */
  signatureOid: string;
  extensions: Extension[];
}

/** A child's whole TLV, header included. */
const whole = (b: Buffer, t: Child) => b.subarray(t[3], t[1] + t[2]);

/** The fields of a DER certificate this project reads itself. */
export function certFields(der: Buffer): CertFields | undefined {
  const cert = tlv(der, 0);
  if (!cert || cert[0] !== 0x30) return undefined;
  const parts = children(der, cert[1], cert[2]);
  if (!parts || parts.length !== 3 || parts[0]![0] !== 0x30 || parts[1]![0] !== 0x30) return undefined;
  const tbs = children(der, parts[0]![1], parts[0]![2]);
  if (!tbs) return undefined;
  let i = tbs[0]?.[0] === 0xa0 ? 1 : 0; // [0] version
  const serial = tbs[i++];
  const alg = tbs[i++];
  const issuer = tbs[i++];
  const validity = tbs[i++];
  const subject = tbs[i++];
  const spki = tbs[i++];
  if (!serial || !alg || !issuer || !validity || !subject || !spki || issuer[0] !== 0x30 || subject[0] !== 0x30) return undefined;
  const sigAlg = children(der, parts[1]![1], parts[1]![2]);
  if (!sigAlg?.[0] || sigAlg[0][0] !== 0x06) return undefined;
  const extensions: Extension[] = [];
  for (const rest of tbs.slice(i)) {
    if (rest[0] !== 0xa3) continue; // [1], [2] unique ids
    const seq = tlv(der, rest[1]);
    if (!seq || seq[0] !== 0x30) return undefined;
    for (const ext of children(der, seq[1], seq[2]) ?? []) {
      const f = children(der, ext[1], ext[2]);
      if (!f || f.length < 2 || f[0]![0] !== 0x06) return undefined;
      const critical = f.length === 3 && f[1]![0] === 0x01 && der[f[1]![1]] !== 0;
      const value = f[f.length - 1]!;
      if (value[0] !== 0x04) return undefined;
      extensions.push({ oid: oidText(der.subarray(f[0]![1], f[0]![1] + f[0]![2])), critical, value: der.subarray(value[1], value[1] + value[2]) });
    }
  }
  return {
    issuer: whole(der, issuer),
    subject: whole(der, subject),
    signatureOid: oidText(der.subarray(sigAlg[0][1], sigAlg[0][1] + sigAlg[0][2])),
    extensions,
  };
}

/** Only the subject Name (its whole TLV) of a DER certificate: the walk stops there. */
export function subjectOf(der: Buffer): Buffer | undefined {
  const cert = tlv(der, 0);
  if (!cert || cert[0] !== 0x30) return undefined;
  const tbs = tlv(der, cert[1]);
  if (!tbs || tbs[0] !== 0x30) return undefined;
  let at = tbs[1];
  // [0] version (optional), serial, signature algorithm, issuer, validity: skipped.
  for (let skip = 0; skip < 5; skip++) {
    const t = tlv(der, at);
    if (!t) return undefined;
    if (skip === 0 && t[0] !== 0xa0) skip++;
    at = t[1] + t[2];
  }
  const subject = tlv(der, at);
  return subject && subject[0] === 0x30 ? der.subarray(at, subject[1] + subject[2]) : undefined;
}

/** basicConstraints: whether it is a CA and its path length limit, when the extension is there. */
export function basicConstraints(value: Buffer): { ca: boolean; pathLen?: number } | undefined {
  const seq = tlv(value, 0);
  if (!seq || seq[0] !== 0x30) return undefined;
  const f = children(value, seq[1], seq[2]);
  if (!f) return undefined;
  let ca = false;
  let pathLen: number | undefined;
  for (const t of f) {
    if (t[0] === 0x01) ca = value[t[1]] !== 0;
    else if (t[0] === 0x02) {
      if (t[2] > 4) return undefined;
      pathLen = 0;
      for (let k = 0; k < t[2]; k++) pathLen = pathLen * 256 + value[t[1] + k]!;
    }
  }
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

/** keyUsage: whether bit `n` (0 = digitalSignature, 2 = keyEncipherment, 4 = keyAgreement, 5 = keyCertSign) is set. */
export function keyUsageBits(value: Buffer): ((n: number) => boolean) | undefined {
  const bits = tlv(value, 0);
  if (!bits || bits[0] !== 0x03 || bits[2] < 1) return undefined;
  const data = value.subarray(bits[1] + 1, bits[1] + bits[2]);
  return (n) => {
    const byte = data[n >> 3];
    return byte !== undefined && (byte & (0x80 >> (n & 7))) !== 0;
  };
}

/** extKeyUsage: the purposes' OIDs. */
export function extendedKeyUsage(value: Buffer): string[] | undefined {
  const seq = tlv(value, 0);
  if (!seq || seq[0] !== 0x30) return undefined;
  const f = children(value, seq[1], seq[2]);
  if (!f || f.some((t) => t[0] !== 0x06)) return undefined;
  return f.map((t) => oidText(value.subarray(t[1], t[1] + t[2])));
}
