import type { FastifyInstance } from 'fastify';
import { createJwtVerifier } from './auth/jwt.ts';
import { hashPassword, scryptCost } from './auth/password.ts';
import type { Config } from './config/config.ts';
import { createEventFeed, type EventFeed } from './events/feed.ts';
import { registerOutboxMetrics } from './events/metrics.ts';
import { Relay, type RelayLogger } from './events/relay.ts';
import { loadSetSigner, type SetSigner } from './events/set/keys.ts';
import { createSetPoller } from './events/set/poll.ts';
import { sinkStatuses } from './events/sink-status.ts';
import { createSink } from './events/sinks/index.ts';
import { buildApp } from './http/app.ts';
import { Metrics } from './metrics/registry.ts';
import { registerRequestLogMetrics } from './metrics/request-log.ts';
import { registerStoreMetrics } from './metrics/store.ts';
import { createCoreRegistry } from './schema/registry.ts';
import { type AdminTokenService, createAdminTokenService } from './service/admin-tokens.ts';
import { type AuditLog, createAuditLog } from './service/audit.ts';
import { createAuthenticator } from './service/authenticate.ts';
import { createBulkService } from './service/bulk.ts';
import { type ConsoleSessions, createConsoleSessions } from './service/console-sessions.ts';
import { createDeltaService } from './service/delta.ts';
import { createGroupMemberService } from './service/group-members.ts';
import { createMeService } from './service/me.ts';
import { createOAuthService, type OAuthService } from './service/oauth.ts';
import { createOAuthClientService, type OAuthClientService } from './service/oauth-clients.ts';
import { createSigningKeys } from './service/oauth-signing-keys.ts';
import { createTokenService } from './service/oauth-token.ts';
import { createPasswordVerifier, type PasswordVerifier } from './service/password-verify.ts';
import { createRateLimiter } from './service/rate-limit.ts';
import { createRequestLog, type RequestLog } from './service/request-log.ts';
import type { ListLimits } from './service/resource-list.ts';
import { createResourceTypeService, type ResourceTypeService } from './service/resource-types.ts';
import { createResourceService } from './service/resources.ts';
import { createTenantRegistries } from './service/schema-registries.ts';
import { createSchemaService, type SchemaService } from './service/schemas.ts';
import { authenticationSchemes, type Features } from './service/service-provider-config.ts';
import { createTenantOverview } from './service/tenant-overview.ts';
import { createTenantService, type TenantService } from './service/tenants.ts';
import { resourcesByType } from './store/by-type.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/ports/store.ts';
import { VERSION } from './version.ts';

export { VERSION } from './version.ts';

/** How often each instance prunes the request log by age and size. */
const REQUEST_LOG_PRUNE_MS = 60_000;

/** What the server does today; ServiceProviderConfig publishes exactly this. */
export const FEATURES: Features = { patch: true, bulk: true, securityEvents: true, deltaQuery: true };

export interface Server {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly tenants: TenantService;
  /** Tenant extension schemas (the admin API's and the CLI's `schema` commands). */
  readonly schemas: SchemaService;
  /** Each tenant's optional resource types (the admin API's and the CLI's `resource-types` commands). */
  readonly resourceTypes: ResourceTypeService;
  readonly adminTokens: AdminTokenService;
  readonly audit: AuditLog;
  readonly oauth: OAuthService;
  /** scimd's own OAuth 2.0 clients (the admin API's and the CLI's `oauth clients` commands). */
  readonly oauthClients: OAuthClientService;
  /** POST /auth/verify: verify tokens, checks, lockouts (docs/password-sync.md). */
  readonly passwordVerifier: PasswordVerifier;
  readonly requestLog: RequestLog;
  /** The console's sign-in links, setup links and sessions (docs/console.md). */
  readonly consoleSessions: ConsoleSessions;
  readonly feed: EventFeed;
  /** The in-process relay, when sinks are configured and it runs in serve (SCIMD_RELAY). */
  readonly relay: Relay | undefined;
  /** The Prometheus registry (GET /metrics): other modules add their series here (metrics.counter(…)). */
  readonly metrics: Metrics;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly logger?: boolean | Record<string, unknown>;
  readonly clock?: () => Date;
  /** An already open store (tests share one); else one is opened from config.databaseUrl. */
  readonly store?: Store;
  /** Relay tuning (tests shorten backoff and polling). */
  readonly relay?: {
    readonly pollMs?: number;
    readonly backoffBaseMs?: number;
    readonly backoffMaxMs?: number;
    readonly batchSize?: number;
  };
  /** How long an RFC 8936 long poll waits for events (default 25 s, under common proxy timeouts). */
  readonly setPollWaitMs?: number;
  /** Where the built console is (default dist/console: `npm run build`); tests build one of their own. */
  readonly consoleDir?: string;
}

