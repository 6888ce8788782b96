/**
 * A direct DNS query to one server (dns-packet on the wire): UDP first, TCP again when the answer
 * comes back truncated. Replies whose id or question do not match the query are dropped, as a
 * stub resolver does, and counted as evidence. Never throws for network trouble: the outcome says.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { isIPv6 } from '../is-ip.js';
import dnsPacket from 'dns-packet';
import { errorFacts } from '../failure.js';
import { clockMs } from '../../clock.js';

export type QueryType = 'A' | 'AAAA';

/** How a query ended: an answer (any rcode), silence, a network error, or only unusable replies. */
export type QueryOutcome = 'answer' | 'timeout' | 'unreachable' | 'invalid';

export interface DnsQueryResult {
  /** The server asked, `ip:port` (`[v6]:port`). */
  server: string;
  name: string;
  type: QueryType;
  /** The transport of the final exchange. */
  transport: 'udp' | 'tcp';
  /** True when the UDP answer had TC set and the query was repeated over TCP. */
  truncated: boolean;
  outcome: QueryOutcome;
  /** The answer's rcode (NOERROR, NXDOMAIN, SERVFAIL, REFUSED ...), when one arrived. */
  rcode?: string;
  /** Addresses of the asked type, at the end of the CNAME chain. */
  addresses: string[];
  /** The CNAME chain followed from the name, in order (targets only). */
  cnames: string[];
  /** Smallest TTL of the records used, in seconds. */
  minTtl?: number;
  /** Milliseconds from the first packet sent to the outcome. */
  ms: number;
  /** The error code for `unreachable` (ECONNREFUSED, ENETUNREACH ...) or `invalid`. */
  error?: string;
  /** Why replies were dropped (wrong id, wrong question, undecodable), in arrival order. */
  dropped?: string[];
}

export interface QueryOptions {
  server: string;
  port: number;
  name: string;
  type: QueryType;
  /** Stop waiting after this many milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
}

type Decoded = ReturnType<typeof dnsPacket.decode> & { rcode?: string };

/** Why a reply does not answer the query, or undefined when it does (pure). */
export function replyProblem(reply: Decoded, id: number, name: string, type: QueryType): string | undefined {
  if (reply.type !== 'response') return 'not a response (QR flag clear)';
  if (reply.id !== id) return `id ${reply.id} does not match query id ${id}`;
  const q = reply.questions ?? [];
  if (q.length !== 1 || q[0]!.name.toLowerCase() !== name.toLowerCase() || q[0]!.type !== type) {
    const got = q.map((x) => `${x.name} ${x.type}`).join(', ') || 'none';
    return `question (${got}) does not match ${name} ${type}`;
  }
  return undefined;
}

/** The addresses, CNAME chain and minimum TTL an answer gives for name/type (pure). */
export function extractAnswer(reply: Decoded, name: string, type: QueryType): Pick<DnsQueryResult, 'addresses' | 'cnames' | 'minTtl'> {
  // Only CNAME and address records matter here; their data is a string.
  const answers = (reply.answers ?? []).filter((a) => a.type === 'CNAME' || a.type === type) as Array<{ type: string; name: string; ttl?: number; data: unknown }>;
  const ttls: number[] = [];
  const cnames: string[] = [];
  let current = name.toLowerCase();
  // Follow the chain with a bound: a hostile server can send a CNAME loop.
  for (let hops = 0; hops < 16; hops++) {
    const c = answers.find((a) => a.type === 'CNAME' && a.name.toLowerCase() === current);
    if (!c || typeof c.data !== 'string') break;
    if (c.ttl !== undefined) ttls.push(c.ttl);
    current = c.data.toLowerCase();
    if (cnames.includes(current)) break;
    cnames.push(current);
  }
  const addresses: string[] = [];
  for (const a of answers) {
    if (a.type !== type || a.name.toLowerCase() !== current || typeof a.data !== 'string') continue;
    if (!addresses.includes(a.data)) addresses.push(a.data);
    if (a.ttl !== undefined) ttls.push(a.ttl);
  }
  return { addresses, cnames, ...(ttls.length > 0 ? { minTtl: Math.min(...ttls) } : {}) };
}

function decode(buf: Buffer): Decoded | undefined {
  try {
    return dnsPacket.decode(buf) as Decoded;
  } catch {
    return undefined;
  }
}

/** Ask one server for one name and type. */
export async function queryDns(opts: QueryOptions): Promise<DnsQueryResult> {
  const id = randomInt(0, 65536);
  const packet = { type: 'query' as const, id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: opts.type, name: opts.name, class: 'IN' as const }] };
  const server = isIPv6(opts.server) ? `[${opts.server}]:${opts.port}` : `${opts.server}:${opts.port}`;
  const started = clockMs();
  const deadline = started + opts.timeoutMs;
  const base = { server, name: opts.name, type: opts.type };
  // The answer time runs from the query leaving to the reply arriving (stamped in the socket's
  // handlers), so neither the socket's set-up nor the decoding nor a busy event loop counts.
  const finish = (r: Omit<DnsQueryResult, 'server' | 'name' | 'type' | 'ms'>, sentAt: number | undefined, x: Exchange): DnsQueryResult => ({
    ...base,
    ...r,
    ms: Math.round(((x.kind === 'reply' && sentAt !== undefined && x.repliedAt !== undefined ? x.repliedAt : clockMs()) - (sentAt ?? started)) * 100) / 100,
  });

  const udp = await exchange('udp', dnsPacket.encode(packet), opts, deadline, id);
  if (udp.kind === 'reply' && udp.reply.flag_tc) {
    const tcp = await exchange('tcp', dnsPacket.streamEncode(packet), opts, deadline, id);
    return finish(toResult(tcp, 'tcp', true, opts), udp.sentAt, tcp);
  }
  return finish(toResult(udp, 'udp', false, opts), udp.sentAt, udp);
}

