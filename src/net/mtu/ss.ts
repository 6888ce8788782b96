/**
 * The kernel's own view of the probe sockets, from `ss -tinH` (iproute2): bytes acked and
 * received, unacked/lost/sacked segments, retransmissions, out-of-order packets, path MTU, MSS.
 * Node has no getsockopt(TCP_INFO), and ss needs no privileges for the caller's own sockets.
 * `parseSs` is pure; `readSs` runs ss and never rejects (missing ss gives `available: false`).
 */
import { execFile } from 'node:child_process';
import { toolFailure } from '../../platform/not-measured.js';

/** TCP_INFO fields of one socket, as ss prints them (absent fields stay undefined). */
export interface SsInfo {
  state: string;
  localPort: number;
  peer: string;
  peerPort: number;
  /** Bytes in the send queue not yet acknowledged (ss Send-Q). */
  sendQ: number;
  rto?: number;
  backoff?: number;
  mss?: number;
  advmss?: number;
  pmtu?: number;
  rcvmss?: number;
  bytesSent?: number;
  bytesRetrans?: number;
  /** Acknowledged bytes, the SYN counting as one. */
  bytesAcked?: number;
  bytesReceived?: number;
  dataSegsIn?: number;
  dataSegsOut?: number;
  /** Segments sent and not yet acknowledged. */
  unacked?: number;
  /** Retransmitted segments outstanding now / in total. */
  retrans?: number;
  retransTotal?: number;
  lost?: number;
  sacked?: number;
  /** Packets that arrived out of order (a small tail after lost full-size segments). */
  rcvOoopack?: number;
}

/** Split `addr:port` (`[v6]:port` or `v6:port`) into its parts. */
function splitAddr(text: string): { addr: string; port: number } {
  const i = text.lastIndexOf(':');
  return { addr: text.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(i + 1)) };
}

const NUMERIC: Record<string, keyof SsInfo> = {
  rto: 'rto',
  backoff: 'backoff',
  mss: 'mss',
  advmss: 'advmss',
  pmtu: 'pmtu',
  rcvmss: 'rcvmss',
  bytes_sent: 'bytesSent',
  bytes_retrans: 'bytesRetrans',
  bytes_acked: 'bytesAcked',
  bytes_received: 'bytesReceived',
  data_segs_in: 'dataSegsIn',
  data_segs_out: 'dataSegsOut',
  unacked: 'unacked',
  lost: 'lost',
  sacked: 'sacked',
  rcv_ooopack: 'rcvOoopack',
};

/** Parse `ss -tinH` output: a socket line, then its indented info line. Unknown text is skipped. */
export function parseSs(text: string): SsInfo[] {
  const out: SsInfo[] = [];
  let cur: SsInfo | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 5) {
        cur = undefined;
        continue;
      }
      const local = splitAddr(cols[3]!);
      const peer = splitAddr(cols[4]!);
      if (!Number.isInteger(local.port) || !Number.isInteger(peer.port)) {
        cur = undefined;
        continue;
      }
      cur = { state: cols[0]!, sendQ: Number(cols[2]) || 0, localPort: local.port, peer: peer.addr, peerPort: peer.port };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    for (const tok of line.trim().split(/\s+/)) {
      const m = /^([a-z_]+):([\d./]+)$/.exec(tok);
      if (!m) continue;
      const [, key, value] = m as unknown as [string, string, string];
      if (key === 'retrans') {
        const [now, total] = value.split('/').map(Number);
        if (Number.isFinite(now)) cur.retrans = now;
        if (Number.isFinite(total)) cur.retransTotal = total;
        continue;
      }
      const field = NUMERIC[key];
      const n = Number(value);
      if (field && Number.isFinite(n)) (cur as unknown as Record<string, number>)[field] = n;
    }
  }
  return out;
}

export interface SsSnapshot {
  available: boolean;
  /** Why the snapshot is missing (ss absent, failed, timed out). */
  reason?: string;
  sockets: SsInfo[];
}

/** Run ss for connections to `port` and keep those of our local ports. Never rejects. */
export function readSs(port: number, localPorts: number[], timeoutMs = 1500): Promise<SsSnapshot> {
  return new Promise((resolve) => {
    if (process.platform !== 'linux') return resolve({ available: false, reason: toolFailure('ss', null)!, sockets: [] });
    execFile('ss', ['-tinH', `dport = :${port}`], { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout) => {
      if (err) return resolve({ available: false, reason: toolFailure('ss', err as { code?: unknown })!, sockets: [] });
      const wanted = new Set(localPorts);
      resolve({ available: true, sockets: parseSs(String(stdout)).filter((s) => wanted.has(s.localPort)) });
    });
  });
}
