/** Catalogue entries of the env stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

export const envEntries: CatalogueEntry[] = [
  {
    code: 'PROXY_ENV_CONFLICT',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: 'The proxy variables disagree, or NO_PROXY covers the target unexpectedly',
    explanation:
      'Programs do not agree on which proxy variable to read. curl and Python prefer the lower-case names, ' +
      'some Go and Java tools only look at the upper-case ones, and curl never reads HTTP_PROXY at all. When the ' +
      'two spellings of one variable say different things, two programs on this machine take two different paths to the ' +
      'same API, so "it works with curl" proves little. A NO_PROXY entry that matches the API host has the same ' +
      'effect in disguise: the proxy is silently skipped and the connection goes out directly, which fails on ' +
      'networks where only the proxy may reach the internet.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Give both spellings the same value (or unset one), so every program takes the same route.', command: 'export HTTPS_PROXY="$https_proxy"' },
      { who: 'you', text: 'Check which proxy variables the service really sees: its unit file, container spec or shell profile may set its own.', command: 'env | grep -i _proxy' },
      { who: 'you', text: 'If NO_PROXY lists the API host or a domain above it (or "*"), remove that entry unless the API must be reached directly.' },
      { who: 'you', text: 'If only http_proxy is set, set https_proxy (and HTTPS_PROXY) as well: most tools read it for https:// URLs, and the LLM APIs are https.', command: 'export https_proxy="$http_proxy" HTTPS_PROXY="$http_proxy"' },
      { who: 'you', text: 'Run the check through the proxy and directly to see which path works.', command: '{diagnose} --compare-direct' },
    ],
  },
  {
    code: 'PROXY_ENV_INVALID',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: 'A proxy variable holds something this tool cannot use as a proxy',
    explanation:
      'A proxy variable is set, but not to an http:// or https:// proxy URL (it may be a SOCKS proxy, a typo, or an ' +
      'empty host). Clients react differently: some fail outright, some ignore the value and connect directly. ' +
      'This run went direct, so its result says nothing about the path through that proxy.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Correct the value to the form scheme://host:port (credentials, if any, as user:password@ before the host).', command: 'export {variable}="http://$PROXY_HOST:$PROXY_PORT"   # with a password: http://$PROXY_USER:$PROXY_PASS@$PROXY_HOST:$PROXY_PORT' },
      { who: 'you', text: 'For a SOCKS proxy, test it with curl, which speaks SOCKS.', command: '{curl} -v --proxy "$ALL_PROXY" {keyHeaders} {checkUrl}' },
    ],
  },
  {
    code: 'TLS_VERIFY_DISABLED',
    stage: 'env',
    severity: 'warning',
    exitCode: 0,
    title: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for every Node program here',
    explanation:
      'DANGER. With NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment, every Node.js process started from it ' +
      'accepts any certificate: an expired one, one for another host, one forged by whoever sits on the path. ' +
      'Your API key and every prompt and completion can then be read and changed by an attacker in the middle, ' +
      'and nothing will report it. It is usually left behind by a quick fix for a corporate TLS-inspecting proxy ' +
      'or a self-signed test server. This tool still verifies certificates, so its TLS findings show what Node ' +
      'would see without the override.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Remove the variable from the service environment, shell profile, .env file, Dockerfile or CI settings.', command: 'unset NODE_TLS_REJECT_UNAUTHORIZED' },
      { who: 'you', text: 'If a TLS-inspecting proxy made it necessary, trust that proxy\'s CA instead of trusting everything.', command: 'export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/corporate-root.pem' },
      { who: 'you', text: 'Treat any API key used while verification was off as possibly exposed, and rotate it.' },
    ],
  },
];
