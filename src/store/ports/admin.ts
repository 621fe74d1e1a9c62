/** Administration: admin tokens and the audit log (docs/administration.md). */

/** A token of the admin API (/admin): not bound to a tenant, never valid as a SCIM token. */
export interface AdminTokenRecord {
  readonly id: string;
  readonly label: string | undefined;
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly lastUsedAt: string | undefined;
}

export interface NewAdminToken {
  readonly id: string;
  /** SHA-256 hex of the secret. */
  readonly hash: string;
  readonly label?: string;
  readonly expiresAt?: string;
  readonly createdAt: string;
}

/** One write as the audit log records it: who, what, on which resource, with what outcome. Never a body. */
export interface AuditEntry {
  /** ISO 8601 UTC: when the request arrived. */
  readonly time: string;
  readonly tenantId: string | undefined;
  readonly tenantName: string | undefined;
  readonly tokenId: string | undefined;
  /** create, replace, patch, delete (SCIM), bulk, … */
  readonly operation: string;
  readonly resourceType: string | undefined;
  readonly resourceId: string | undefined;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The request's id (its X-Request-Id), as in the log lines of that request. */
  readonly requestId: string | undefined;
  /**
   * Why a password check (POST /auth/verify) failed (only here and in the metrics, never in its
   * answer); what a write skipped (unknown member ids).
   */
  readonly reason?: string;
}

export interface AuditRecord extends AuditEntry {
  /** Increasing in insertion order: the paging key. */
  readonly seq: number;
}

export interface AuditQuery {
  readonly tenantName?: string;
  /** Inclusive lower and exclusive upper bound on `time` (ISO 8601). */
  readonly since?: string;
  readonly until?: string;
  /** Only entries with seq below this (the next page of a newest-first walk). */
  readonly beforeSeq?: number;
  readonly limit: number;
}

export interface AdminStore {
  createAdminToken(token: NewAdminToken): Promise<AdminTokenRecord>;
  /** Revoked and expired ones too: the caller decides. */
  findAdminTokenByHash(hash: string): Promise<AdminTokenRecord | undefined>;
  listAdminTokens(): Promise<readonly AdminTokenRecord[]>;
  revokeAdminToken(id: string, at: string): Promise<boolean>;
  touchAdminToken(id: string, at: string): Promise<void>;
  /** Appends entries in one statement (the audit writer batches them). */
  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  /** Newest first (seq descending), at most `limit`. */
  listAudit(query: AuditQuery): Promise<readonly AuditRecord[]>;
}
