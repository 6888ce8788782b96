/** Catalogue entries of the mtu stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

export const mtuEntries: CatalogueEntry[] = [
  {
    code: 'MTU_BLACKHOLE_SUSPECTED',
    stage: 'mtu',
    severity: 'error',
    exitCode: 14,
    title: 'Large packets vanish on the path while small ones pass (MTU blackhole)',
    explanation:
      'Somewhere between this machine and the server a link carries smaller packets than the two ends assume ' +
      '(a VPN, a tunnel, a cloud overlay, PPPoE). A router there drops every full-size packet, and the ICMP ' +
      '"fragmentation needed" message that would tell the sender to use smaller ones is filtered out on the way back. ' +
      'TCP connects, because its packets are small; the first large flight (a certificate chain, a request body) ' +
      'never arrives and is retransmitted at the same size until a timeout, so the client hangs instead of failing. ' +
      'The probes compared flights of different sizes to the same address at the same time: small ones were answered, ' +
      'large ones vanished, and the kernel counters of the probe sockets show the lost full-size segments.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'Lower the MTU of the tunnel or VPN interface this traffic leaves through to a size that passed ({mtu} bytes or less), then run the check again.',
        command: 'ip link set dev {iface} mtu {mtu}',
      },
      {
        who: 'you',
        text: 'On a WireGuard interface, set the MTU in its configuration so it survives a restart (wg-quick reads it from the [Interface] section).',
        command: '[Interface]\nMTU = {mtu}',
      },
      {
        who: 'you',
        text: 'On OpenVPN, shrink the tunnel packets and let it rewrite the TCP MSS of connections through it.',
        command: 'tun-mtu {mtu}\nmssfix {mtu}',
      },
      {
        who: 'you',
        text: 'As a stop-gap on this host, let Linux detect the blackhole itself: after a few lost full-size segments it retries with smaller ones (only the sending side needs it).',
        command: 'sysctl -w net.ipv4.tcp_mtu_probing=1',
      },
      {
        who: 'network',
        text: 'On the router or firewall in front of the small link, clamp the TCP MSS of forwarded connections to the path MTU, so both ends use segments that fit.',
        command: 'iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
      },
      {
        who: 'network',
        text: 'Let ICMP type 3 code 4 ("fragmentation needed", and ICMPv6 "packet too big") through every firewall on the path: path MTU discovery depends on it.',
        command: 'iptables -I INPUT -p icmp --icmp-type fragmentation-needed -j ACCEPT\niptables -I FORWARD -p icmp --icmp-type fragmentation-needed -j ACCEPT',
      },
    ],
    attach: [
      'the evidence lines of this diagnosis (sizes that passed and vanished, the ss counters)',
      'the output of `ip route get <server address>` and `ip link` on this host',
      'which VPN, tunnel or overlay the traffic crosses, and its configured MTU',
    ],
  },
  {
    code: 'SNI_FILTER_SUSPECTED',
    stage: 'mtu',
    severity: 'error',
    exitCode: 12,
    title: 'The handshake that names this host is dropped on the path (SNI filter), whatever its size',
    explanation:
      'The ClientHello that carries this host name in its SNI field never reached the server: the kernel of this machine ' +
      'kept retransmitting it without an acknowledgement. At the same time, larger ClientHellos without the name reached ' +
      'the same address and were answered, so packet size is not the reason. A firewall, secure web gateway or DPI ' +
      'appliance on the path that blocks by server name drops it silently, which makes the client hang instead of failing.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'Confirm it from this host: the same address answers a handshake with another name and hangs with this one.',
        command: '{sclient} </dev/null\n{sclientNoSni} -servername example.invalid </dev/null',
      },
      {
        who: 'network',
        text: 'Ask the network or security team to allow {host} on the firewall, proxy or DPI policy that filters TLS by server name (look for silent drops, not resets, in its logs).',
      },
      {
        who: 'you',
        text: 'If the organisation requires an explicit proxy for this traffic, configure it (HTTPS_PROXY) instead of connecting directly.',
      },
    ],
    attach: ['the evidence lines of this diagnosis', 'the two openssl s_client outputs above'],
  },
  {
    code: 'MTU_CHECK_INCONCLUSIVE',
    stage: 'mtu',
    severity: 'warning',
    exitCode: 0,
    title: 'The path loses packets whatever their size: not an MTU problem, but not healthy',
    explanation:
      'Probes of different sizes did not behave consistently: small connections needed retransmissions, or a small ' +
      'probe stalled while a larger one got through. An MTU blackhole loses large packets every time and small ones ' +
      'never, so this pattern points at random loss (a congested or faulty link, an overloaded firewall or NAT) ' +
      'rather than at the MTU. Lowering the MTU would not fix it.',
    origin: 'network',
    owner: 'network',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Measure the loss towards the server, from this host.', command: 'mtr -rwc 100 {address}' },
      {
        who: 'you',
        text: 'Look at the retransmission counters of this host; a fast-growing count confirms loss.',
        command: 'nstat -az TcpRetransSegs TcpExtTCPTimeouts TcpExtTCPLostRetransmit',
      },
      { who: 'network', text: 'Ask the network team to check the links, firewalls and NAT gateways on the way for drops and saturation.' },
    ],
    attach: ['the evidence lines of this diagnosis', 'an mtr report towards the server'],
  },
  {
    code: 'MTU_RULED_OUT',
    stage: 'mtu',
    severity: 'info',
    exitCode: 0,
    title: 'The stall does not depend on packet size: not an MTU blackhole',
    explanation:
      'The MTU probes sent small and large flights to the same address at the same time. Their answers did not ' +
      'depend on size (the server did not answer even the smallest probe, or large packets got through because path ' +
      'MTU discovery works), so the MTU of the path does not explain the failure. Look at the diagnosis it accompanies.',
    origin: 'unknown',
    owner: 'you',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'Follow the steps of the diagnosis this one accompanies: packet size is not the cause, so tunnel MTU and MSS settings will not help.',
      },
      {
        who: 'you',
        text: 'When even the smallest probe got no answer, something accepts the connection and never speaks: check that the service on {address} port {port} is the TLS endpoint you expect and is not hung.',
        command: '{sclient} </dev/null',
        when: { param: 'scheme', in: ['https'] },
      },
      {
        who: 'you',
        text: 'When even the smallest request got no answer, something accepts the connection and never speaks: check that the service on {address} port {port} is the HTTP endpoint you expect and is not hung.',
        command: '{curl} -sv --max-time 10 http://{address}:{port}/ -o /dev/null',
        when: { param: 'scheme', in: ['http'] },
      },
      {
        who: 'network',
        text: 'If the service is healthy from elsewhere, ask the network team whether a firewall, IPS or load balancer on the path accepts connections and then holds them silently.',
      },
    ],
  },
];
