/** The console's sign-in links, setup links and sessions, and what its tenant overview reads (docs/console.md). */

/**
 * A link that opens the console: `sign-in` works once and for minutes (the first start prints
 * one); `setup` opens one tenant's customer view, as often as wanted until it expires or is revoked.
 */
export interface ConsoleLinkRecord {
  readonly id: string;
  readonly kind: 'sign-in' | 'setup';
  readonly tenantId: string | undefined;
  readonly tenantName: string | undefined;
  readonly label: string | undefined;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | undefined;
  readonly revokedAt: string | undefined;
}

export interface NewConsoleLink {
  readonly id: string;
  /** SHA-256 hex of the secret the link carries. */
  readonly hash: string;
  readonly kind: 'sign-in' | 'setup';
  readonly tenantId?: string;
  readonly label?: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A signed-in browser: the cookie's secret is stored hashed, with the CSRF token its state-changing calls must send. */
export interface ConsoleSessionRecord {
  readonly actor: string;
  /** Set for a session opened by a setup link: it sees this tenant only. */
  readonly tenantId: string | undefined;
  readonly tenantName: string | undefined;
  readonly linkId: string | undefined;
  readonly csrf: string;
  /** The absolute end (SCIMD_CONSOLE_SESSION_MAX after sign-in, or the setup link's expiry). */
  readonly expiresAt: string;
  /** When a request last used it, to within the service's refresh step: it ends SCIMD_CONSOLE_SESSION_IDLE after. */
  readonly seenAt: string;
}

export interface NewConsoleSession {
  readonly hash: string;
  readonly actor: string;
  readonly tenantId?: string;
  readonly linkId?: string;
  readonly csrf: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A tenant at a glance: counts, the request log's last day, the last request. */
export interface TenantActivity {
  readonly users: number;
  readonly groups: number;
  readonly requests: number;
  readonly errors: number;
  readonly lastRequest:
    | { readonly time: string; readonly client: string; readonly status: number; readonly userAgent: string | undefined }
    | undefined;
}

/** Where each sink stands for one tenant. */
export interface TenantDelivery {
  /** The tenant's newest event sequence (0 without events). */
  readonly latestSequence: number;
  readonly sinks: readonly {
    readonly sink: string;
    readonly deliveredSequence: number;
    readonly pending: number;
    readonly oldestPendingTime: string | undefined;
  }[];
}

export interface ConsoleStore {
  createConsoleLink(link: NewConsoleLink): Promise<void>;
  /**
   * The link with this hash if it opens the console now: not expired, not revoked, and for a
   * sign-in link not used before, which this call marks used (atomically: a link works once).
   */
  useConsoleLink(hash: string, at: string): Promise<ConsoleLinkRecord | undefined>;
  listConsoleLinks(tenantId: string): Promise<readonly ConsoleLinkRecord[]>;
  /** Revokes a setup link and ends the sessions it opened; false when there is none. */
  revokeConsoleLink(id: string, at: string): Promise<boolean>;
  createConsoleSession(session: NewConsoleSession): Promise<void>;
  /**
   * The session if it is valid at `at`: before its absolute end, used after `idleSince`, and for
   * a setup session, its link not revoked.
   */
  findConsoleSession(hash: string, at: string, idleSince: string): Promise<ConsoleSessionRecord | undefined>;
  /** Records a use of the session at `at` (never moving it back). */
  touchConsoleSession(hash: string, at: string): Promise<void>;
  deleteConsoleSession(hash: string): Promise<void>;
  /** Deletes sessions past their end or unused since `idleSince`, and expired links. */
  pruneConsole(at: string, idleSince: string): Promise<void>;
  tenantActivity(tenantId: string, sinceMs: number): Promise<TenantActivity>;
  tenantDelivery(tenantId: string, sinks: readonly string[]): Promise<TenantDelivery>;
}
