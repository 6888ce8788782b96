/**
 * TLS-inspecting proxies and security products, known by the names they put in the CAs they
 * forge certificates with. Data only: add a product by adding a line. Patterns are matched
 * against the subject and issuer names of the chain's CA certificates and the leaf's issuer
 * (never the leaf's own subject, which names the API host).
 */
import type { CertInfo } from '../../net/tls/cert.js';
import { needlesFor } from './interceptor-needles.js';
import { cached } from '../../bounded-map.js';

/** A product and the name patterns of its CAs. */
export interface InterceptorSignature {
  product: string;
  patterns: RegExp[];
}

export const INTERCEPTORS: readonly InterceptorSignature[] = [
  { product: 'Zscaler', patterns: [/zscaler/i] },
  { product: 'Netskope', patterns: [/netskope/i, /goskope/i] },
  // FortiGate CAs are named after the device's serial, e.g. CN=FGT60E4Q16000000.
  { product: 'Fortinet FortiGate', patterns: [/fortinet/i, /fortigate/i, /CN=FG[A-Z0-9]{2}[A-Z0-9]{8,}/] },
  { product: 'Palo Alto Networks', patterns: [/palo ?alto/i] },
  { product: 'Cisco Umbrella', patterns: [/cisco umbrella/i, /opendns/i] },
  { product: 'Cisco Firepower', patterns: [/firepower/i] },
  { product: 'Blue Coat / Symantec ProxySG', patterns: [/blue ?coat/i, /proxysg/i, /symantec.*(web security|wss|proxy)/i] },
  { product: 'Forcepoint / Websense', patterns: [/forcepoint/i, /websense/i] },
  { product: 'Sophos', patterns: [/sophos/i] },
  { product: 'Check Point', patterns: [/check ?point/i] },
  { product: 'Kaspersky', patterns: [/kaspersky/i] },
  { product: 'Avast / AVG', patterns: [/avast/i, /\bAVG\b.*(web|mail|shield|technologies)/i] },
  { product: 'ESET', patterns: [/\bESET\b/i] },
  { product: 'Bitdefender', patterns: [/bitdefender/i] },
  { product: 'Trend Micro', patterns: [/trend ?micro/i] },
  { product: 'McAfee / Skyhigh Web Gateway', patterns: [/mcafee web gateway/i, /skyhigh/i] },
  { product: 'Barracuda', patterns: [/barracuda/i] },
  { product: 'SonicWall', patterns: [/sonicwall/i] },
  { product: 'WatchGuard', patterns: [/watchguard/i] },
  { product: 'Menlo Security', patterns: [/menlo security/i] },
  { product: 'iboss', patterns: [/\biboss\b/i] },
  { product: 'Lightspeed Systems', patterns: [/lightspeed systems/i] },
  { product: 'Securly', patterns: [/securly/i] },
  { product: 'Untangle', patterns: [/untangle/i] },
  // Cloudflare's public API certificates come from "Cloudflare Inc ECC CA": only its Zero Trust gateway CAs count.
  { product: 'Cloudflare Zero Trust Gateway', patterns: [/cloudflare for teams/i, /gateway ca - cloudflare/i] },
  { product: 'mitmproxy', patterns: [/mitmproxy/i] },
  { product: 'Charles Proxy', patterns: [/charles proxy/i, /xk72/i] },
  { product: 'Fiddler', patterns: [/fiddler/i, /DO_NOT_TRUST/] },
  { product: 'Burp Suite', patterns: [/portswigger/i, /\bburp\b/i] },
  { product: 'Proxyman', patterns: [/proxyman/i] },
  { product: 'HTTP Toolkit', patterns: [/http toolkit/i] },
  { product: 'Cato Networks', patterns: [/cato ?networks/i] },
  { product: 'Versa Networks', patterns: [/versa networks/i] },
  { product: 'Juniper SRX', patterns: [/juniper/i] },
  { product: 'F5 SSL Orchestrator', patterns: [/\bF5\b.*(ssl ?o|orchestrator|forward proxy)/i] },
  { product: 'Kerio Control', patterns: [/kerio/i] },
  { product: 'Smoothwall', patterns: [/smoothwall/i] },
  { product: 'ContentKeeper', patterns: [/contentkeeper/i] },
  { product: 'GoGuardian', patterns: [/goguardian/i] },
  { product: 'Webroot', patterns: [/webroot/i] },
  { product: 'Squid ssl-bump', patterns: [/\bsquid\b/i] },
  /*
   * No product name, but the CA says what it is for: in-house inspection CAs are named after their
   * job ("SSL Inspection CA", "TLS Decryption", "HTTPS Interception"), and Palo Alto's decryption CAs
   * are by convention called Forward-Trust / Forward-Untrust. Public CAs never use these words.
   */
  {
    product: 'a TLS inspection CA (product not named)',
    patterns: [
      /\b(ssl|tls|https)[ _-]?(inspection|inspect|decryption|decrypt|interception|intercept|scanning|scan|filter(ing)?|proxy)\b/i,
      /\b(inspection|decryption|interception)[ _-]?(root|ca|cert|authority)\b/i,
      /forward[ _-]?(un)?trust/i,
      /\bmitm\b/i,
    ],
  },
];

/** Which product forged a chain, and the name that gave it away. */
export interface InterceptorMatch {
  product: string;
  /** The distinguished name that matched. */
  matched: string;
}

/** The names worth matching: the leaf's issuer, and every CA certificate's subject and issuer. */
function namesOf(chain: CertInfo[]): string[] {
  const names: string[] = [];
  chain.forEach((c, i) => {
    if (i > 0 || c.ca) names.push(c.subject);
    names.push(c.issuer);
  });
  return names;
}

/** A table's patterns, each with what a name must contain first (see interceptor-needles.ts); built on first use. */
const prepared = new WeakMap<readonly InterceptorSignature[], { product: string; checks: { p: RegExp; needles?: readonly string[] }[] }[]>();

function prepare(table: readonly InterceptorSignature[]) {
  return cached(prepared, table, (t) =>
    t.map((sig) => ({
      product: sig.product,
      checks: sig.patterns.map((p) => {
        const needles = needlesFor(p);
        return needles ? { p, needles } : { p };
      }),
    })),
  );
}

export function matchInterceptor(chain: CertInfo[], table: readonly InterceptorSignature[] = INTERCEPTORS): InterceptorMatch | undefined {
  const sigs = prepare(table);
  for (const name of namesOf(chain)) {
    const lower = name.toLowerCase();
    for (const sig of sigs) {
      for (const { p, needles } of sig.checks) {
        if (needles && !needles.some((n) => (p.ignoreCase ? lower : name).includes(n))) continue;
        if (p.test(name)) return { product: sig.product, matched: name };
      }
    }
  }
  return undefined;
}
