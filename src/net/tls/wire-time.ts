/**
 * Split a completed handshake's time into the network's and server's part and the client's own
 * processing, from when bytes went out and came in on the raw socket (pure).
 *
 * The events alternate in runs: our flight goes out (one or more writes), the server's answering
 * flight comes in (one or more chunks), and so on until Node reports the handshake done. For each
 * of our flights answered by the server, the wire time runs from our last write of the flight (the
 * server cannot answer a flight before it has all of it; a ClientHello is a single write) to the
 * last chunk of the server's answer. TLS 1.3 has one such round trip (ClientHello -> ServerHello..
 * Finished; two with a HelloRetryRequest), TLS 1.2 two (ClientHello -> ServerHello..ServerHelloDone,
 * then our key exchange and Finished -> the server's ChangeCipherSpec and Finished). Everything
 * else between the start and the end is the client's: building the ClientHello, reading the
 * server's flight, key exchange and chain verification, writing our last flight.
 */

export interface WireEvent {
  /** 'out': we wrote to the raw socket; 'in': bytes arrived on it. */
  dir: 'out' | 'in';
  /** On the run's clock, ms. */
  at: number;
}

export interface HandshakeSplit {
  /** The network's and the server's part, ms. */
  wireMs: number;
  /** The client's own processing: the rest of (done - started), ms. */
  clientMs: number;
  /** How many of our flights the server answered (round trips counted). */
  roundTrips: number;
}

export function splitHandshakeTime(started: number, done: number, events: readonly WireEvent[]): HandshakeSplit {
  const total = Math.max(0, done - started);
  let wire = 0;
  let roundTrips = 0;
  let lastOut: number | undefined; // the last write of the flight now waiting for an answer
  let lastIn: number | undefined; // the latest chunk of that answer so far
  const close = () => {
    if (lastOut !== undefined && lastIn !== undefined) {
      wire += Math.max(0, lastIn - lastOut);
      roundTrips++;
    }
  };
  for (const e of events) {
    if (e.at > done) break;
    if (e.dir === 'out') {
      // A write after an answer starts our next flight: the answer before it is complete.
      if (lastIn !== undefined) {
        close();
        lastIn = undefined;
      }
      lastOut = e.at;
    } else if (lastOut !== undefined) {
      lastIn = e.at;
    }
  }
  close();
  wire = Math.min(wire, total);
  return { wireMs: wire, clientMs: total - wire, roundTrips };
}
