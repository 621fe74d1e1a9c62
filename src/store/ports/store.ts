import type { AdminStore } from './admin.ts';
import type { ChangeLogStore } from './change-log.ts';
import type { ConsoleStore } from './console.ts';
import type { GroupMemberStore } from './group-members.ts';
import type { OAuthClientStore } from './oauth-clients.ts';
import type { OAuthIssuerStore } from './oauth-issuers.ts';
import type { OutboxStore } from './outbox.ts';
import type { PasswordVerifyStore } from './password-verify.ts';
import type { RequestLogStore } from './request-log.ts';
import type { ResourceTypeStore } from './resource-types.ts';
import type { ResourceStore } from './resources.ts';
import type { SchemaStore } from './schemas.ts';
import type { SetPollStore } from './set-poll.ts';
import type { TenantStore } from './tenants.ts';

/** A connection pool's state, for the metrics (PostgreSQL; SQLite has one connection and no pool). */
export interface PoolState {
  readonly total: number;
  readonly idle: number;
  /** Requests waiting for a connection. */
  readonly waiting: number;
  /** The pipelined connections, reads' and writes' together (src/store/postgres/pipelined-statements.ts), when used. */
  readonly pipelined?: { readonly connections: number; readonly inFlight: number };
}

export interface StoreCapabilities {
  readonly dialect: string;
}

/** Everything a database keeps for scimd: the ports together, as SQLite and PostgreSQL implement them. */
export interface Store
  extends ResourceStore,
    GroupMemberStore,
    TenantStore,
    OutboxStore,
    ChangeLogStore,
    SchemaStore,
    ResourceTypeStore,
    AdminStore,
    OAuthIssuerStore,
    OAuthClientStore,
    SetPollStore,
    RequestLogStore,
    ConsoleStore,
    PasswordVerifyStore {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; safe to call on every start. Returns the versions applied. */
  migrate(): Promise<readonly number[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The connection pool's state now; absent on a store without a pool. */
  poolState?(): PoolState;
}
