/**
 * --capture <file.pcap>: tcpdump records the run's packets to and from the chosen addresses and
 * port. tcpdump writes into a ring of files in a temporary directory (-C/-W: disk bounded however
 * long the run); at the end the packets are copied to the file — all of them for a single run,
 * only those inside the time windows of failing samples for a sampled run. Without tcpdump (or
 * without the right to capture) the run goes on and the report says why there is no capture.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { chmod, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CaptureInfo {
  /** The pcap file written (absent when no capture could be made). */
  file?: string;
  /** Packets in the file. */
  packets: number;
  /** The tcpdump filter used. */
  filter: string;
  /** Which packets were kept: every packet of the run, or those of failing samples. */
  kept?: 'all' | 'failing-samples';
  /** Why there is no capture (tcpdump missing, not permitted ...). */
  warning?: string;
  /** Credentials the packets carry in clear (the key over plain http, a proxy's password): the file is 0600. */
  credentialsInClear?: string[];
}

/** Ring of at most RING_FILES × RING_MB megabytes in the temporary directory. */
const RING_MB = 16;
const RING_FILES = 4;
/** tcpdump -B: the kernel's capture buffer, KiB. */
const KERNEL_BUFFER_KIB = 32768;
/** Packets this long before and after a failing sample's window are kept too (handshake, late RST). */
const WINDOW_PAD_MS = 200;

/** `tcp and ((host A and port P) or (host B and port P))`: the run's traffic to its first hop only. */
export function captureFilter(endpoints: Array<{ address: string; port: number }>): string {
  const terms = [...new Set(endpoints.map((e) => `(host ${e.address} and port ${e.port})`))];
  return terms.length > 0 ? `tcp and (${terms.join(' or ')})` : 'tcp';
}

export interface RunningCapture {
  filter: string;
  /** Stop tcpdump and write the packets inside `windows` (epoch ms pairs; undefined: all) to `file`. */
  finish(file: string, windows?: Array<[number, number]>): Promise<CaptureInfo>;
}

function which(cmd: string, path: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', `command -v ${cmd}`], { env: { PATH: path ?? '' }, stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

/** Start tcpdump; a CaptureInfo with a warning when it cannot run. */
export async function startCapture(filter: string, env: Record<string, string | undefined>): Promise<RunningCapture | CaptureInfo> {
  if (!(await which('tcpdump', env.PATH))) {
    return { packets: 0, filter, warning: 'tcpdump is not installed (Debian/Ubuntu: apt-get install tcpdump); the run went on without a capture' };
  }
  const dir = await mkdtemp(join(tmpdir(), 'upstream-doctor-capture-'));
  // The end marker: a datagram this process sends itself on loopback once the run is over. When
  // tcpdump has written it, it has written every packet before it; the marker is left out of the file.
  const marker = await bindMarker();
  // --immediate-mode: without it the kernel hands packets over in blocks, and a short run ends before the first block.
  // -B: the kernel's buffer holds what tcpdump has not read yet. libpcap gives every packet a slot
  // as large as the snap length, so its default 2 MiB holds eight 256 KiB packets and a tcpdump
  // that lags by a few packets loses the rest; 32 MiB of 64 KiB slots hold 500 (64 KiB: the
  // largest packet GRO hands up).
  const args = ['-i', 'any', '--immediate-mode', '-n', '-U', '-B', String(KERNEL_BUFFER_KIB), '-s', '65535', '-C', String(RING_MB), '-W', String(RING_FILES), '-w', join(dir, 'ring.pcap')];
  // As root, tcpdump would switch to its own user and may then not write into our directory.
  if (process.getuid?.() === 0) args.push('-Z', 'root');
  args.push(marker ? `(${filter}) or (udp and host 127.0.0.1 and port ${marker.port})` : filter);
  let stderr = '';
  const child: ChildProcess = spawn('tcpdump', args, { env: { PATH: env.PATH ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ready = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 5000);
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(t);
        resolve(true);
      }
    });
    child.on('error', () => resolve(false));
    child.on('exit', () => resolve(false));
  });
  if (!ready) {
    child.kill('SIGKILL');
    marker?.socket.close();
    await rm(dir, { recursive: true, force: true });
    const why = stderr.split('\n').find((l) => /tcpdump:/.test(l))?.trim() ?? 'it did not start within 5 s';
    return { packets: 0, filter, warning: `tcpdump could not capture (${why}); the run went on without a capture` };
  }
  return {
    filter,
    async finish(file, windows) {
      const exited = new Promise<void>((resolve) => {
        // 'close', not 'exit': tcpdump's closing counts arrive on stderr after it exits.
        if (child.exitCode !== null && child.stderr!.closed) resolve();
        else child.once('close', () => resolve());
      });
      // tcpdump flushes its buffered packets on SIGINT/SIGTERM, but drops what it has not read from
      // the kernel yet, and on a busy machine it lags by whole seconds: wait for the end marker
      // (at most 5 s); without one, wait until the ring stops growing (at most 1.5 s).
      const seen = marker ? await markerWritten(marker, dir) : false;
      marker?.socket.close();
      if (!seen) await settled(join(dir, 'ring.pcap'));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      try {
        const names = (await readdir(dir)).filter((n) => n.startsWith('ring.pcap')).sort(ringOrder);
        const files = await Promise.all(names.map((n) => readFile(join(dir, n))));
        const { pcap, packets } = mergePcaps(files, windows, marker?.nonce);
        // Packets carry payloads (headers, bodies, perhaps the key): only the owner may read them.
        await writeFile(file, pcap, { mode: 0o600 });
        await chmod(file, 0o600).catch(() => undefined);
        const dropped = droppedByKernel(stderr);
        return {
          file,
          packets,
          filter,
          kept: windows ? 'failing-samples' : 'all',
          ...(dropped > 0 ? { warning: `the kernel dropped ${dropped} packet${dropped === 1 ? '' : 's'} before tcpdump could read ${dropped === 1 ? 'it' : 'them'} (the machine was too busy): the file is incomplete` } : {}),
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** tcpdump's closing count "N packets dropped by kernel" (0 when absent). */
export function droppedByKernel(stderr: string): number {
  const m = /(\d+) packets? dropped by kernel/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

interface Marker {
  socket: Socket;
  port: number;
  nonce: Buffer;
}

/** A UDP socket on 127.0.0.1 that the marker is sent to and from; undefined where loopback is unusable. */
function bindMarker(): Promise<Marker | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(0, '127.0.0.1', () => {
      socket.unref();
      socket.on('error', () => undefined);
      resolve({ socket, port: socket.address().port, nonce: Buffer.from(`upstream-doctor capture end ${randomBytes(12).toString('hex')}`) });
    });
  });
}

/** Send the marker every 100 ms until one is in the ring (true) or 5 s have passed (false). */
async function markerWritten(m: Marker, dir: string): Promise<boolean> {
  for (let waited = 0; waited < 5000; waited += 100) {
    m.socket.send(m.nonce, m.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, waited === 0 ? 20 : 100));
    if (await ringHolds(dir, m.nonce)) return true;
  }
  return false;
}

/** Whether the tail of any of the ring's files holds `needle` (the marker is the last thing written). */
async function ringHolds(dir: string, needle: Buffer): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const fh = await open(join(dir, n), 'r').catch(() => undefined);
    if (!fh) continue;
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 1 << 20);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      if (buf.includes(needle)) return true;
    } finally {
      await fh.close();
    }
  }
  return false;
}

