/**
 * Is a header's or a query parameter's name a credential's? The known names, and any name that
 * holds a credential word between its separators: gateways and API managers name their own
 * (`X-Custom-Auth`, `Ocp-Apim-Subscription-Key`, `subscription-key=`, `cf-aig-authorization`,
 * `X-Amz-Signature=`, `private_token=`). A name taken for a secret by mistake costs a masked value;
 * one missed costs a leaked key (pure).
 */

const SECRET_WORDS = new Set([
  'auth',
  'authorization',
  'token',
  'key',
  'apikey',
  'secret',
  'password',
  'passwd',
  'session',
  'signature',
  'sig',
  'credential',
  'credentials',
  'cookie',
  'jwt',
]);

/** Whether a name says it carries a credential: one of its words (split at `-`, `_`, `.`) is a credential word. */
export function isSecretName(name: string): boolean {
  return name
    .toLowerCase()
    .split(/[-_.]/)
    .some((w) => SECRET_WORDS.has(w));
}
