import type { Harness } from './harness.ts';

export interface TokenReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** POST /oauth/token with a form body (or raw text) and extra headers, as an OAuth client sends it. */
export async function tokenRequest(
  h: Harness,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
  remoteAddress?: string,
): Promise<TokenReply> {
  const res = await h.server.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body === '' ? undefined : JSON.parse(res.body) };
}

/** RFC 6749 §2.3.1: HTTP Basic with the form-encoded client_id and client_secret. */
export function basic(clientId: string, secret: string): Record<string, string> {
  const encode = (text: string) => encodeURIComponent(text).replaceAll('%20', '+');
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}` };
}
