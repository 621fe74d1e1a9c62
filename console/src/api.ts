/**
 * The console speaks only to the admin API, with the session cookie the browser holds (HttpOnly:
 * this code never sees it) and the session's CSRF token, kept in memory only, on every call that
 * changes something.
 */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** A refusal of the admin API: its SCIM error body's detail and status. */
export class ApiError extends Error {
  readonly status: number;
  readonly scimType: string | undefined;
  constructor(status: number, detail: string, scimType?: string) {
    super(detail);
    this.status = status;
    this.scimType = scimType;
  }
}

/** Called when a call answers 401: the session is gone, the console shows the sign-in page. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/admin${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const data = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (data ?? {}) as { detail?: string; scimType?: string };
    if (response.status === 401 && !path.startsWith('/console/session')) onSignedOut();
    throw new ApiError(response.status, error.detail ?? `${response.status} ${response.statusText}`, error.scimType);
  }
  return data as T;
}

export const enc = encodeURIComponent;
