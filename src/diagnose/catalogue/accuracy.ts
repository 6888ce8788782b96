/**
 * Catalogue entries added by the second accuracy round (issue 11): verdicts that needed a code of
 * their own rather than a stretched meaning of an existing one.
 */
import type { CatalogueEntry } from './types.js';

export const accuracyEntries: CatalogueEntry[] = [
  {
    code: 'DNS_SYSTEM_UNRESOLVED',
    stage: 'dns',
    severity: 'error',
    exitCode: 10,
    title: 'Applications on this machine cannot resolve {host}; only the --resolver you named can',
    explanation:
      'The DNS server given with --resolver returns addresses for the name, but the system lookup (getaddrinfo: the hosts file, then the servers in resolv.conf or systemd-resolved), ' +
      'which every application and SDK on this machine uses, fails. --resolver is a diagnostic bypass, not a fix: until the system lookup answers, the application fails here first. ' +
      'The later stages ran on the resolver\'s address, so their results say whether the rest of the path works once DNS does.',
    origin: 'local',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'See what the system lookup returns, as applications see it.', command: 'getent ahosts {host}' },
      { who: 'you', text: 'Compare the resolver that answers with the servers this machine uses.', command: 'dig @{resolver} {host} A +short; cat /etc/resolv.conf; resolvectl status 2>/dev/null | head -20' },
      { who: 'you', text: 'Point the system at a resolver that serves the name (resolv.conf, systemd-resolved, or the container runtime\'s DNS setting), or add a hosts entry as a stopgap.' },
      { who: 'network', text: 'If the machine\'s resolver filters or does not know the name, ask the network team to allow {host} or forward its zone to a resolver that serves it.' },
    ],
    attach: ['the dns stage of the JSON report (system lookup and the --resolver answers)', 'the contents of /etc/resolv.conf and the hosts line of /etc/nsswitch.conf'],
  },
];
