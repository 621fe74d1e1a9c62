import type { FastifyInstance } from 'fastify';
import { hashPassword } from './auth/password.ts';
import type { Config } from './config/config.ts';
import { buildApp } from './http/app.ts';
import { createCoreRegistry } from './schema/registry.ts';
import { createResourceService, type ListLimits } from './service/resources.ts';
import type { Features } from './service/service-provider-config.ts';
import { createTenantService, type TenantService } from './service/tenants.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/ports.ts';

/** What the server does today; ServiceProviderConfig publishes exactly this. */
export const FEATURES: Features = { patch: true, bulk: false };

export interface Server {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly tenants: TenantService;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly logger?: boolean | Record<string, unknown>;
  readonly clock?: () => Date;
  /** An already open store (tests share one); else one is opened from config.databaseUrl. */
  readonly store?: Store;
}

/** The composition root: store → services → HTTP app, wired explicitly. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<Server> {
  const store = options.store ?? (await openStore(config.databaseUrl));
  await store.migrate();
  const clock = options.clock ?? (() => new Date());
  const registry = createCoreRegistry();
  const limits: ListLimits = {
    maxResults: config.maxResults,
    defaultPageSize: config.defaultPageSize,
    cursorTimeoutSeconds: config.cursorTimeoutSeconds,
  };
  const tenants = createTenantService(store, clock);
  const resources = createResourceService({ store, registry, clock, limits, hashPassword });
  const app = await buildApp({
    config,
    registry,
    resources,
    tenants,
    features: FEATURES,
    limits,
    ping: () => store.ping(),
    logger: options.logger ?? false,
  });
  return {
    app,
    store,
    tenants,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
