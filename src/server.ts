import type { FastifyInstance } from 'fastify';
import { hashPassword } from './auth/password.ts';
import type { Config } from './config/config.ts';
import { createEventFeed, type EventFeed } from './events/feed.ts';
import { outboxMetrics } from './events/metrics.ts';
import { Relay, type RelayLogger } from './events/relay.ts';
import { loadSetSigner, type SetSigner } from './events/set/keys.ts';
import { createSetPoller } from './events/set/poll.ts';
import { createSink } from './events/sinks/index.ts';
import { buildApp } from './http/app.ts';
import { createCoreRegistry } from './schema/registry.ts';
import { createResourceService, type ListLimits } from './service/resources.ts';
import type { Features } from './service/service-provider-config.ts';
import { createTenantService, type TenantService } from './service/tenants.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/ports.ts';

/** What the server does today; ServiceProviderConfig publishes exactly this. */
export const FEATURES: Features = { patch: true, bulk: false, securityEvents: true };

export interface Server {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly tenants: TenantService;
  readonly feed: EventFeed;
  /** The in-process relay, when sinks are configured and it runs in serve (SCIMD_RELAY). */
  readonly relay: Relay | undefined;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly logger?: boolean | Record<string, unknown>;
  readonly clock?: () => Date;
  /** An already open store (tests share one); else one is opened from config.databaseUrl. */
  readonly store?: Store;
  /** Relay tuning (tests shorten backoff and polling). */
  readonly relay?: { readonly pollMs?: number; readonly backoffBaseMs?: number; readonly backoffMaxMs?: number; readonly batchSize?: number };
  /** How long an RFC 8936 long poll waits for events (default 25 s, under common proxy timeouts). */
  readonly setPollWaitMs?: number;
}

/** The relay for config.eventSinks; undefined when there are none. */
export async function createRelay(
  config: Config,
  store: Store,
  logger?: RelayLogger,
  tuning: ServerOptions['relay'] = {},
  setSigner: () => Promise<SetSigner> = () => loadSetSigner(config.setSigningKeys, store),
): Promise<Relay | undefined> {
  if (config.eventSinks.length === 0) return undefined;
  const sinks = await Promise.all(config.eventSinks.map((url) => createSink(url, { setSigner })));
  return new Relay({ store, sinks, retentionMs: config.eventRetentionSeconds * 1000, ...(logger ? { logger } : {}), ...tuning });
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
  const feed = createEventFeed(store);
  const signer = await loadSetSigner(config.setSigningKeys, store, clock);
  const relay = config.relayInServe ? await createRelay(config, store, undefined, options.relay, async () => signer) : undefined;
  const onEvents = () => {
    relay?.wake();
    feed.notify();
  };
  const resources = createResourceService({ store, registry, clock, limits, hashPassword, onEvents });
  const app = await buildApp({
    config,
    registry,
    resources,
    tenants,
    features: FEATURES,
    limits,
    ping: () => store.ping(),
    feed,
    metrics: () => outboxMetrics(store, relay),
    securityEvents: {
      signer,
      poller: createSetPoller({
        store,
        signer,
        subscribe: (listener) => feed.subscribe(listener),
        maxEvents: config.maxResults,
        waitMs: options.setPollWaitMs ?? 25_000,
        clock,
        onSetErrors: (tenantId, errors) => app.log.warn({ tenantId, setErrs: errors }, 'an RFC 8936 receiver refused SETs'),
      }),
    },
    logger: options.logger ?? false,
  });
  if (relay) {
    // The relay logs through the app's logger, which exists only now.
    relay.setLogger(app.log);
    relay.start();
  }
  return {
    app,
    store,
    tenants,
    feed,
    relay,
    close: async () => {
      await app.close();
      await relay?.stop();
      await store.close();
    },
  };
}
