import { api, setCsrfToken } from './api.ts';

export interface Session {
  readonly actor: string;
  /** Set for a customer's setup session: the one tenant it sees. */
  readonly tenant: string | null;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

let active: Session | undefined;

/** True while a customer's setup session (one tenant) is signed in: operator-only parts stay hidden. */
export function isSetupSession(): boolean {
  return Boolean(active?.tenant);
}

function adopt(session: Session): Session {
  setCsrfToken(session.csrfToken);
  active = session;
  return session;
}

/** The session the cookie carries, or undefined (the sign-in page). */
export async function currentSession(): Promise<Session | undefined> {
  try {
    return adopt(await api<Session>('GET', '/console/session'));
  } catch {
    setCsrfToken(undefined);
    return undefined;
  }
}

export async function signIn(credentials: { token: string } | { link: string }): Promise<Session> {
  return adopt(await api<Session>('POST', '/console/session', credentials));
}

export async function signOut(): Promise<void> {
  await api('DELETE', '/console/session');
  setCsrfToken(undefined);
}

/**
 * A sign-in or setup link carries its secret in the URL's fragment (#signin=… or #setup=…),
 * which browsers never send to a server; it is taken out of the address bar before anything else.
 */
export function takeLinkFromLocation(): string | undefined {
  const match = /^#(?:signin|setup)=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', location.pathname);
  return match[1];
}
