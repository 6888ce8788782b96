/** Catalogue entries of the proxy stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

export const proxyEntries: CatalogueEntry[] = [
  {
    code: 'PROXY_UNREACHABLE',
    stage: 'proxy',
    severity: 'error',
    exitCode: 13,
    title: 'The forward proxy cannot be reached',
    explanation:
      'Everything to the API goes through the forward proxy, and the proxy itself did not work as a proxy: its ' +
      'name did not resolve, nothing accepted the connection, it hung up or went silent when asked for a tunnel, ' +
      'or what answered there does not speak the proxy protocol (a TLS port given as http://, or the other way ' +
      'round). Until the proxy answers, nothing behind it can be judged. The usual causes are a stale or mistyped ' +
      'proxy setting, a proxy that is down or overloaded, or a firewall between this machine and the proxy.',
    origin: 'forward-proxy',
    owner: 'you',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Check the proxy address and port in the setting this run used (the report names the variable or option).', command: 'env | grep -i _proxy' },
      { who: 'you', text: 'Try the proxy by hand; a connection error here confirms it is the proxy, not the API.', command: '{curl} -v {keyHeaders} {checkUrl}' },
      { who: 'you', text: 'If the evidence says the https:// proxy\'s certificate was not accepted, trust the CA that issued it: pass it with --ca here, and to Node programs with NODE_EXTRA_CA_CERTS. If it says the proxy does not speak TLS, write http:// for it.', command: 'export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/proxy-ca.pem' },
      { who: 'you', text: 'If the network allows direct traffic, compare both paths.', command: '{diagnose} --compare-direct' },
      { who: 'network', text: 'Ask the team that runs the proxy whether it is up and whether this machine may reach it.' },
    ],
    attach: ['the proxy address and port', 'the time of the failure', 'this machine\'s address'],
  },
  {
    code: 'PROXY_AUTH_REQUIRED',
    stage: 'proxy',
    severity: 'error',
    exitCode: 13,
    title: 'The forward proxy wants credentials (407)',
    explanation:
      'The proxy answered 407: it only builds tunnels for clients that prove who they are, and this request ' +
      'either carried no credentials or carried ones it refused. The Proxy-Authenticate header lists what the ' +
      'proxy accepts. Basic can be given as user:password in the proxy URL. NTLM and Negotiate (Kerberos) are ' +
      'Windows-domain schemes, and Digest a challenge-response one, that most Node and Python HTTP clients cannot ' +
      'perform on their own: credentials in the proxy URL are sent as Basic, so against a proxy that does not ' +
      'offer Basic even a correct password fails. Such networks usually offer a local helper proxy or an ' +
      'allow-list for servers.',
    origin: 'forward-proxy',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'The proxy accepts: {schemes}. For Basic, put the credentials in the proxy URL (percent-encode special characters).', command: 'export {proxyVar}="{proxyCredUrl}"' },
      { who: 'you', text: 'For NTLM or Negotiate, run a local authenticating helper (such as cntlm or px) and point the proxy variables at it.' },
      { who: 'network', text: 'Ask for a service account, or for this server to be exempted from proxy authentication.' },
    ],
    attach: ['the Proxy-Authenticate schemes offered', 'the user name used (never the password)'],
  },
  {
    code: 'PROXY_REFUSED',
    stage: 'proxy',
    severity: 'error',
    exitCode: 13,
    title: 'The forward proxy refused the tunnel to the API',
    explanation:
      'The proxy understood the request for a tunnel and said no. A 403 almost always means a ' +
      'policy: the API host or port is not on the proxy\'s allow-list, this machine is not allowed to use the ' +
      'proxy, or CONNECT is only allowed to some ports (often 443 alone). A 5xx means the proxy tried and could ' +
      'not reach the API itself (its own DNS, route or firewall), which may pass on a later try. A redirect (3xx) ' +
      'points at a sign-in or acceptance page that programs cannot complete. A 400, 405 or 501 from something that ' +
      'does not name itself as a proxy usually means the proxy setting points at a web server, not a forward proxy. ' +
      'The proxy\'s own words (X-Squid-Error, Via, the status text and its error page) say which, and they come ' +
      'from the proxy, never from the provider; details.refusal holds the kind.',
    origin: 'forward-proxy',
    owner: 'network',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Read the proxy\'s explanation in the evidence: ERR_ACCESS_DENIED is a rule, ERR_CONNECT_FAIL, ERR_DNS_FAIL or ERR_CANNOT_FORWARD is the proxy failing to reach the API (retry, then report it to the proxy team).' },
      { who: 'you', text: 'If the refusal is a redirect to a sign-in page, or the address is not a forward proxy at all, correct the proxy setting or ask for a proxy account meant for servers.', command: 'env | grep -i _proxy' },
      { who: 'network', text: 'Ask the proxy\'s operators to allow CONNECT to the API host and its port for this server (Squid: an acl of type dstdomain used in an http_access allow line, and the port in SSL_ports when it is not 443; tinyproxy: a ConnectPort line).', command: 'acl llm_api dstdomain {host}\nacl llm_api_port port {port}\nhttp_access allow CONNECT llm_api llm_api_port' },
      { who: 'you', text: 'If direct access is permitted here, check whether the direct path works.', command: '{diagnose} --compare-direct' },
    ],
    attach: ['the X-Squid-Error or status line from the evidence', 'the API host and port', 'the time of the failure'],
  },
  {
    code: 'PROXY_REQUIRED',
    stage: 'proxy',
    severity: 'warning',
    exitCode: 0,
    title: 'Only the proxy path works: programs that ignore the proxy variables fail here',
    explanation:
      'Through the proxy the API answered; without it the connection failed. On this network the proxy is the ' +
      'only way out, so every program must use it. Many do not: Node\'s built-in fetch (and SDKs built on it, such ' +
      'as recent openai and @anthropic-ai/sdk releases) ignores HTTPS_PROXY unless told otherwise, so they time out ' +
      'or get refused while curl, which reads the variable, works. The result looks like "fetch failed" or ' +
      '"Connection error." with a connect timeout underneath.',
    origin: 'network',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'In Node code, route fetch through the proxy variables with undici\'s EnvHttpProxyAgent (it honours HTTPS_PROXY and NO_PROXY).', command: "import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici';\nsetGlobalDispatcher(new EnvHttpProxyAgent());" },
      { who: 'you', text: 'Or give one client an explicit proxy with undici\'s ProxyAgent (many SDKs accept it as fetchOptions.dispatcher or httpAgent).', command: "import { ProxyAgent } from 'undici';\nconst dispatcher = new ProxyAgent(process.env.HTTPS_PROXY);" },
      { who: 'you', text: 'On Node 24 and later, NODE_USE_ENV_PROXY=1 makes the built-in fetch and http honour the proxy variables.', command: 'NODE_USE_ENV_PROXY=1 node app.js' },
      { who: 'you', text: 'Make sure the service itself (systemd unit, container, CI job) has the proxy variables, not just your shell.' },
    ],
  },
];
