/**
 * The handshake time is the network's and the server's part, taken where the bytes leave and
 * arrive on the raw socket, with the client's own processing reported beside it: a relay holds
 * every server flight a known time (measured on its own clock), so the wire figure must hold at
 * least that much per flight, and the flights must be counted right for TLS 1.3 and 1.2.
 */
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { listenFixture } from '../../fixtures/listen.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { readFileSync } from 'node:fs';
import { observeHandshake } from '../../src/net/tls/probe.js';
import { splitHandshakeTime } from '../../src/net/tls/wire-time.js';

/** A TLS server (versions pinned) behind a relay that holds the first chunk of each server flight `holdMs`. */
async function heldTls(version: 'TLSv1.2' | 'TLSv1.3', holdMs: number) {
  const tlsServer = createTlsServer({ ...loadCert('valid'), minVersion: version, maxVersion: version, ALPNProtocols: ['http/1.1'] }, (s) => {
    s.on('error', () => undefined);
    s.end();
  });
  tlsServer.on('tlsClientError', () => undefined);
  const inner = await listenFixture(tlsServer, { scheme: 'https' });
  const holds: number[] = [];
  const relay = createServer((client) => {
    const up = connect(inner.port, '127.0.0.1');
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    // A write from the client starts a flight; the server's next bytes start its answer, held.
    let armed = false;
    let pending = Promise.resolve();
    client.on('data', (d: Buffer) => {
      armed = true;
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      if (!armed) return void client.write(d);
      armed = false;
      up.pause();
      const t0 = performance.now();
      pending = new Promise((resolve) =>
        setTimeout(() => {
          holds.push(performance.now() - t0);
          client.write(d);
          up.resume();
          resolve();
        }, holdMs),
      );
    });
    // The server may close right after its last flight: the close must not overtake the held bytes.
    up.on('end', () => void pending.then(() => client.end()));
    client.on('end', () => up.end());
  });
  const outer = await listenFixture(relay);
  return {
    port: outer.port,
    holds,
    close: async () => {
      await outer.close();
      await inner.close();
    },
  };
}

async function handshake(port: number) {
  const raw = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const ca = [readFileSync(TEST_CA_PATH, 'utf8')];
  return observeHandshake(raw, { host: 'localhost', servername: 'localhost', alpn: ['http/1.1'], ca }, new AbortController().signal, () => performance.now());
}

describe('tls handshake time on the wire', () => {
  it.each([
    ['TLSv1.3', 1],
    ['TLSv1.2', 2],
  ] as const)('%s: %i server flight(s) counted, each hold inside the wire figure, the client part beside it', async (version, flights) => {
    const f = await heldTls(version, 60);
    try {
      const h = await handshake(f.port);
      expect(h.kind).toBe('ok');
      expect(h.protocol).toBe(version);
      expect(h.roundTrips).toBe(flights);
      // Causal, not timed: each flight was held at least that long after our write reached the relay.
      const held = f.holds.slice(0, flights).reduce((a, b) => a + b, 0);
      expect(f.holds.length).toBeGreaterThanOrEqual(flights);
      expect(h.ms).toBeGreaterThanOrEqual(Math.floor(held));
      expect(h.clientMs).toBeGreaterThanOrEqual(0);
    } finally {
      await f.close();
    }
  });

  it('a failed handshake keeps the time to the outcome and no split', async () => {
    const server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const f = await listenFixture(server);
    try {
      const h = await handshake(f.port);
      expect(h.kind).not.toBe('ok');
      expect(h.clientMs).toBeUndefined();
      expect(h.roundTrips).toBeUndefined();
    } finally {
      await f.close();
    }
  });
});

describe('splitHandshakeTime (pure)', () => {
  it('TLS 1.3: ClientHello out, the flight in (two chunks), our Finished out: one round trip', () => {
    const s = splitHandshakeTime(0, 130, [
      { dir: 'out', at: 1 },
      { dir: 'in', at: 121 },
      { dir: 'in', at: 122 },
      { dir: 'out', at: 128 },
    ]);
    expect(s).toEqual({ wireMs: 121, clientMs: 9, roundTrips: 1 });
  });

  it('TLS 1.2: two round trips, the client work between them not on the wire', () => {
    const s = splitHandshakeTime(0, 50, [
      { dir: 'out', at: 1 },
      { dir: 'in', at: 11 },
      { dir: 'out', at: 15 },
      { dir: 'out', at: 16 },
      { dir: 'in', at: 46 },
    ]);
    expect(s).toEqual({ wireMs: 10 + 30, clientMs: 10, roundTrips: 2 });
  });

  it('events after the end, and bytes before any write, do not count', () => {
    expect(splitHandshakeTime(0, 20, [{ dir: 'in', at: 0.5 }, { dir: 'out', at: 1 }, { dir: 'in', at: 11 }, { dir: 'in', at: 30 }])).toEqual({ wireMs: 10, clientMs: 10, roundTrips: 1 });
    expect(splitHandshakeTime(5, 5, [])).toEqual({ wireMs: 0, clientMs: 0, roundTrips: 0 });
  });
});