/** Resolves once the file has kept its size for 150 ms (or after 1.5 s). */
async function settled(file: string): Promise<void> {
  let last = -1;
  let still = 0;
  for (let waited = 0; waited < 1500 && still < 3; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    const size = await stat(file).then((st) => st.size, () => -1);
    still = size === last ? still + 1 : 0;
    last = size;
  }
}

/** ring.pcap, ring.pcap1 ... in the order tcpdump wrote them is not known after wrapping: packets are sorted by time anyway. */
function ringOrder(a: string, b: string): number {
  return Number(a.slice(9) || 0) - Number(b.slice(9) || 0);
}

interface Packet {
  ts: number;
  bytes: Buffer;
}

/** Read the records of a classic pcap file (either byte order, µs or ns timestamps); a truncated tail is ignored. */
export function readPcap(buf: Buffer): { header: Buffer; packets: Packet[] } | undefined {
  if (buf.length < 24) return undefined;
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) return undefined;
  const nano = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const packets: Packet[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const len = u32(o + 8);
    if (o + 16 + len > buf.length) break;
    packets.push({ ts: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), bytes: buf.subarray(o, o + 16 + len) });
    o += 16 + len;
  }
  return { header: buf.subarray(0, 24), packets };
}

/**
 * One pcap from the ring's files, in time order, keeping only packets inside the windows (when
 * given) and leaving out the end marker's datagrams (packets holding `drop`).
 */
export function mergePcaps(files: Buffer[], windows?: Array<[number, number]>, drop?: Buffer): { pcap: Buffer; packets: number } {
  let header: Buffer | undefined;
  const all: Packet[] = [];
  for (const f of files) {
    const r = readPcap(f);
    if (!r) continue;
    header ??= r.header;
    all.push(...(drop ? r.packets.filter((p) => !p.bytes.includes(drop)) : r.packets));
  }
  if (!header) {
    // An empty but valid pcap (Linux cooked v1 link type, as `-i any` gives).
    header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(113, 20);
  }
  all.sort((a, b) => a.ts - b.ts);
  const keep = windows ? all.filter((p) => windows.some(([s, e]) => p.ts >= s - WINDOW_PAD_MS && p.ts <= e + WINDOW_PAD_MS)) : all;
  return { pcap: Buffer.concat([header, ...keep.map((p) => p.bytes)]), packets: keep.length };
}