/** dist/console beside dist/scimd.mjs; from the sources (src/server.ts), the same folder. */
const CONSOLE_DIR = new URL('../dist/console/', import.meta.url).pathname;

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
  return new Relay({
    store,
    sinks,
    retentionMs: config.eventRetentionSeconds * 1000,
    publishTimeoutMs: config.eventPublishTimeoutMs,
    contract: config.eventContract,
    ...(logger ? { logger } : {}),
    ...tuning,
  });
}

/** The composition root: store → services → HTTP app, wired explicitly. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<Server> {
  const store = options.store ?? (await openStore(config.databaseUrl));
  await store.migrate();
  const clock = options.clock ?? (() => new Date());
  const base = createCoreRegistry();
  const registries = createTenantRegistries(store, base);
  const schemas = createSchemaService({ store, base, onChange: (tenantId) => registries.invalidate(tenantId) });
  const resourceTypes = createResourceTypeService({ store, onChange: (tenantId) => registries.invalidate(tenantId) });
  const limits: ListLimits = {
    maxResults: config.maxResults,
    defaultPageSize: config.defaultPageSize,
    cursorTimeoutSeconds: config.cursorTimeoutSeconds,
  };
  const tenants = createTenantService(store, clock);
  const adminTokens = createAdminTokenService(store, { envToken: config.adminToken, clock });
  const audit = createAuditLog(store, {
    onError: (err, entries) => app.log.error({ err, audit: entries }, 'audit entries could not be stored'),
  });
  const requestLog = createRequestLog({
    store,
    registries,
    config: config.requestLog,
    clock,
    onError: (err, lost) => app.log.error({ err, lost }, 'request log entries could not be stored'),
  });
  const consoleSessions = createConsoleSessions({ store, adminTokens, tenants, lifetime: config.consoleSession, clock });
  const pruner = setInterval(() => {
    requestLog.prune().catch((err: unknown) => app.log.warn({ err }, 'request log pruning failed'));
    consoleSessions.prune().catch((err: unknown) => app.log.warn({ err }, 'console session pruning failed'));
    passwordVerifier.pruneLockouts().catch((err: unknown) => app.log.warn({ err }, 'lockout pruning failed'));
  }, REQUEST_LOG_PRUNE_MS);
  pruner.unref();
  const verifier = createJwtVerifier({ refreshCooldownMs: config.jwksRefreshCooldownSeconds * 1000 }, clock);
  const oauth = createOAuthService({ store, verifier, clock });
  const signingKeys = createSigningKeys({ store, rotationSeconds: config.oauthKeyRotationSeconds, clock });
  const issuer = config.publicUrl ?? 'urn:scimd';
  const tokens = createTokenService({
    store,
    keys: signingKeys,
    verifier,
    issuer,
    audience: `${issuer}${config.basePath}`,
    rateLimit: config.rateLimits.oauthToken,
    clock,
  });
  const oauthClients = createOAuthClientService({ store, clock, onChange: (clientId) => tokens.forget(clientId) });
  const feed = createEventFeed(store, config.eventContract);
  const metrics = new Metrics({ tenantLabels: config.metricsTenantLabels });
  const signer = await loadSetSigner(config.setSigningKeys, store, clock);
  const relay = config.relayInServe ? await createRelay(config, store, undefined, options.relay, async () => signer) : undefined;
  const sinks = () => sinkStatuses(store, config.eventSinks, relay, clock());
  const onEvents = () => {
    relay?.wake();
    feed.notify();
  };
  const verifyOutcomes = metrics.counter(
    'scimd_password_verifications_total',
    'POST /auth/verify checks by outcome: verified, or why refused (docs/password-sync.md).',
    ['outcome'],
  );
  const passwordVerifier = createPasswordVerifier({
    store,
    config: config.passwordVerify,
    clock,
    audit: (entry) => audit.record(entry),
    onOutcome: (outcome) => verifyOutcomes.inc({ outcome }),
  });
  const resources = createResourceService({
    store: resourcesByType(store),
    registries,
    clock,
    limits,
    hashPassword: (password) => hashPassword(password, scryptCost(config.passwordVerify.scryptN)),
    onEvents,
    requestLimits: config.requestLimits,
  });
  const groupMembers = createGroupMemberService({
    store,
    registries,
    clock,
    limits,
    filterLimits: config.requestLimits.filter,
    changeMembers: resources.changeMembers,
  });
  const bulk = createBulkService({
    resources,
    groupMembers,
    limits: { maxOperations: config.bulkMaxOperations, maxPayloadSize: config.bulkMaxPayloadBytes },
  });
  const app = await buildApp({
    config,
    registries,
    resources,
    groupMembers,
    authenticate: createAuthenticator(tenants, oauth, tokens),
    oauthTokens: { tokens, keys: signingKeys },
    rateLimiter: createRateLimiter(config.rateLimits, () => clock().getTime()),
    me: createMeService(resources),
    authenticationSchemes: async (tenantId) =>
      authenticationSchemes(await oauth.issuerOf(tenantId), (await store.listOAuthClients(tenantId)).length > 0),
    bulk,
    features: FEATURES,
    limits,
    ping: () => store.ping(),
    feed,
    delta: createDeltaService({
      store,
      resources,
      clock,
      limits,
      retentionSeconds: config.eventRetentionSeconds,
      attributeLimits: config.requestLimits.attributeList,
    }),
    metrics,
    audit,
    requestLog,
    passwordVerifier,
    admin: {
      tenants,
      adminTokens,
      audit,
      schemas,
      resourceTypes,
      oauth,
      oauthClients,
      passwordVerifier,
      requestLog,
      sinks,
      consoleSessions,
      publicUrl: config.publicUrl,
      overview: createTenantOverview({ store, tenants, sinkUrls: config.eventSinks, sinks, clock, flushRequestLog: requestLog.flush }),
      resources,
      registries,
      feed,
      version: VERSION,
    },
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
    consoleDir: options.consoleDir ?? CONSOLE_DIR,
  });
  registerOutboxMetrics(metrics, store, relay, clock);
  registerStoreMetrics(metrics, store);
  registerRequestLogMetrics(metrics, requestLog);
  if (relay) {
    // The relay logs through the app's logger, which exists only now.
    relay.setLogger(app.log);
    relay.start();
  }
  return {
    app,
    store,
    tenants,
    schemas,
    resourceTypes,
    adminTokens,
    audit,
    oauth,
    oauthClients,
    passwordVerifier,
    requestLog,
    consoleSessions,
    feed,
    relay,
    metrics,
    close: async () => {
      clearInterval(pruner);
      await app.close();
      await requestLog.flush();
      // After the last response: its audit entry is queued, and is written before the store closes.
      await audit.flush();
      await relay?.stop();
      await store.close();
    },
  };
}
