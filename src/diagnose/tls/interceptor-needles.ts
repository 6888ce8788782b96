/**
 * The strings a name must hold before an interceptor pattern (interceptors.ts) is worth running.
 *
 * needlesOf reads them from a pattern's source. The patterns of the built-in table have theirs
 * written out below, since reading 58 sources costs a run about half a millisecond; a test checks
 * that the table says exactly what needlesOf says, and a pattern missing from it (a new one, or
 * an edited one: the key is the pattern's text) is read at its first use, or always run.
 */

/**
 * What a name must contain for a pattern to match it, read from the pattern's source: one of these
 * strings (lower-case when the pattern ignores case), or undefined when the pattern gives no such
 * promise and must always run. Almost every chain matches no product, and a regular expression
 * costs its compilation at its first match (58 patterns as one screen took 1.2-1.8 ms of a run):
 * a pattern runs only on a name that holds one of its strings, which plain string search checks.
 *
 * Only what the pattern certainly requires is taken: a run of plain characters at its top level,
 * none of them made optional by a quantifier, or else a group of plain alternatives that is not
 * optional itself; never anything from a pattern with a top-level `|`. At least three characters.
 */
export function needlesOf(p: RegExp): string[] | undefined {
  const src = p.source;
  const runs: string[] = [];
  const groups: string[][] = [];
  let run = '';
  const end = () => {
    if (run) runs.push(run);
    run = '';
  };
  /** The index after a quantifier at `i` (and its lazy `?`), or `i` when there is none. */
  const quantifierEnd = (i: number): number => {
    const c = src[i];
    let k = i;
    if (c === '?' || c === '*' || c === '+') k = i + 1;
    else if (c === '{') k = src.indexOf('}', i) < 0 ? src.length : src.indexOf('}', i) + 1;
    return k > i && src[k] === '?' ? k + 1 : k;
  };
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    if (c === '|') return undefined;
    const q = quantifierEnd(i);
    if (q > i) {
      // The plain character before it may be absent or repeated: it leaves the run.
      run = run.slice(0, -1);
      end();
      i = q;
      continue;
    }
    if (c === '\\' || c === '[' || c === '(' || c === '.' || c === '^' || c === '$') {
      end();
      let k = i + 1;
      if (c === '\\') k = i + 2;
      else if (c === '[') {
        while (k < src.length && src[k] !== ']') k += src[k] === '\\' ? 2 : 1;
        k++;
      } else if (c === '(') {
        let depth = 1;
        for (; k < src.length && depth > 0; k++) {
          if (src[k] === '\\') k++;
          else if (src[k] === '(') depth++;
          else if (src[k] === ')') depth--;
        }
        // A group of plain alternatives that no quantifier follows: one of them is in every match.
        const inner = src.slice(i + 1, k - 1);
        const alts = inner.split('|');
        if (quantifierEnd(k) === k && /^[a-z0-9 _=-]+(\|[a-z0-9 _=-]+)*$/i.test(inner) && alts.every((a) => a.length >= 3)) groups.push(alts);
      }
      // Whatever quantifier follows this atom applies to it, not to a plain character.
      i = quantifierEnd(k);
      continue;
    }
    run += c;
    i++;
  }
  end();
  const ascii = (xs: string[]) => xs.every((x) => /^[\x20-\x7e]+$/.test(x));
  const lower = (xs: string[]) => (p.ignoreCase ? xs.map((x) => x.toLowerCase()) : xs);
  const best = runs.filter((r) => r.length >= 3 && ascii([r])).sort((a, b) => b.length - a.length)[0];
  if (best !== undefined) return lower([best]);
  const group = groups.find(ascii);
  return group ? lower(group) : undefined;
}

/** needlesOf of each pattern of INTERCEPTORS, by the pattern's text (String(pattern)); null: the pattern promises nothing. */
export const KNOWN_NEEDLES: Readonly<Record<string, readonly string[] | null>> = {
  "/zscaler/i": ["zscaler"],
  "/netskope/i": ["netskope"],
  "/goskope/i": ["goskope"],
  "/fortinet/i": ["fortinet"],
  "/fortigate/i": ["fortigate"],
  "/CN=FG[A-Z0-9]{2}[A-Z0-9]{8,}/": ["CN=FG"],
  "/palo ?alto/i": ["palo"],
  "/cisco umbrella/i": ["cisco umbrella"],
  "/opendns/i": ["opendns"],
  "/firepower/i": ["firepower"],
  "/blue ?coat/i": ["blue"],
  "/proxysg/i": ["proxysg"],
  "/symantec.*(web security|wss|proxy)/i": ["symantec"],
  "/forcepoint/i": ["forcepoint"],
  "/websense/i": ["websense"],
  "/sophos/i": ["sophos"],
  "/check ?point/i": ["check"],
  "/kaspersky/i": ["kaspersky"],
  "/avast/i": ["avast"],
  "/\\bAVG\\b.*(web|mail|shield|technologies)/i": ["avg"],
  "/\\bESET\\b/i": ["eset"],
  "/bitdefender/i": ["bitdefender"],
  "/trend ?micro/i": ["trend"],
  "/mcafee web gateway/i": ["mcafee web gateway"],
  "/skyhigh/i": ["skyhigh"],
  "/barracuda/i": ["barracuda"],
  "/sonicwall/i": ["sonicwall"],
  "/watchguard/i": ["watchguard"],
  "/menlo security/i": ["menlo security"],
  "/\\biboss\\b/i": ["iboss"],
  "/lightspeed systems/i": ["lightspeed systems"],
  "/securly/i": ["securly"],
  "/untangle/i": ["untangle"],
  "/cloudflare for teams/i": ["cloudflare for teams"],
  "/gateway ca - cloudflare/i": ["gateway ca - cloudflare"],
  "/mitmproxy/i": ["mitmproxy"],
  "/charles proxy/i": ["charles proxy"],
  "/xk72/i": ["xk72"],
  "/fiddler/i": ["fiddler"],
  "/DO_NOT_TRUST/": ["DO_NOT_TRUST"],
  "/portswigger/i": ["portswigger"],
  "/\\bburp\\b/i": ["burp"],
  "/proxyman/i": ["proxyman"],
  "/http toolkit/i": ["http toolkit"],
  "/cato ?networks/i": ["networks"],
  "/versa networks/i": ["versa networks"],
  "/juniper/i": ["juniper"],
  "/\\bF5\\b.*(ssl ?o|orchestrator|forward proxy)/i": null,
  "/kerio/i": ["kerio"],
  "/smoothwall/i": ["smoothwall"],
  "/contentkeeper/i": ["contentkeeper"],
  "/goguardian/i": ["goguardian"],
  "/webroot/i": ["webroot"],
  "/\\bsquid\\b/i": ["squid"],
  "/\\b(ssl|tls|https)[ _-]?(inspection|inspect|decryption|decrypt|interception|intercept|scanning|scan|filter(ing)?|proxy)\\b/i": ["ssl","tls","https"],
  "/\\b(inspection|decryption|interception)[ _-]?(root|ca|cert|authority)\\b/i": ["inspection","decryption","interception"],
  "/forward[ _-]?(un)?trust/i": ["forward"],
  "/\\bmitm\\b/i": ["mitm"],
};

const read = new Map<string, readonly string[] | undefined>();

/** What a name must hold before `p` runs (undefined: run it always). */
export function needlesFor(p: RegExp): readonly string[] | undefined {
  const key = String(p);
  const known = KNOWN_NEEDLES[key];
  if (known !== undefined) return known ?? undefined;
  if (!read.has(key)) read.set(key, needlesOf(p));
  return read.get(key);
}