type Exchange = (
  | { kind: 'reply'; reply: Decoded; dropped: string[]; repliedAt?: number }
  | { kind: 'timeout' | 'invalid'; dropped: string[]; error?: string }
  | { kind: 'unreachable'; error: string; dropped: string[] }
) & { sentAt?: number };

function toResult(x: Exchange, transport: 'udp' | 'tcp', truncated: boolean, opts: QueryOptions): Omit<DnsQueryResult, 'server' | 'name' | 'type' | 'ms'> {
  const dropped = x.dropped.length > 0 ? { dropped: x.dropped.slice(0, 5) } : {};
  if (x.kind === 'reply') {
    return { transport, truncated, outcome: 'answer', rcode: x.reply.rcode ?? 'NOERROR', ...extractAnswer(x.reply, opts.name, opts.type), ...dropped };
  }
  // Only dropped replies and no good one: the server talks, but not sense.
  const outcome = x.kind === 'timeout' && x.dropped.length > 0 ? 'invalid' : x.kind;
  return { transport, truncated, outcome, addresses: [], cnames: [], ...(x.error ? { error: x.error } : {}), ...dropped };
}

/** One exchange over UDP (with retransmission) or TCP, bounded by the deadline and the signal. */
function exchange(transport: 'udp' | 'tcp', wire: Buffer, opts: QueryOptions, deadline: number, id: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const dropped: string[] = [];
    const timers: NodeJS.Timeout[] = [];
    let cleanup = () => {};
    let settled = false;
    const done = (x: Exchange) => {
      if (settled) return;
      settled = true;
      if (sentAt !== undefined) x.sentAt = sentAt;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      cleanup();
      resolve(x);
    };
    const onAbort = () => done({ kind: 'timeout', dropped });
    let sentAt: number | undefined;
    const onReply = (buf: Buffer) => {
      const repliedAt = clockMs();
      const reply = decode(buf);
      const problem = reply ? replyProblem(reply, id, opts.name, opts.type) : `undecodable reply of ${buf.length} bytes`;
      if (reply && !problem) done({ kind: 'reply', reply, dropped, repliedAt });
      else if (dropped.length < 50) dropped.push(problem!);
    };
    const onError = (err: unknown) => done({ kind: 'unreachable', error: errorFacts(err).code ?? 'error', dropped });
    if (opts.signal?.aborted) return done({ kind: 'timeout', dropped });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => done({ kind: 'timeout', dropped }), Math.max(0, deadline - clockMs())));

    if (transport === 'udp') {
      const sock = createSocket(isIPv6(opts.server) ? 'udp6' : 'udp4');
      cleanup = () => sock.close();
      sock.on('error', onError);
      sock.on('message', onReply);
      const send = () => {
        if (settled) return;
        try {
          sentAt ??= clockMs();
          sock.send(wire, (err) => err && onError(err));
        } catch (err) {
          onError(err);
        }
      };
      // Connected, so an ICMP port-unreachable surfaces as ECONNREFUSED instead of silence.
      sock.connect(opts.port, opts.server, (err?: Error) => {
        if (err) return onError(err);
        send();
        // Retransmit like a stub resolver: UDP packets get lost.
        for (const at of [1000, 3000]) if (clockMs() + at < deadline) timers.push(setTimeout(send, at));
      });
      return;
    }
    const sock = tcpConnect({ host: opts.server, port: opts.port });
    cleanup = () => sock.destroy();
    let buf = Buffer.alloc(0);
    sock.on('error', onError);
    sock.on('connect', () => {
      sentAt ??= clockMs();
      sock.write(wire);
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      // A length-prefixed message; a hostile server cannot make us buffer more than 64 KiB.
      while (!settled && buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        onReply(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
      }
    });
    sock.on('close', () => done({ kind: 'invalid', error: buf.length > 0 ? 'ECLOSED_MID_MESSAGE' : 'ECLOSED', dropped }));
  });
}
