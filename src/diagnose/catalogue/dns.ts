/** Catalogue entries of the dns stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

/** What every DNS escalation needs. */
const DNS_ATTACH = [
  'the dns stage of the JSON report (system lookup, every direct query with server, rcode and time)',
  'the contents of /etc/resolv.conf and the hosts line of /etc/nsswitch.conf',
  'the time of the failure and the host name of this machine',
];

export const dnsEntries: CatalogueEntry[] = [
  {
    code: 'DNS_NXDOMAIN',
    stage: 'dns',
    severity: 'error',
    exitCode: 10,
    title: 'The name does not exist for this resolver (NXDOMAIN)',
    explanation:
      'The DNS server this machine asks says there is no such name, so no program here can connect to it. ' +
      'Either the name is misspelt (a typo in the base URL, a wrong Azure resource name), or the resolver does not tell the truth about it: ' +
      'corporate DNS filters, split-horizon zones and resolvers of isolated networks answer NXDOMAIN for public names they do not want to, or cannot, serve. ' +
      'When the name is a well-known public API endpoint, the second reading is almost certain.',
    origin: 'network',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Check the spelling of {host} in the base URL or endpoint setting of the application.' },
      { who: 'you', text: 'Ask a public resolver directly and compare its answer with the local one.', command: 'dig @1.1.1.1 {host} A +short; dig @{server} {host} A' },
      { who: 'you', text: 'Let the tool do the comparison and continue with the public answer.', command: '{diagnose} --resolver 1.1.1.1' },
      { who: 'you', text: 'See what the system resolver itself returns (hosts file and DNS, as applications see it).', command: 'getent ahosts {host}' },
      { who: 'network', text: 'If a public resolver knows the name and the local one does not, ask the network team to allow {host} on the DNS filter or forward its zone to a resolver that serves it.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_NO_ADDRESS',
    stage: 'dns',
    severity: 'error',
    exitCode: 10,
    title: 'The name exists but has no A or AAAA record',
    explanation:
      'The resolver knows the name but returns no IPv4 or IPv6 address for it (NOERROR with an empty answer, often called NODATA). ' +
      'This happens when a record was removed or not yet created, when only one address family is published and the filter strips it, ' +
      'or when a CNAME points to a name that has no addresses.',
    origin: 'network',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Look at both address types and the CNAME chain, on the local resolver and on a public one.', command: 'dig {host} A; dig {host} AAAA; dig @1.1.1.1 {host} A' },
      { who: 'you', text: 'If the name is yours (a private endpoint, a gateway), create the missing A or AAAA record in its zone.' },
      { who: 'network', text: 'If a public resolver returns addresses and the local one does not, ask the network team why their resolver strips them.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_SERVFAIL',
    stage: 'dns',
    severity: 'error',
    exitCode: 10,
    title: 'The resolver failed to answer (SERVFAIL or REFUSED)',
    explanation:
      'The DNS server answered, but with a failure instead of an answer. SERVFAIL means it could not get an answer itself ' +
      '(its upstream is unreachable, a DNSSEC check failed, the authoritative servers are broken); REFUSED means it will not ' +
      'resolve for this machine at all (an access list, a resolver that only serves its own zones). Applications see a temporary ' +
      'resolution failure (EAI_AGAIN).',
    origin: 'network',
    owner: 'network',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Repeat the query against the same server and against a public one to see whether the failure is local.', command: 'dig @{server} {host} A; dig @1.1.1.1 {host} A' },
      { who: 'you', text: 'If the server is the local systemd-resolved stub (127.0.0.53), look at the upstream servers it uses and its log.', command: 'resolvectl status; journalctl -u systemd-resolved --since -10min' },
      { who: 'you', text: 'As a stop-gap, pin the address while the resolver is fixed.', command: '{diagnose} --resolver 1.1.1.1' },
      { who: 'network', text: 'Ask whoever runs {server} to check its upstream forwarding, DNSSEC validation and access lists for this machine.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_TIMEOUT',
    stage: 'dns',
    severity: 'error',
    exitCode: 10,
    title: 'No DNS server answered in time',
    explanation:
      'The queries got no usable answer before the deadline: the configured DNS servers are down, unreachable from here, ' +
      'or a firewall drops DNS traffic (UDP and TCP port 53). Machines in isolated networks with no route to their resolver ' +
      'fail this way. Applications see a temporary resolution failure (EAI_AGAIN) after several seconds.',
    origin: 'network',
    owner: 'network',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Check which DNS servers this machine uses and whether they are the right ones for this network.', command: 'cat /etc/resolv.conf; resolvectl status' },
      { who: 'you', text: 'Ask the configured server and a public one with a short timeout; if both stay silent, outbound DNS is blocked.', command: 'dig @{server} {host} A +time=2 +tries=1; dig @1.1.1.1 {host} A +time=2 +tries=1' },
      { who: 'you', text: 'If the application must go through a forward proxy, DNS of the API name happens at the proxy: set HTTPS_PROXY so the application does not resolve it itself.' },
      { who: 'network', text: 'Ask the network team to allow DNS (UDP and TCP port 53) from this machine to its resolver, or to provide a reachable one.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_BLOCKED',
    stage: 'dns',
    severity: 'error',
    exitCode: 10,
    title: 'The name is blocked: it resolves to 0.0.0.0 or ::',
    explanation:
      'Every address the name resolves to is the "unspecified" address (0.0.0.0 or ::). No server on the internet has it: it is the ' +
      'answer DNS filters (Pi-hole, dnsmasq address=, RPZ policies in corporate resolvers) and ad-blocking hosts files give for names ' +
      'they block. A connection to it lands on this machine itself, so what follows (refused, or a local server answering) says nothing about the API.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Look for the name in the hosts file first: a blocking list installed there does this.', command: 'grep -n "{host}" /etc/hosts' },
      { who: 'you', text: 'Compare the local resolver with a public one.', command: 'dig @{server} {host} A +short; dig @1.1.1.1 {host} A +short' },
      { who: 'you', text: 'Check the run with a resolver that does not filter, to see the rest of the path.', command: '{diagnose} --resolver 1.1.1.1' },
      { who: 'network', text: 'Ask whoever runs the DNS filter to allow {host} (and the names it aliases to) for this machine.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_SERVER_UNRESPONSIVE',
    stage: 'dns',
    severity: 'warning',
    exitCode: 0,
    title: 'A configured DNS server does not answer, so every lookup waits for it',
    explanation:
      'A nameserver listed in resolv.conf before a working one stays silent. The resolver library asks the servers in order and ' +
      'waits out its timeout (5 seconds by default, per try) on the silent one before asking the next, so every new connection to the ' +
      'API starts seconds late, and clients with short connect or request timeouts fail intermittently.',
    origin: 'network',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Confirm that the server is silent.', command: 'dig @{server} {host} A +time=2 +tries=1' },
      { who: 'you', text: 'Remove the dead nameserver from resolv.conf (or from the DHCP, netplan, systemd-resolved or container DNS settings that write it), or move it after a working one.', command: 'cat /etc/resolv.conf; resolvectl status' },
      { who: 'you', text: 'Meanwhile, shorten the wait per server.', command: 'echo "options timeout:1 attempts:2" >> /etc/resolv.conf' },
      { who: 'network', text: 'If the server should work, ask the network team why it does not answer from this host.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_MISMATCH',
    stage: 'dns',
    severity: 'warning',
    exitCode: 0,
    title: 'The system resolver and a direct DNS query disagree',
    explanation:
      'What applications get from the system (getaddrinfo: hosts file, caches such as nscd or systemd-resolved, search domains, then DNS) ' +
      'is not what a DNS server says when asked directly. One side has addresses where the other says the name does not exist, ' +
      'or one side points at private addresses and the other at public ones. A stale cache, a split-horizon setup or a local ' +
      'override is usually behind it, and it explains "works with curl from my laptop, fails on the server".',
    origin: 'network',
    owner: 'you',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'The search list answered for the name (see the evidence): compare the lookup of the bare name with the absolute one (trailing dot), then lower ndots (options ndots:1; Kubernetes sets 5) or ask the owner of the search zone to drop its wildcard record.',
        command: "getent ahosts {host}; getent ahosts {host}.; grep -E '^(search|options)' /etc/resolv.conf",
        when: { detail: 'answeredName' },
      },
      { who: 'you', text: 'Compare the system answer with the direct one.', command: 'getent ahosts {host}; dig @{server} {host} A +short' },
      { who: 'you', text: 'Flush local caches if one is in use.', command: 'resolvectl flush-caches; nscd -i hosts' },
      { who: 'you', text: 'Look at the order of sources the system consults.', command: 'grep ^hosts: /etc/nsswitch.conf' },
      { who: 'network', text: 'If the network runs split-horizon DNS, ask which view this machine is meant to get for {host}.' },
    ],
    attach: DNS_ATTACH,
  },
  {
    code: 'DNS_HOSTS_OVERRIDE',
    stage: 'dns',
    severity: 'warning',
    exitCode: 0,
    title: 'The hosts file pins this name',
    explanation:
      'A line in the hosts file maps the name to a fixed address, so DNS is never asked. Such pins are often left over from a ' +
      'migration, a test or a workaround, and silently send traffic to an address that no longer serves the API.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Look at the line, and remove or comment it out unless it is there on purpose.', command: 'grep -n "{host}" /etc/hosts' },
      { who: 'you', text: 'Check what DNS would answer without the pin.', command: 'dig {host} A +short' },
      { who: 'you', text: 'In containers the hosts file comes from the runtime: look for --add-host, extra_hosts or hostAliases in the deployment.' },
    ],
    attach: ['the hosts file line', 'how the machine or container is provisioned'],
  },
  {
    code: 'DNS_PRIVATE_ADDRESS',
    stage: 'dns',
    severity: 'warning',
    exitCode: 0,
    title: 'A public API name resolves to a private, loopback or link-local address',
    explanation:
      'The API provider serves this name from public addresses, but here it resolves to an address that cannot be the provider: ' +
      'a private range, loopback, link-local, carrier-grade NAT or 0.0.0.0. A DNS filter that blocks the name, a split-horizon ' +
      'zone pointing at an internal gateway, a private endpoint, or a hosts-file pin does this. It is fine when it is intended ' +
      '(a private endpoint or an inspecting gateway); otherwise connections go somewhere that does not serve the API.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Compare with a public resolver.', command: 'dig @1.1.1.1 {host} A +short; getent ahosts {host}' },
      { who: 'you', text: 'If the address is 0.0.0.0 or a block page, the name is blocked by a DNS filter: ask for it to be allowed.' },
      { who: 'network', text: 'Confirm whether {host} is meant to resolve to an internal gateway or private endpoint from this network.' },
    ],
    attach: DNS_ATTACH,
  },
];
