/**
 * Catalogue entries of the tls stage. Prose is the project's own, drawn from ../shared/reference and corpus.
 * Params the tls rules fill: host, port, hostPort, sniArg (` -servername host`, empty for IPs), product.
 * Never advise turning verification off (NODE_TLS_REJECT_UNAUTHORIZED=0): trust the right CA instead.
 */
import type { CatalogueEntry, CatalogueStep } from './types.js';

const SHOW_CHAIN: CatalogueStep = {
  who: 'you',
  text: 'Look at the chain this host really receives, with the same name sent as SNI.',
  command: '{sclient} -showcerts </dev/null',
};

const CHECK_CLOCK: CatalogueStep = {
  who: 'you',
  text: 'Check the local clock and that it is synchronised (a clock that is off makes good certificates look expired or not yet valid).',
  command: 'date -u; timedatectl status',
};

export const tlsEntries: CatalogueEntry[] = [
  {
    code: 'TLS_CERT_EXPIRED',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: "The server's certificate has expired",
    explanation:
      'A certificate in the chain is past its end date, judged by this machine\'s clock. Either the certificate really expired ' +
      '(whoever runs the server must renew it) or the local clock is far ahead. The evidence compares the local clock with the ' +
      'Date the server sent: if they agree, the certificate is at fault; if the server\'s time falls inside the certificate\'s window, the clock is.',
    origin: 'unknown',
    owner: 'provider',
    retry: 'no',
    steps: [
      CHECK_CLOCK,
      { who: 'you', text: 'If the clock is wrong, enable time synchronisation and run again.', command: 'timedatectl set-ntp true' },
      SHOW_CHAIN,
      {
        who: 'gateway',
        text: 'If the clocks agree, the certificate on {hostPort} must be renewed by whoever runs that server (your gateway or reverse proxy, or the provider for its own hosts).',
      },
    ],
    attach: ['the certificate subject, issuer and validity dates', 'the local time and the server\'s Date header'],
  },
  {
    code: 'TLS_CERT_NOT_YET_VALID',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: "The server's certificate is not valid yet",
    explanation:
      'A certificate in the chain starts being valid after the time this machine believes it is. Newly issued certificates are ' +
      'usually backdated, so this most often means the local clock is behind (a VM restored from a snapshot, a device without a ' +
      'battery-backed clock, no time synchronisation). The evidence compares the local clock with the Date the server sent.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      CHECK_CLOCK,
      { who: 'you', text: 'Turn on time synchronisation (systemd-timesyncd, chrony or ntpd) and run again.', command: 'timedatectl set-ntp true' },
      SHOW_CHAIN,
      { who: 'gateway', text: 'If the clocks agree, the server on {hostPort} was given a certificate dated in the future: whoever runs it must replace it.' },
    ],
    attach: ['the certificate validity dates', 'the local time and the server\'s Date header'],
  },
  {
    code: 'TLS_HOSTNAME_MISMATCH',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The certificate does not cover this host name',
    explanation:
      'The server presented a certificate for other names than the host asked for. Typical causes: the wrong host or base URL, a DNS entry or ' +
      'hosts-file line that sends the name to another server, a shared load balancer answering with its default certificate because ' +
      'it did not get or did not recognise the SNI, or an IP address used where the certificate only lists names.',
    origin: 'unknown',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Check that the target is the documented API host, and that it resolves where you expect (no stray hosts-file entry).', command: 'getent hosts {host}' },
      SHOW_CHAIN,
      {
        who: 'you',
        text: 'If you reach the API through your own reverse proxy, make it send the upstream name as SNI (for nginx: proxy_ssl_server_name on; proxy_ssl_name set to the API host).',
      },
      { who: 'gateway', text: 'If the name is right, whoever runs {hostPort} must install a certificate that lists it.' },
    ],
    attach: ['the names the certificate lists (SANs)', 'the address connected to'],
  },
  {
    code: 'TLS_UNTRUSTED_CA',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The certificate chain does not lead to a trusted root',
    explanation:
      'The chain the server sent does not end at a certificate authority this machine trusts: it is self-signed, signed by a private ' +
      'or corporate CA, or the server left out an intermediate certificate. Behind a corporate network this is often a TLS-inspecting ' +
      'proxy whose root is not installed where the program looks for it. Node.js does not read the system store by default; it ships its own list.',
    origin: 'unknown',
    owner: 'you',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'A CA variable names a file that is missing or unreadable (see the evidence): point it at a readable PEM file holding the CA, then run again.',
        command: 'ls -l "$NODE_EXTRA_CA_CERTS" "$SSL_CERT_FILE"; openssl x509 -in "$NODE_EXTRA_CA_CERTS" -noout -subject',
        when: { detail: 'caEnvBroken' },
      },
      SHOW_CHAIN,
      {
        who: 'you',
        text: 'If the evidence says the root is already in the system CA bundle, Node is simply not reading that bundle: point it there.',
        command: 'NODE_EXTRA_CA_CERTS={systemBundle} node app.js',
      },
      {
        who: 'you',
        text: 'If the chain comes from a CA you are meant to trust (a company root), give its PEM file to Node programs; check it here with --ca first.',
        command: 'NODE_EXTRA_CA_CERTS=/path/corp-root.pem node app.js   # check: {diagnose} --ca /path/corp-root.pem',
      },
      {
        who: 'you',
        text: 'Or install the root into the system store, and let Node read it (Node 22.15+/23.8+ have --use-system-ca; Python and curl read the system store).',
        command: 'cp corp-root.crt /usr/local/share/ca-certificates/ && update-ca-certificates',
      },
      { who: 'gateway', text: 'If the server left out its intermediate certificate, whoever runs {hostPort} must serve the full chain.' },
    ],
    attach: ['the chain (subjects, issuers, fingerprints)', 'which CA bundle the failing program uses'],
  },
  {
    code: 'TLS_INTERCEPTED',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'TLS is intercepted by a proxy or security product',
    explanation:
      'The certificate received was not issued by the API\'s real certificate authority but forged on the way by a ' +
      'TLS-inspection proxy, firewall, antivirus or debugging proxy that decrypts and re-encrypts the traffic (the evidence names the product when its CA does). Programs that do not ' +
      'trust its root fail with "self-signed certificate in certificate chain" or "unable to get local issuer certificate". When the ' +
      'root is trusted (the run shows this as a warning) the connection works, but every program and runtime needs that root in its own trust store.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'A CA variable names a file that is missing or unreadable (see the evidence): point it at a readable PEM file holding the inspection root, then run again.',
        command: 'ls -l "$NODE_EXTRA_CA_CERTS" "$SSL_CERT_FILE"; openssl x509 -in "$NODE_EXTRA_CA_CERTS" -noout -subject',
        when: { detail: 'caEnvBroken' },
      },
      SHOW_CHAIN,
      {
        who: 'you',
        text: 'If the evidence says the root is already in the system CA bundle, point Node programs at that bundle.',
        command: 'NODE_EXTRA_CA_CERTS={systemBundle} node app.js',
      },
      {
        who: 'you',
        text: 'Otherwise get the inspection root certificate (PEM) from your IT team and hand it to Node programs. This keeps verification on.',
        command: 'NODE_EXTRA_CA_CERTS=/path/corp-root.pem node app.js',
      },
      {
        who: 'you',
        text: 'Or install it in the system store; Python (SSL_CERT_FILE / REQUESTS_CA_BUNDLE), curl and Bun-based tools can then be pointed at the system bundle.',
        command: 'cp corp-root.crt /usr/local/share/ca-certificates/ && update-ca-certificates',
      },
      { who: 'you', text: 'Keep certificate verification on in every program: switching it off hands the API key to anyone on the path.' },
      { who: 'network', text: 'Ask the network team to exempt {host} from TLS inspection (a bypass rule for the API host), or to give you the root to trust.' },
    ],
    attach: ['the issuer of the certificate received and its SHA-256 fingerprint', 'the name of the security product if known'],
  },
  {
    code: 'TLS_HANDSHAKE_RESET',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The peer reset or closed the connection during the TLS handshake',
    explanation:
      'The TCP connection was accepted, the ClientHello went out, and the other side reset or closed the connection before the ' +
      'handshake finished. When this happens right after the ClientHello with nothing sent back, a firewall or filter that decides ' +
      'by the name in the SNI is the usual cause (egress filtering, a national firewall); a server or load balancer that refuses ' +
      'the offered TLS versions or has no certificate for the name can do it too.',
    origin: 'network',
    owner: 'network',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Repeat the handshake by hand to see whether it fails the same way every time.', command: '{sclient} -brief </dev/null' },
      { who: 'you', text: 'Try once without the name (or with another name) to see whether the reset depends on the SNI, a sign of name-based filtering.', command: '{sclientNoSni} -noservername -brief </dev/null' },
      { who: 'network', text: 'Ask the network team whether a firewall or proxy blocks TLS to {host}, and to allow it.' },
    ],
    attach: ['the bytes written and read before the reset', 'the address connected to and the time'],
  },
  {
    code: 'TLS_HANDSHAKE_TIMEOUT',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The TLS handshake did not finish in time',
    explanation:
      'The TCP connection worked and the ClientHello went out, but the server\'s answer never came, or stopped. Small packets pass ' +
      'while the server\'s large certificate packets vanish when a tunnel or VPN lowers the path MTU and ICMP "fragmentation needed" ' +
      'messages are blocked (an MTU blackhole); a filter that silently drops TLS to this name looks the same from here.',
    origin: 'network',
    owner: 'network',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Run the MTU checks to test whether large packets get through.', command: '{diagnose} --mtu', unless: ['MTU_RULED_OUT', 'MTU_CHECK_INCONCLUSIVE'] },
      { who: 'you', text: 'Repeat the handshake by hand and see where it stops (a hang after the ClientHello points at the path).', command: '{sclient} -brief </dev/null' },
      { who: 'you', text: 'On a VPN or tunnel, lower the interface MTU (or clamp the TCP MSS) and try again.', command: 'ip link set dev tun0 mtu 1380', unless: ['MTU_RULED_OUT', 'MTU_CHECK_INCONCLUSIVE'] },
      { who: 'network', text: 'Ask the network team to let ICMP "fragmentation needed" through, or to clamp the MSS on the tunnel.', unless: ['MTU_RULED_OUT', 'MTU_CHECK_INCONCLUSIVE'] },
    ],
    attach: ['bytes written and read, and how long the handshake waited', 'whether a VPN or tunnel is in use'],
  },
  {
    code: 'TLS_PROTOCOL_ERROR',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The peer does not speak TLS on this port, or refused the handshake',
    explanation:
      'The answer to the ClientHello was not a TLS handshake: plain HTTP on the port (an https:// URL for an http:// service, ' +
      'or the wrong port), another protocol, a captive portal, or an https:// proxy URL given for a plain HTTP proxy. Or the peer ' +
      'speaks TLS but refused the handshake with an alert, because it supports none of the offered versions or ciphers, or wanted another SNI.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'See what the port really speaks: if this prints an HTTP response, the service is plain HTTP.', command: '{curl} -sv http://{hostPort}/ -o /dev/null' },
      { who: 'you', text: 'Use http:// in the base URL if the service is plain HTTP, or the port where it serves TLS.' },
      { who: 'you', text: 'Behind a forward proxy, check that HTTPS_PROXY starts with http:// unless the proxy really takes TLS itself.' },
      {
        who: 'you',
        text: 'If the peer answered with a TLS alert, the evidence says which: for unrecognized_name, check that {host} is the name this address serves; for no_application_protocol, check that the port serves HTTP (not gRPC or another protocol). Compare by hand:',
        command: '{sclient} -alpn http/1.1 -brief </dev/null',
      },
      { who: 'gateway', text: 'For protocol_version or handshake_failure alerts, whoever runs {hostPort} must enable TLS 1.2 or 1.3 with current cipher suites (and a certificate for this name).' },
    ],
    attach: ['the first bytes the peer sent, or the TLS alert'],
  },
  {
    code: 'TLS_CLIENT_CERT_REQUIRED',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The server requires a client certificate (mutual TLS)',
    explanation:
      'The server asked this client to prove who it is with a certificate of its own, and refused the connection when none came. ' +
      'API gateways, zero-trust access proxies and private endpoints do this to admit only known machines. With TLS 1.3 the refusal ' +
      'arrives just after the handshake seemed to succeed, so programs report it late, as a closed connection or an alert on the first request.',
    origin: 'gateway',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Confirm by hand that the server asks for a client certificate (look for "Acceptable client certificate CA names" or "Requested Signature Algorithms").', command: '{sclient} </dev/null' },
      { who: 'you', text: 'Get the client certificate and key meant for this machine from whoever runs the endpoint, and check that they are accepted.', command: '{curl} -sv --cert client.pem --key client-key.pem {keyHeaders} {checkUrl}' },
      { who: 'you', text: 'Then run the whole check with them: this tool takes --cert and --key as curl does, for the TLS handshake and the request.', command: '{diagnose} --cert client.pem --key client-key.pem' },
      { who: 'you', text: 'Give them to the program: in Node, pass cert and key in the TLS options of the HTTP agent (undici: new Agent({ connect: { cert, key } })).' },
      { who: 'gateway', text: 'If this machine should be admitted without a certificate, whoever runs {hostPort} must change its client-certificate policy for it.' },
    ],
    attach: ['the alert the server sent and when', 'which client certificate, if any, the program is configured with'],
  },
  {
    code: 'TLS_CERT_EXPIRING',
    stage: 'tls',
    severity: 'warning',
    exitCode: 0,
    title: 'The certificate expires within 14 days',
    explanation:
      'The chain is valid today, but the server\'s certificate ends within two weeks. Unless it is renewed in time, every client will fail when it does.',
    origin: 'unknown',
    owner: 'provider',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Read the end date yourself.', command: '{sclient} </dev/null 2>/dev/null | openssl x509 -noout -enddate' },
      { who: 'gateway', text: 'Tell whoever runs {hostPort} that the certificate needs renewing (check that automatic renewal works).' },
    ],
    attach: ['the certificate subject and end date'],
  },
  {
    code: 'TLS_CERT_REJECTED',
    stage: 'tls',
    severity: 'error',
    exitCode: 12,
    title: 'The certificate chain was refused for what it is (weak signature, wrong purpose, bad signature ...)',
    explanation:
      'The chain leads to a trusted root and is in date, yet certificate verification refused it: a certificate signed with SHA-1 or MD5, ' +
      'a key too small for today\'s security level, a certificate not made for TLS servers, a broken signature or a revoked certificate. ' +
      'Every client built on a current TLS library refuses the same chain, so the request would fail right after the handshake. ' +
      'The evidence names the verification error and what it means.',
    origin: 'unknown',
    owner: 'gateway',
    retry: 'no',
    steps: [
      SHOW_CHAIN,
      {
        who: 'gateway',
        text: 'Whoever runs {hostPort} must replace the certificate with one that current clients accept (SHA-256 signature, RSA 2048+ or ECDSA key, extendedKeyUsage serverAuth) and serve its chain.',
        when: { detail: 'fix', in: ['server'] },
      },
      {
        who: 'you',
        text: 'Check the certificate itself: signature algorithm, key size and key usage.',
        command: "{sclient} </dev/null 2>/dev/null | openssl x509 -noout -text | grep -E 'Signature Algorithm|Public-Key|Key Usage' ",
      },
      {
        who: 'you',
        text: 'The local trust store marks this root as not trusted for TLS servers: review the trust settings of the bundle Node reads.',
        when: { detail: 'fix', in: ['local'] },
      },
    ],
    attach: ['the verification error', 'the chain (subjects, issuers, signature algorithms)'],
  },
];
