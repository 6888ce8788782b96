/**
 * Does a command-line value look like an API key? A key pasted into the wrong option
 * (`--api-key-env "$OPENAI_API_KEY"`, `--api-key-file "$KEY"`, `--api-key=...`) must never be
 * echoed in an error message that lands in a CI log (pure).
 */

/** Providers' key shapes: a known prefix and a long random tail. */
const PROVIDER_SHAPES: RegExp[] = [
  /^sk-[A-Za-z0-9_-]{16,}$/, // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-api03-), DeepSeek, Moonshot
  /^AIza[0-9A-Za-z_-]{30,}$/, // Google / Gemini
  /^(gsk|xai|pplx|r8|hf|nvapi|fw|csk|ghp|gho|github_pat|glpat|sk_live|sk_test|rk_live)[-_][A-Za-z0-9_-]{16,}$/,
  /^(AKIA|ASIA)[A-Z0-9]{16}$/, // AWS access key ids
  /^[0-9a-f]{32,}$/i, // Azure OpenAI and other hex keys
  /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$/, // JWTs
];

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * A provider's shape, or a long high-entropy token: 24 characters or more of letters, digits,
 * `-`, `_` (and base64's `+/=`) with upper case, lower case and digits mixed and more than 4 bits
 * of entropy per character (32 and more at over 4.3 bits when no digit is among them). Host names,
 * paths, durations, model ids (`gpt-4o-mini-2024-07-18`, `claude-3-5-sonnet-20241022`), variable
 * names (`OPENAI_API_KEY`) and CamelCase names do not qualify.
 */
export function looksLikeKey(value: string): boolean {
  const v = value.trim();
  if (v.length < 20 || v.length > 4096) return false;
  if (PROVIDER_SHAPES.some((re) => re.test(v))) return true;
  if (v.length < 24 || !/^[A-Za-z0-9_\-+/=]+$/.test(v) || v.startsWith('/')) return false;
  if (!(/[a-z]/.test(v) && /[A-Z]/.test(v))) return false;
  // Without a digit (one random 40-character key in a thousand has none) only a longer, more
  // varied token counts: CamelCase names of that length stay near 4 bits per character.
  if (!/\d/.test(v)) return v.length >= 32 && entropy(v) > 4.3;
  return entropy(v) > 4;
}

/** The first command-line argument whose value looks like a key: the option it belongs to, if any. */
export function keyShapedArgument(argv: string[]): { option?: string } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    const eq = a.startsWith('-') ? a.indexOf('=') : -1;
    if (eq > 0) {
      if (looksLikeKey(a.slice(eq + 1))) return { option: a.slice(0, eq) };
      continue;
    }
    // `-ksk-...` style (a short option glued to its value) and bare values.
    if (looksLikeKey(a.replace(/^-[A-Za-z](?=.{20})/, ''))) {
      const prev = argv[i - 1];
      return { option: prev !== undefined && prev.startsWith('--') && !prev.includes('=') ? prev : undefined };
    }
  }
  return undefined;
}
