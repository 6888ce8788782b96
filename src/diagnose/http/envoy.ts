/**
 * Envoy's local replies, read from the body (pure). Envoy builds the reset reply as
 * "upstream connect error or disconnect/reset before headers. " + ["retried and the latest "] +
 * "reset reason: " + reason + [", transport failure reason: " + tfr]; older builds stop after
 * "before headers", and the reason and errno wordings changed across versions, so each part is
 * optional and the reason is reduced to a family.
 */

/** What an Envoy reply says, in the tool's words. */
export type EnvoyReplyKind = 'reset-before-headers' | 'no-healthy-upstream' | 'upstream-timeout' | 'max-stream-duration' | 'maintenance';

/** Families of reset reasons, stable across Envoy versions. */
export type ResetFamily =
  | 'connect-failure'
  | 'connect-timeout'
  | 'termination'
  | 'overflow'
  | 'overload-manager'
  | 'remote-reset'
  | 'local-reset'
  | 'protocol-error'
  | 'connect-request'
  | 'unknown';

export interface EnvoyReply {
  kind: EnvoyReplyKind;
  /** The reset reason as written (`remote connection failure`), when present. */
  resetReason?: string;
  resetFamily?: ResetFamily;
  /** The transport failure reason as written (`delayed connect error: 111`), when present. */
  transportFailureReason?: string;
  /** What the transport failure reason means: refused, unreachable, timeout, tls ... */
  transportFamily?: 'refused' | 'unreachable' | 'timeout' | 'reset' | 'tls' | 'other';
  /** True when Envoy says it retried and this is the latest reason. */
  retried: boolean;
}

const RESET = /upstream connect error or disconnect\/reset before headers\.?/i;

export function resetFamily(reason: string): ResetFamily {
  const r = reason.toLowerCase().trim();
  if (/connection (establishment )?failure|connect(ion)? fail/.test(r)) return 'connect-failure';
  if (/connection timeout|connect timeout/.test(r)) return 'connect-timeout';
  if (/connection termination|connection terminated/.test(r)) return 'termination';
  // The overload manager (Envoy itself short of memory or CPU) is not a circuit breaker.
  if (/overload manager/.test(r)) return 'overload-manager';
  if (/overflow|overload/.test(r)) return 'overflow';
  if (/remote (refused stream )?reset/.test(r)) return 'remote-reset';
  if (/local (refused stream )?reset/.test(r)) return 'local-reset';
  if (/protocol error/.test(r)) return 'protocol-error';
  if (/connect request/.test(r)) return 'connect-request';
  return 'unknown';
}

export function transportFamily(tfr: string): NonNullable<EnvoyReply['transportFamily']> {
  const t = tfr.toLowerCase();
  if (/tls error|ssl|certificate|openssl/.test(t)) return 'tls';
  // errno 111 is ECONNREFUSED, 113 EHOSTUNREACH, 101 ENETUNREACH, 110 ETIMEDOUT, 104 ECONNRESET.
  if (/\b111\b|connection refused/.test(t)) return 'refused';
  if (/\b11[03]\b|\b101\b|no route|unreachable/.test(t)) return /\b110\b/.test(t) ? 'timeout' : 'unreachable';
  if (/timed out|timeout/.test(t)) return 'timeout';
  if (/\b104\b|reset by peer/.test(t)) return 'reset';
  return 'other';
}

/** Parse an Envoy local reply; undefined when the body is not one. */
export function parseEnvoyBody(body: string): EnvoyReply | undefined {
  const text = body.slice(0, 4096);
  // The reason alone ("reset reason: overflow") is as distinctive as the whole sentence: clients
  // and relays often keep only the end of the message.
  const m = RESET.exec(text) ?? /(?=\b(?:retried and the latest )?reset reason:\s)/i.exec(text);
  if (m) {
    const rest = text.slice(m.index + m[0].length).split(/\r?\n/)[0] ?? '';
    const retried = /retried and the latest/i.test(rest);
    const rr = /reset reason:\s*([^,]+?)\s*(?:,|$)/i.exec(rest);
    const tf = /transport failure reason:\s*(.+?)\s*$/i.exec(rest);
    const reply: EnvoyReply = { kind: 'reset-before-headers', retried };
    if (rr) {
      reply.resetReason = rr[1]!;
      reply.resetFamily = resetFamily(rr[1]!);
    }
    if (tf) {
      reply.transportFailureReason = tf[1]!;
      reply.transportFamily = transportFamily(tf[1]!);
    }
    return reply;
  }
  const t = text.trim().toLowerCase();
  if (t === 'no healthy upstream') return { kind: 'no-healthy-upstream', retried: false };
  if (t === 'upstream request timeout') return { kind: 'upstream-timeout', retried: false };
  if (t.startsWith('upstream max stream duration reached')) return { kind: 'max-stream-duration', retried: false };
  if (t === 'maintenance mode') return { kind: 'maintenance', retried: false };
  return undefined;
}
