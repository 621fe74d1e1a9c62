/** The identity providers the request log tells apart; anything else is "other". */
export type ClientKind = 'entra' | 'okta' | 'other';

const PASCAL_OPS = /"op"\s*:\s*"(Add|Replace|Remove)"/;

/**
 * Which client sent a request, guessed from its User-Agent first (Okta sends "Okta SCIM Client";
 * Microsoft's provisioning service names Microsoft, Azure or Entra), then from shapes only one of
 * them sends (docs interop notes): Entra's `aadOptscim062020` flag, its PascalCase PATCH ops
 * and its ADSCIM group schema.
 */
export function guessClient(userAgent: string | undefined, query: string, body: string | undefined): ClientKind {
  if (userAgent !== undefined) {
    if (/okta/i.test(userAgent)) return 'okta';
    if (/microsoft|azure|entra|\baad\b/i.test(userAgent)) return 'entra';
  }
  if (query.includes('aadOptscim')) return 'entra';
  if (body !== undefined && (PASCAL_OPS.test(body) || body.includes('schemas.microsoft.com/2006/11/ResourceManagement'))) return 'entra';
  return 'other';
}
