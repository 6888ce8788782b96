/**
 * The request-body ladder of the MTU probes: POST requests of growing size, each on a connection
 * of its own, to an endpoint that consumes bodies (TLS with the target's SNI, verified as the tls
 * stage verifies, for https targets; plain TCP for http ones). A request that does not fit the
 * path vanishes while a small one gets through, the same contrast the padded ClientHellos give.
 *
 * An answer alone proves nothing here: real APIs may answer 401/404/413 before reading a body.
 * What the rules trust is the kernel's acknowledgement of the request bytes (ss bytes_acked), so
 * the probe records where its request starts and ends in the raw byte count. The API key is never
 * sent: an unauthenticated request measures delivery just as well. Request bytes are not recorded.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { CountingStream, probeWrite, type ProbeConn } from './socket.js';
import type { ProbeOutcome, ProbeResult, ProbeSpec } from './probes.js';
import { requestHead } from './http.js';
import { verifyFor } from '../tls/verify-host.js';

/**
 * Sizes of the ladder's requests (head + body, before TLS), in bytes; the largest twice, since one
 * loss is not a verdict. 1000-1400 brackets tunnel MTUs; 2000 and more spans several full-size
 * segments; 64 KiB is a large prompt.
 */
export const BODY_LADDER = [512, 1000, 1150, 1300, 1400, 2000, 8192, 65_536, 65_536] as const;

/** Where and how the ladder's requests go (never with credentials). */
export interface BodyProbePlan {
  /** TLS (an https target) or plain TCP (http). */
  tls: boolean;
  servername?: string;
  /** The host or IP the certificate must cover (the target's own, also without SNI). */
  verifyHost: string;
  /** CA list for verification (undefined: Node's default store). */
  ca?: string[];
  /** The request path of an endpoint that consumes bodies (the provider's completion path). */
  path: string;
  hostHeader: string;
  /** Headers every request of the profile needs (anthropic-version ...), no key among them. */
  headers: Record<string, string>;
}

/** One rung: the plan and the request size it sends. */
export interface BodyRung {
  plan: BodyProbePlan;
  /** Request size in bytes (head + body); the body shrinks to make it exact. */
  size: number;
}

const PAD_OPEN = '{"upstream_doctor_padding":"';
const PAD_CLOSE = '"}';

/** The probe's head: never a credential header (the ladder measures delivery, it needs no key). */
function head(plan: BodyProbePlan, bodyBytes: number): string {
  const safe = Object.fromEntries(Object.entries(plan.headers).filter(([k]) => !/^(content-type|authorization|x-api-key|api-key|x-goog-api-key)$/i.test(k)));
  return requestHead('POST', plan.path, plan.hostHeader, { ...safe, 'content-type': 'application/json' }, bodyBytes);
}

/**
 * A POST of exactly `size` bytes (or its bare head when that is larger): a JSON object whose one
 * string is padding, so a server that parses the body sees valid JSON.
 */
export function bodyRequest(plan: BodyProbePlan, size: number): { bytes: Buffer; bodyBytes: number } {
  const frame = PAD_OPEN.length + PAD_CLOSE.length;
  let bodyBytes = frame;
  // The content-length digits change the head's length: two passes settle it.
  for (let i = 0; i < 3; i++) bodyBytes = Math.max(frame, size - Buffer.byteLength(head(plan, bodyBytes)));
  const body = PAD_OPEN + 'a'.repeat(bodyBytes - frame) + PAD_CLOSE;
  return { bytes: Buffer.from(head(plan, bodyBytes) + body), bodyBytes };
}

/** The status code of a response's first line, once enough of it arrived. */
export function statusOf(start: string): number | undefined {
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})[ \r]/.exec(start);
  return m ? Number(m[1]) : undefined;
}

/** Send one rung's request and wait for a status line, the peer's end, or the threshold. */
export async function driveBodyProbe(
  conn: ProbeConn,
  spec: ProbeSpec,
  rung: BodyRung,
  wait: (p: Promise<unknown>) => Promise<unknown>,
  now: () => number,
  t0: number,
): Promise<Omit<ProbeResult, 'settledMs'>> {
  const { trace } = conn;
  const { bytes, bodyBytes } = bodyRequest(rung.plan, rung.size);
  trace.bodyBytes = bodyBytes;
  let start = '';
  let failed = false;
  let tls: TLSSocket | undefined;
  const settled = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      if (trace.status !== undefined || start.length > 64) return;
      start += chunk.toString('latin1');
      trace.status = statusOf(start);
      if (trace.status !== undefined) resolve();
    };
    if (rung.plan.tls) {
      tls = tlsConnect({ socket: new CountingStream(conn), servername: rung.plan.servername, ca: rung.plan.ca, ALPNProtocols: ['http/1.1'], rejectUnauthorized: true, ...verifyFor(rung.plan.verifyHost) });
      tls.on('error', () => {
        failed = true;
        resolve();
      });
      tls.once('secureConnect', () => {
        trace.handshakeMs = now() - t0;
        // Everything written so far is the handshake; the request's bytes start here.
        trace.requestStartBytes = trace.bytesWritten;
        tls!.write(bytes);
      });
      tls.on('data', onData);
      tls.once('close', () => resolve());
    } else {
      conn.socket.on('data', onData);
      trace.requestStartBytes = trace.bytesWritten;
      probeWrite(conn, bytes);
    }
    conn.socket.once('end', () => resolve());
    conn.socket.once('close', () => resolve());
    conn.socket.once('error', () => resolve());
  });
  await wait(settled);
  return { spec, outcome: bodyOutcome(trace, rung.plan.tls, failed), trace, socket: conn.socket, tls };
}

function bodyOutcome(trace: ProbeConn['trace'], tls: boolean, failed: boolean): ProbeOutcome {
  if (tls && trace.handshakeMs === undefined) return failed || trace.errorCode !== undefined || trace.finMs !== undefined ? 'reset' : trace.bytesRead > 0 ? 'answered' : 'stalled';
  if (trace.status !== undefined) return 'answered';
  if (trace.errorCode !== undefined) return 'reset';
  if (trace.finMs !== undefined) return 'closed';
  return 'stalled';
}
