import type { ScimError } from '../../errors/scim-error.ts';
import type { ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import type { AdminStore } from '../ports/admin.ts';
import type { ChangeLogStore } from '../ports/change-log.ts';
import type { ConsoleStore } from '../ports/console.ts';
import type { MembershipPage, MembershipQuery, StoredMembership } from '../ports/group-members.ts';
import type { OAuthClientStore } from '../ports/oauth-clients.ts';
import type { OAuthIssuerStore } from '../ports/oauth-issuers.ts';
import type { EventBuilder } from '../ports/outbox.ts';
import type { PasswordVerifyStore } from '../ports/password-verify.ts';
import type { RequestLogStore } from '../ports/request-log.ts';
import type { ResourceTypeStore } from '../ports/resource-types.ts';
import type { CreateCommand, Include, QueryResult, ResourceQuery, UpdateCommand, WriteResult } from '../ports/resources.ts';
import type { SchemaStore } from '../ports/schemas.ts';
import type { TenantStore } from '../ports/tenants.ts';
import { adminQueries } from './admin.ts';
import { changeLogQueries } from './change-log.ts';
import { consoleQueries } from './console.ts';
import { schemaQueries } from './extensions.ts';
import { getMembership, queryMemberships } from './group-members.ts';
import { IndexPositions } from './index-positions.ts';
import { oauthClientQueries } from './oauth-clients.ts';
import { oauthIssuerQueries } from './oauth-issuers.ts';
import { outboxQueries } from './outbox.ts';
import { passwordVerifyQueries } from './password-verify.ts';
import { requestLogQueries } from './request-log.ts';
import { resourceTypeQueries } from './resource-types.ts';
import { getResource, queryResources } from './resources.ts';
import type { SqlRunner } from './run.ts';
import { tenantQueries } from './tenants.ts';
import { createResource, createResources, deleteResource, updateResource, type WriteDialect } from './writes.ts';

type SharedOutbox = ReturnType<typeof outboxQueries>;

/** The ports whose every query is written once in this folder and run by either database. */
type SharedPorts = TenantStore &
  AdminStore &
  OAuthIssuerStore &
  OAuthClientStore &
  PasswordVerifyStore &
  RequestLogStore &
  ConsoleStore &
  ChangeLogStore &
  SchemaStore &
  ResourceTypeStore &
  SharedOutbox;

/** The shared methods, installed (and type-checked as SharedPorts) by share(). */
export interface SqlStore extends SharedPorts {}

/**
 * What the SQLite and PostgreSQL stores have in common (docs/store.md): each builds its SqlRunner
 * (how a statement and a plan run on its driver) and hands it, with its WriteDialect, to `share`,
 * which installs the shared query sets as the store's methods. The resource reads and writes are
 * the plans of resources.ts and writes.ts; a store may override one with a fast path of its own
 * (PostgreSQL's one-statement create). A store keeps only what truly differs on its database.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export abstract class SqlStore {
  #db!: SqlRunner;
  #dialect!: WriteDialect;
  readonly #positions = new IndexPositions();

  /**
   * Numbers committed events before a read, where that happens after commit (PostgreSQL's
   * sequencer): of one tenant, or of all. SQLite numbers them inside the write: nothing to do.
   */
  protected async sequence(_tenantId?: string): Promise<void> {}

  protected share(db: SqlRunner, dialect: WriteDialect): void {
    this.#db = db;
    this.#dialect = dialect;
    const sequence = (tenantId?: string) => this.sequence(tenantId);
    const shared: SharedPorts = {
      ...tenantQueries(db),
      ...adminQueries(db),
      ...oauthIssuerQueries(db.run, db.constraintOf),
      ...oauthClientQueries(db.run, db.constraintOf),
      ...passwordVerifyQueries(db.run, db.constraintOf),
      ...requestLogQueries(db, dialect),
      ...consoleQueries(db.run),
      ...changeLogQueries(db.run, dialect, sequence),
      ...outboxQueries(db, dialect, sequence),
      ...schemaQueries(db, dialect),
      ...resourceTypeQueries(db, dialect, this.#positions),
    };
    // Besides the resource writes below, what changes the rows of a tenant's lists.
    const { deleteTenant, saveExtensions } = shared;
    shared.deleteTenant = (tenantId) => this.written(tenantId, deleteTenant(tenantId));
    shared.saveExtensions = (tenantId, change) => this.written(tenantId, saveExtensions(tenantId, change));
    // The shared methods go on an object of their own between the instance and its class, not on
    // the instance: ninety properties assigned one by one put an object in V8's dictionary mode,
    // and then every call on the store and every private field read was a hash lookup (a group
    // GET 4% dearer, docs/performance.md). An object that becomes a prototype is made fast.
    Object.setPrototypeOf(this, Object.setPrototypeOf(shared, Object.getPrototypeOf(this)));
  }

  /**
   * A write of the tenant's resources: once it is over (committed, or failed, which on a lost
   * connection may still mean committed), the index positions remembered of the tenant are dropped.
   */
  protected written<T>(tenantId: string, write: Promise<T>): Promise<T> {
    return this.#positions.after(tenantId, write);
  }

  get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined> {
    return this.#db.read(() => getResource(this.#dialect, tenantId, resourceType, id, include));
  }

  query(tenantId: string, query: ResourceQuery): Promise<QueryResult> {
    return this.#db.read(() => queryResources(this.#dialect, tenantId, query, this.#positions));
  }

  queryMemberships(tenantId: string, query: MembershipQuery): Promise<MembershipPage> {
    return this.#db.read(() => queryMemberships(this.#dialect.sql, tenantId, query));
  }

  getMembership(tenantId: string, groupId: string, memberId: string): Promise<StoredMembership | undefined> {
    return this.#db.read(() => getMembership(this.#dialect.sql, tenantId, groupId, memberId));
  }

  create(tenantId: string, command: CreateCommand): Promise<WriteResult> {
    return this.written(
      tenantId,
      this.#db.transact(() => createResource(this.#dialect, tenantId, command)),
    );
  }

  createMany(
    tenantId: string,
    commands: readonly CreateCommand[],
    maxFailures = Infinity,
  ): Promise<ReadonlyArray<WriteResult | ScimError>> {
    return this.written(
      tenantId,
      this.#db.transact(() => createResources(this.#dialect, tenantId, commands, maxFailures), { ownSavepoints: true }),
    );
  }

  update(tenantId: string, command: UpdateCommand): Promise<WriteResult> {
    return this.written(
      tenantId,
      this.#db.transact(() => updateResource(this.#dialect, tenantId, command)),
    );
  }

  delete(
    tenantId: string,
    resourceType: ResourceTypeName,
    id: string,
    expectedVersion?: number,
    events?: EventBuilder<StoredResource>,
  ): Promise<StoredResource> {
    return this.written(
      tenantId,
      this.#db.transact(() => deleteResource(this.#dialect, tenantId, resourceType, id, expectedVersion, events)),
    );
  }
}
