import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashSecret, mintSecret, newTokenId } from '../auth/secrets.ts';
import type { ConsoleSessionConfig } from '../config/config.ts';
import { badRequest, notFound, ScimError } from '../errors/scim-error.ts';
import type { ConsoleLinkRecord, ConsoleStore } from '../store/ports/console.ts';
import type { AdminTokenService } from './admin-tokens.ts';
import { parseDuration } from './duration.ts';
import type { TenantService } from './tenants.ts';

/**
 * How often a session's last use is written: a request within this long of the last write
 * changes nothing in the database, so a busy console costs a write a minute, not one a request
 * (the idle timeout is then kept to within this step).
 */
const SEEN_STEP_MS = 60_000;
/** How long the one-time sign-in link of the first start (and `scimd console link`) works. */
export const SIGN_IN_LINK_MINUTES = 10;
/** The longest a setup link may be valid. */
const MAX_SETUP_LINK_MS = 90 * 24 * 3600 * 1000;

const LINK_PREFIX = 'scimd_link_';

/** Who a console session acts as, and what it may see. */
export interface ConsoleSession {
  /** What the audit log records: the admin token's id, "console:sign-in-link", or "setup-link:<id>". */
  readonly actor: string;
  /** Set for a customer's setup session: that tenant only. */
  readonly tenant: { readonly id: string; readonly name: string } | undefined;
  readonly csrf: string;
  /** The absolute end: SCIMD_CONSOLE_SESSION_MAX after sign-in (a setup session: at most its link's expiry). */
  readonly expiresAt: string;
}

export interface OpenedSession extends ConsoleSession {
  /** The cookie's value: shown to the browser once, stored only hashed. */
  readonly secret: string;
  /** Seconds from now to expiresAt: the cookie's Max-Age. */
  readonly maxAgeSeconds: number;
}

const consoleUnauthorized = (detail: string) => new ScimError(401, undefined, detail);

/** Constant-time comparison of a CSRF token the browser sent with the session's. */
export function csrfMatches(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Console sign-in (docs/console.md): an admin token, a one-time sign-in link, or a tenant's setup
 * link is exchanged for a server-side session; the browser holds only the session's random secret
 * in an HttpOnly cookie, and every state-changing call must also send the session's CSRF token.
 */
export function createConsoleSessions(deps: {
  readonly store: ConsoleStore;
  readonly adminTokens: AdminTokenService;
  readonly tenants: TenantService;
  readonly lifetime: ConsoleSessionConfig;
  readonly clock?: () => Date;
}) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const idleMs = deps.lifetime.idleSeconds * 1000;
  const idleSince = (now: Date) => new Date(now.getTime() - idleMs).toISOString();

  async function open(actor: string, tenant: ConsoleSession['tenant'], linkId: string | undefined, until?: number): Promise<OpenedSession> {
    const now = clock();
    const secret = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const end = Math.min(now.getTime() + deps.lifetime.maxSeconds * 1000, until ?? Number.POSITIVE_INFINITY);
    const expiresAt = new Date(end).toISOString();
    await store.createConsoleSession({
      hash: hashSecret(secret),
      actor,
      csrf,
      createdAt: now.toISOString(),
      expiresAt,
      ...(tenant ? { tenantId: tenant.id } : {}),
      ...(linkId ? { linkId } : {}),
    });
    return { secret, actor, tenant, csrf, expiresAt, maxAgeSeconds: Math.max(0, Math.floor((end - now.getTime()) / 1000)) };
  }

  async function mintLink(kind: 'sign-in' | 'setup', lifetimeMs: number, tenantId?: string, label?: string) {
    const now = clock();
    const secret = mintSecret(LINK_PREFIX);
    const id = newTokenId('lnk_');
    const expiresAt = new Date(now.getTime() + lifetimeMs).toISOString();
    await store.createConsoleLink({
      id,
      hash: hashSecret(secret),
      kind,
      createdAt: now.toISOString(),
      expiresAt,
      ...(tenantId ? { tenantId } : {}),
      ...(label ? { label } : {}),
    });
    return { id, secret, expiresAt };
  }

  return {
    /** Sign in with SCIMD_ADMIN_TOKEN or an admin token: the token is checked once and never kept. */
    async signInWithToken(token: string): Promise<OpenedSession> {
      const principal = await deps.adminTokens.authenticate(`Bearer ${token}`);
      return open(principal.tokenId, undefined, undefined);
    },

    /** A one-time sign-in link (its secret goes in the URL's fragment, never to a server log). */
    mintSignInLink: (minutes = SIGN_IN_LINK_MINUTES) => mintLink('sign-in', minutes * 60_000),

    /** A setup link for one tenant's customer, valid for `expires` (a duration such as 7d). */
    async mintSetupLink(tenantName: string, expires: string, label?: string) {
      const lifetime = parseDuration(expires);
      if (lifetime <= 0 || lifetime > MAX_SETUP_LINK_MS) throw badRequest('a setup link is valid for 1 minute to 90 days');
      const tenant = await deps.tenants.findTenant(tenantName);
      return mintLink('setup', lifetime, tenant.id, label);
    },

    async listSetupLinks(tenantName: string): Promise<readonly ConsoleLinkRecord[]> {
      const tenant = await deps.tenants.findTenant(tenantName);
      return (await store.listConsoleLinks(tenant.id)).filter((l) => l.kind === 'setup');
    },

    async revokeSetupLink(id: string): Promise<void> {
      if (!(await store.revokeConsoleLink(id, clock().toISOString()))) throw notFound(`no setup link with id "${id}"`);
    },

    /** Opens a session with a sign-in link (once) or a setup link (until it expires or is revoked). */
    async signInWithLink(secret: string): Promise<OpenedSession> {
      const link = await store.useConsoleLink(hashSecret(secret), clock().toISOString());
      if (!link) throw consoleUnauthorized('this link is not valid: it expired, was used already, or was revoked');
      if (link.kind === 'sign-in') return open('console:sign-in-link', undefined, undefined);
      if (!link.tenantId || !link.tenantName) throw consoleUnauthorized('the tenant of this setup link no longer exists');
      return open(`setup-link:${link.id}`, { id: link.tenantId, name: link.tenantName }, link.id, Date.parse(link.expiresAt));
    },

    /** The session of a cookie, if it has not ended; using it keeps it from ending idle. */
    async find(secret: string): Promise<ConsoleSession | undefined> {
      const now = clock();
      const hash = hashSecret(secret);
      const session = await store.findConsoleSession(hash, now.toISOString(), idleSince(now));
      if (!session) return undefined;
      if (now.getTime() - Date.parse(session.seenAt) >= SEEN_STEP_MS) await store.touchConsoleSession(hash, now.toISOString());
      return {
        actor: session.actor,
        tenant: session.tenantId && session.tenantName ? { id: session.tenantId, name: session.tenantName } : undefined,
        csrf: session.csrf,
        expiresAt: session.expiresAt,
      };
    },

    signOut: (secret: string) => store.deleteConsoleSession(hashSecret(secret)),
    prune: () => {
      const now = clock();
      return store.pruneConsole(now.toISOString(), idleSince(now));
    },
  };
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
