import type { AdminStore } from '../ports/admin.ts';
import type { ChangeLogStore } from '../ports/change-log.ts';
import type { ConsoleStore } from '../ports/console.ts';
import type { OAuthClientStore } from '../ports/oauth-clients.ts';
import type { OAuthIssuerStore } from '../ports/oauth-issuers.ts';
import type { RequestLogStore } from '../ports/request-log.ts';
import type { TenantStore } from '../ports/tenants.ts';
import { adminQueries } from './admin.ts';
import { changeLogQueries } from './change-log.ts';
import { consoleQueries } from './console.ts';
import { oauthClientQueries } from './oauth-clients.ts';
import { oauthIssuerQueries } from './oauth-issuers.ts';
import { outboxQueries } from './outbox.ts';
import { requestLogQueries } from './request-log.ts';
import type { SqlRunner } from './run.ts';
import { tenantQueries } from './tenants.ts';

type SharedOutbox = ReturnType<typeof outboxQueries>;

/** The ports whose every query is written once in this folder and run by either database. */
type SharedPorts = TenantStore &
  AdminStore &
  OAuthIssuerStore &
  OAuthClientStore &
  RequestLogStore &
  ConsoleStore &
  ChangeLogStore &
  SharedOutbox;

/** The shared methods, assigned (and type-checked as SharedPorts) in share(). */
export interface SqlStore extends SharedPorts {}

/**
 * What the SQLite and PostgreSQL stores have in common: each builds its SqlRunner (how a statement
 * and a plan run on its driver) and hands it to `share`, which installs the shared query sets as
 * the store's methods. A store keeps only what truly differs on its database.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export abstract class SqlStore {
  /**
   * Numbers committed events before a read, where that happens after commit (PostgreSQL's
   * sequencer): of one tenant, or of all. SQLite numbers them inside the write: nothing to do.
   */
  protected async sequence(_tenantId?: string): Promise<void> {}

  protected share(db: SqlRunner): void {
    const sequence = (tenantId?: string) => this.sequence(tenantId);
    const shared: SharedPorts = {
      ...tenantQueries(db),
      ...adminQueries(db),
      ...oauthIssuerQueries(db.run, db.constraintOf),
      ...oauthClientQueries(db.run, db.constraintOf),
      ...requestLogQueries(db.run),
      ...consoleQueries(db.run),
      ...changeLogQueries(db.run, sequence),
      ...outboxQueries(db, sequence),
    };
    Object.assign(this, shared);
  }
}
