import { ScimRequestError } from './scim.ts';

/** Where a module checks passwords: scimd's origin and a verify token of the tenant (docs/password-sync.md). */
export interface PasswordCheckConnection {
  /** e.g. `https://scim.example.com` (POST /auth/verify is on the origin, not under the SCIM base path). */
  readonly origin: string;
  /** A verify token (`scimd verify-tokens create`), never a SCIM token. */
  readonly token: string;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

/** Whose password it is, when it is. */
export interface CheckedUser {
  readonly id: string;
  readonly userName: string;
  readonly active: true;
  readonly tenant: string;
}

export type PasswordCheck = { readonly ok: true; readonly user: CheckedUser } | { readonly ok: false };

/**
 * POST /auth/verify as one call: `{ok: true, user}` for the user's password, `{ok: false}` for
 * every refused credential (scimd does not say why, by design). Anything else (a verify token
 * scimd refuses, RFC 6750 `error="invalid_token"`; a rate limit, 429; a server error) throws
 * ScimRequestError: it is the module's problem, not the user's.
 */
export async function checkPassword(connection: PasswordCheckConnection, userName: string, password: string): Promise<PasswordCheck> {
  const response = await fetch(`${connection.origin.replace(/\/+$/, '')}/auth/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${connection.token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ userName, password }),
    signal: AbortSignal.timeout(connection.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  if (response.status === 200) return { ok: true, user: JSON.parse(text) as CheckedUser };
  const tokenRefused = /error="invalid_token"/.test(response.headers.get('www-authenticate') ?? '');
  if (response.status === 401 && !tokenRefused) return { ok: false };
  throw new ScimRequestError(response.status, `POST /auth/verify: ${response.status} ${text.slice(0, 300)}`);
}
