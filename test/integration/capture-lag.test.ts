/**
 * --capture on a busy machine: tcpdump reads the kernel's buffer late, and what it has not read
 * when it is stopped is lost. Here tcpdump is frozen (SIGSTOP) while the run's request goes out and
 * while the capture is being finished, and thawed 800 ms later: every packet of the request must
 * still be in the file, and the end marker the capture uses to know that must not be.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFilter, droppedByKernel, readPcap, startCapture, type CaptureInfo, type RunningCapture } from '../../src/sample/capture.js';
import { startEchoServer, type EchoFixture } from '../../fixtures/echo-server.js';
import { hasCommand } from '../helpers/consumers.js';

const canCapture = hasCommand('tcpdump') && process.getuid?.() === 0;
const PATH = `${process.env.PATH}:/usr/sbin:/sbin`;

let server: EchoFixture;
let dir: string;
beforeAll(async () => {
  server = await startEchoServer({ status: 200 });
  dir = mkdtempSync(join(tmpdir(), 'ud-capture-lag-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The tcpdump this process started for `port` (its filter names the port). */
function tcpdumpPid(port: number): number {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => /tcpdump/.test(l) && l.includes(`port ${port}`));
  if (!line) throw new Error(`no tcpdump child for port ${port}:\n${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

function get(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('--capture when tcpdump lags', () => {
  it.skipIf(!canCapture)('a frozen tcpdump: the request is in the file once it thaws, the marker is not', async () => {
    const filter = captureFilter([{ address: '127.0.0.1', port: server.port }]);
    const started = (await startCapture(filter, { PATH })) as RunningCapture & CaptureInfo;
    expect(started.warning).toBeUndefined();
    const pid = tcpdumpPid(server.port);
    const path = `/v1/models?mark=${randomBytes(8).toString('hex')}`;
    process.kill(pid, 'SIGSTOP');
    const thaw = setTimeout(() => process.kill(pid, 'SIGCONT'), 800);
    try {
      await get(path);
      const file = process.env.KEEP_PCAP ?? join(dir, 'lag.pcap');
      const info = await started.finish(file);
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(path))).toBe(true);
      expect(bytes.includes(Buffer.from('upstream-doctor capture end'))).toBe(false);
      // SYN, SYN-ACK, ACK, the request, its ACK, the answer ... and only TCP to the server's port.
      const pcap = readPcap(bytes)!;
      expect(info.packets).toBe(pcap.packets.length);
      expect(info.packets).toBeGreaterThanOrEqual(6);
      expect(info.filter).toBe(filter);
    } finally {
      clearTimeout(thaw);
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  });

  it.skipIf(!canCapture)('a tcpdump frozen through 400 requests: the kernel drops packets, and the capture says the file is incomplete', async () => {
    const started = (await startCapture(captureFilter([{ address: '127.0.0.1', port: server.port }]), { PATH })) as RunningCapture & CaptureInfo;
    const pid = tcpdumpPid(server.port);
    process.kill(pid, 'SIGSTOP');
    const thaw = setTimeout(() => process.kill(pid, 'SIGCONT'), 600);
    try {
      for (let i = 0; i < 400; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => get(`/v1/models?n=${i + j}`)));
      const info = await started.finish(join(dir, 'dropped.pcap'));
      expect(info.packets).toBeGreaterThan(0);
      expect(info.warning).toMatch(/^the kernel dropped \d+ packets before tcpdump could read them .*: the file is incomplete$/);
    } finally {
      clearTimeout(thaw);
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  });
});

describe('droppedByKernel', () => {
  it.each([
    ['12 packets captured\n40 packets received by filter\n28 packets dropped by kernel\n', 28],
    ['1 packet captured\n1 packet received by filter\n1 packet dropped by kernel\n', 1],
    ['5 packets captured\n5 packets received by filter\n0 packets dropped by kernel\n', 0],
    ['tcpdump: listening on any\n', 0],
  ])('%j -> %i', (text, n) => expect(droppedByKernel(text)).toBe(n));
});
