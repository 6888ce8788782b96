/**
 * Families of error wording (pure): the same meaning written by different providers, gateways and
 * versions. Matched against the parsed error (code, type, message, hints) and the start of the
 * raw body, lower-cased; each pattern names a family, not one product's exact sentence.
 */

export const FAMILIES = {
  quota: /insufficient_quota|exceeded your current quota|billing|credit balance|(out of|insufficient) credits|payment required|spend(ing)? limit|quota (has been )?exceeded|out of [a-z ]{0,30}quota|quota will be replenished|budget(_| has been | is )exceeded|exceeded (your |the )?budget|limit: 0\b|per ?day|perday|monthly limit|usage limit/,
  perMinute: /per ?minute|perminute|per_minute|\brpm\b|\btpm\b/,
  region: /unsupported_country|country, region,? or territory|user location is not supported|not available in your (country|region)|unsupported.region|region is not supported|location is not supported/,
  authMissing: /didn'?t provide an api key|missing (subscription )?key|no api key|api key (is )?(required|missing)|missing (authentication|credentials|api.key)|authorization header (is )?(required|missing)|x-api-key header is required|must provide .*(api key|token)|no auth credentials|unregistered callers|without established identity/,
  authInvalid: /invalid_api_key|incorrect api key|invalid (x-)?api[- ]key|invalid (subscription )?key|api key not valid|api_key_invalid|api key not found|authentication_error|invalid authentication|invalid (bearer |access )?token|token (is )?(invalid|expired|revoked)|unauthenticated|unauthorized|key (was )?(revoked|disabled|expired)|key (was )?(reported as )?leaked/,
  ipBlocked: /ip not authorized|not in (the )?allow ?list|ip address .{0,40}not allowed|ip_not_allowed/,
  modelMissing: /model_not_found|deploymentnotfound|deployment .{0,60}(not found|does not exist)|the model .{0,80}does not exist|model .{0,80}not found|no such model|unknown model|invalid model|not_found_error.{0,80}model|model: /,
  overloaded: /overload|high demand|over capacity|capacity|server is busy|temporarily unavailable|try again later|unavailable/,
  waf: /used cloudflare to restrict access|access denied by security policy|request blocked|web application firewall|error code: 10(10|20)|attention required/,
  tooLarge: /request too large|too many tokens|maximum context length|context.length|exceeds? (the )?(maximum|token|size) limit|request_too_large|payload too large|entity too large/,
  missingHeader: /header is required|missing required header/,
} as const;

export type Family = keyof typeof FAMILIES;

export function matches(text: string, family: Family): boolean {
  return FAMILIES[family].test(text);
}
