/** Pure parts of the MTU probes: ss output, `ip route get`, tunnel names, ALPN padding, the MTU bracket. */
import { describe, expect, it } from 'vitest';
import { parseSs } from '../../src/net/mtu/ss.js';
import { isTunnelName, parseRouteGet } from '../../src/net/mtu/iface.js';
import { alpnPadding, alpnForHelloSize, measureHello } from '../../src/net/mtu/hello.js';
import { mtuBracket } from '../../src/diagnose/mtu/evidence.js';

// Captured in the lab (client namespace, both directions blackholed at 1280).
const SS = [
  'ESTAB 0      0      10.254.1.2:52794 10.254.2.2:8443',
  '\t bbr wscale:10,10 rto:204 rtt:0.012/0.011 mss:1448 pmtu:1500 rcvmss:590 advmss:1448 cwnd:11 bytes_sent:388 bytes_acked:389 segs_out:4 segs_in:3 data_segs_out:1 data_segs_in:1 bbr:(bw:297025616bps,mrtt:0.009,pacing_gain:2.88672,cwnd_gain:2.88672) send 10618666667bps lastsnd:1992 lastrcv:2000 lastack:1992 pacing_rate 36783724776bps delivery_rate 297025640bps delivered:2 app_limited rcv_space:14480 rcv_ssthresh:54272 minrtt:0.009 rcv_ooopack:1 snd_wnd:65536',
  'ESTAB 0      3800   10.254.1.2:52850 10.254.2.2:8443',
  '\t bbr wscale:10,10 rto:1632 backoff:3 rtt:0.008/0.003 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:1 bytes_sent:9592 bytes_retrans:5792 bytes_acked:1 segs_out:9 segs_in:2 data_segs_out:7 busy:1988ms unacked:3 retrans:1/4 lost:2 sacked:1 rcv_space:14480 rcv_ssthresh:64088 minrtt:0.008 snd_wnd:67584',
  'ESTAB 0 0 [::1]:40000 [::1]:8443',
  '\t cubic mss:32768 pmtu:65535 bytes_acked:10 bytes_received:20',
  'garbage line',
  '',
].join('\n');

describe('parseSs', () => {
  const socks = parseSs(SS);
  it('reads the server-to-client fingerprint: acked hello, no data, one out-of-order packet', () => {
    expect(socks[0]).toMatchObject({ localPort: 52794, peer: '10.254.2.2', peerPort: 8443, bytesAcked: 389, rcvOoopack: 1, pmtu: 1500, mss: 1448 });
    expect(socks[0]!.bytesReceived).toBeUndefined();
  });
  it('reads the client-to-server fingerprint: unacked, lost, sacked, retrans now/total, backoff', () => {
    expect(socks[1]).toMatchObject({ sendQ: 3800, unacked: 3, lost: 2, sacked: 1, retrans: 1, retransTotal: 4, backoff: 3, bytesAcked: 1, bytesRetrans: 5792 });
  });
  it('handles IPv6 addresses and skips what it does not understand', () => {
    expect(socks).toHaveLength(3);
    expect(socks[2]).toMatchObject({ localPort: 40000, peer: '::1', bytesReceived: 20 });
    expect(parseSs('')).toEqual([]);
    expect(parseSs('\t mss:1 orphan info line')).toEqual([]);
  });
});

describe('parseRouteGet', () => {
  it.each([
    ['10.254.2.2 via 10.254.1.1 dev eth0 src 10.254.1.2 uid 0 \\    cache ', { dev: 'eth0', mtu: undefined, learned: false }],
    ['10.254.2.2 via 10.254.1.1 dev eth0 src 10.254.1.2 uid 0 \\    cache expires 599sec mtu 1280 ', { dev: 'eth0', mtu: 1280, learned: true }],
    ['1.1.1.1 dev wg0 table 51820 src 10.0.0.2 uid 0 \\    cache mtu lock 1420', { dev: 'wg0', mtu: 1420, learned: false }],
  ])('%s', (line, want) => expect(parseRouteGet(line)).toMatchObject(want));
});

describe('isTunnelName', () => {
  it.each(['wg0', 'tun0', 'ppp0', 'tailscale0', 'ipsec0', 'gre1'])('%s is a tunnel', (n) => expect(isTunnelName(n)).toBe(true));
  it.each(['eth0', 'ens5', 'enp0s3', 'docker0', 'lo'])('%s is not', (n) => expect(isTunnelName(n)).toBe(false));
});

describe('ClientHello padding', () => {
  it.each([2, 3, 255, 256, 257, 258, 1000, 3436])('alpnPadding(%d) adds exactly that many bytes with legal names', (extra) => {
    const names = alpnPadding(extra);
    expect(names.reduce((n, s) => n + s.length + 1, 0)).toBe(extra);
    for (const n of names) expect(n.length).toBeGreaterThan(0), expect(n.length).toBeLessThanOrEqual(255);
  });
  it('node:tls writes hellos of exactly the asked size (measured locally, no network)', async () => {
    for (const size of [700, 1300, 3800]) expect(await measureHello(undefined, await alpnForHelloSize(undefined, size))).toBe(size);
  });
});

describe('mtuBracket', () => {
  it('adds IP and TCP headers (with timestamps) to the hello sizes', () => {
    expect(mtuBracket(1200, 1300, 4)).toEqual({ low: 1252, high: 1351 });
    expect(mtuBracket(1200, 1300, 6)).toEqual({ low: 1272, high: 1371 });
    expect(mtuBracket(undefined, undefined, 4)).toEqual({ low: undefined, high: undefined });
  });
});
