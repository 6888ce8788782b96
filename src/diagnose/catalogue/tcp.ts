/**
 * Catalogue entries of the tcp stage. Prose is the project's own, drawn from ../shared/reference and corpus.
 * Params the tcp rules fill: host, port, hostPort (host:port, v6 in brackets), address (the first failing one).
 */
import type { CatalogueEntry } from './types.js';

export const tcpEntries: CatalogueEntry[] = [
  {
    code: 'TCP_REFUSED',
    stage: 'tcp',
    severity: 'error',
    exitCode: 11,
    title: 'The connection was refused',
    explanation:
      'The address answered the connection attempt with a reset: the machine is there, but nothing accepts connections on that port, ' +
      'or a firewall on the way rejects them actively. Against a public API this is rare; it usually means the wrong host or port ' +
      '(a local server that is not running, "localhost" inside a container meaning the container itself), or a firewall that rejects rather than drops.',
    origin: 'network',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Check that the host and port are the ones the service really listens on; test the port by itself.', command: 'nc -vz {dialHost} {dialPort}' },
      {
        who: 'you',
        text: 'If the service runs on this machine or in a container next to it, check that it is up and listening on that address (not only on 127.0.0.1 when you connect from elsewhere).',
        command: 'ss -ltnp',
      },
      { who: 'you', text: 'Inside a container, "localhost" is the container itself: use the service name or host.docker.internal instead.' },
      { who: 'network', text: 'If the port is right and the service is up, ask the network team whether a firewall rejects traffic from this host to {hostPort}.' },
    ],
    attach: ['the address and port tried', 'the output of nc -vz from this host'],
  },
  {
    code: 'TCP_TIMEOUT',
    stage: 'tcp',
    severity: 'error',
    exitCode: 11,
    title: 'The connection attempt got no answer',
    explanation:
      'The connection request went out and nothing came back before the deadline: no acceptance and no refusal. Something on the way ' +
      'drops the packets silently, typically a firewall or security group without an allow rule for this destination, an egress policy that ' +
      'only lets traffic out through a proxy, or a route into nowhere.',
    origin: 'network',
    owner: 'network',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Try the port by itself with a short timeout to confirm the silence is not specific to this tool.', command: 'nc -vz -w 5 {dialHost} {dialPort}' },
      {
        who: 'you',
        text: 'If this network only allows traffic out through a forward proxy, set HTTPS_PROXY (or pass --proxy) and run again.',
        command: '{diagnose} --proxy "http://$PROXY_HOST:$PROXY_PORT"',
      },
      { who: 'you', text: 'Check this host\'s own packet filter for rules that drop outgoing traffic.', command: 'iptables -S OUTPUT; nft list ruleset' },
      { who: 'network', text: 'Ask the network team to allow outgoing TCP from this host to {hostPort}, or to tell you which proxy to use.' },
    ],
    attach: ['the addresses tried and the time waited', 'whether other hosts on the same network reach the address'],
  },
  {
    code: 'TCP_UNREACHABLE',
    stage: 'tcp',
    severity: 'error',
    exitCode: 11,
    title: 'No route to the host or network',
    explanation:
      'The connection attempt failed at once because this machine, or a router on the way, knows no route to the address, or a packet ' +
      'filter forbids it. Common causes: no default route (an isolated network or container), an IPv6 address on a host without IPv6 ' +
      'connectivity, a VPN that took over the routes, or a firewall answering with "prohibited".',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Ask the kernel which route it would take to the address; "unreachable" or "prohibit" here means the local routing table.', command: 'ip route get {address}' },
      { who: 'you', text: 'Check that the host has a default route and that a VPN has not replaced it.', command: 'ip route show default; ip -6 route show default' },
      { who: 'network', text: 'If the routes look right, ask the network team which router or firewall rejects traffic to {hostPort}.' },
    ],
    attach: ['the output of ip route get for the address', 'the error code (EHOSTUNREACH, ENETUNREACH, EPERM)'],
  },
  {
    code: 'IPV6_BROKEN',
    stage: 'tcp',
    severity: 'warning',
    exitCode: 0,
    title: 'IPv6 fails where IPv4 works',
    explanation:
      'The host has IPv6 addresses, but connecting to them fails while IPv4 works. This run went on over IPv4. Clients that try IPv6 ' +
      'first and do not fall back quickly (or at all) will hang or fail intermittently, depending on which address they pick.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Confirm that IPv6 alone fails from this host.', command: 'nc -6 -vz -w 5 {address} {port}' },
      {
        who: 'you',
        text: 'Until IPv6 is fixed, make Node programs prefer IPv4 answers, or make the whole host prefer IPv4 in /etc/gai.conf.',
        command: 'NODE_OPTIONS=--dns-result-order=ipv4first',
      },
      { who: 'network', text: 'Ask the network team to fix IPv6 routing from this host, or to stop handing out IPv6 addresses and routes where IPv6 does not work.' },
    ],
    attach: ['the IPv6 and IPv4 addresses tried and their outcomes'],
  },
];
