import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config/config.ts';
import type { EventFeed } from '../events/feed.ts';
import type { SetSigner } from '../events/set/keys.ts';
import type { SetPoller } from '../events/set/poll.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { AuditLog } from '../service/audit.ts';
import type { Authenticate } from '../service/authenticate.ts';
import type { BulkService } from '../service/bulk.ts';
import type { DeltaService } from '../service/delta.ts';
import type { GroupMemberService } from '../service/group-members.ts';
import type { MeService } from '../service/me.ts';
import type { SigningKeys } from '../service/oauth-signing-keys.ts';
import type { TokenService } from '../service/oauth-token.ts';
import type { PasswordVerifier } from '../service/password-verify.ts';
import type { RateLimiter } from '../service/rate-limit.ts';
import type { RequestLog } from '../service/request-log.ts';
import type { ListLimits } from '../service/resource-list.ts';
import type { ResourceTypeService } from '../service/resource-types.ts';
import type { ResourceService } from '../service/resources.ts';
import type { RegistrySource } from '../service/schema-registries.ts';
import type { AuthenticationScheme, Features } from '../service/service-provider-config.ts';
import { CredentialRefused } from '../service/tenants.ts';
import { registerOAuthAdminRoutes } from './admin/oauth.ts';
import { type OAuthClientAdminDeps, registerOAuthClientAdminRoutes } from './admin/oauth-clients.ts';
import { type AdminApiDeps, installAdminApi } from './admin/plugin.ts';
import { registerRequestLogRoutes } from './admin/requests.ts';
import { registerResourceTypeAdminRoutes } from './admin/resource-types.ts';
import { registerSchemaAdminRoutes } from './admin/schemas.ts';
import { registerTenantViewRoutes, type TenantViewDeps } from './admin/tenant-views.ts';
import { registerVerifyAdminRoutes } from './admin/verify.ts';
import { installAuditHook } from './audit-hook.ts';
import { registerConsole } from './console-static.ts';
import { authFailureReason, installRequestObservers, rateLimitOf } from './observe.ts';
import { answerFrameworkError, installErrorHandling } from './plugins/error-handler.ts';
import { installJsonParsing } from './plugins/media-type.ts';
import { installSecurityHeaders } from './plugins/security-headers.ts';
import { requestIdOf } from './request-id.ts';
import { installRequestLogHook } from './request-log-hook.ts';
import { registerAuthVerifyRoute } from './routes/auth-verify.ts';
import { registerBulkRoutes } from './routes/bulk.ts';
import { registerDeltaRoutes } from './routes/delta.ts';
import { registerDiscoveryRoutes } from './routes/discovery.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerGroupMemberRoutes } from './routes/group-members.ts';
import { registerHealthRoutes, registerMetricsRoute } from './routes/health.ts';
import { registerMeRoutes } from './routes/me.ts';
import { registerOAuthTokenRoutes } from './routes/oauth-token.ts';
import { registerResourceRoutes } from './routes/resources.ts';
import { registerSetJwksRoute, registerSetPollRoute } from './routes/security-events.ts';
import { registerScimOpenApiRoute } from './scim-openapi.ts';
import { installSkippedMembers } from './skipped-members.ts';

export interface AppDeps {
  readonly config: Config;
  readonly registries: RegistrySource;
  readonly resources: ResourceService;
  /** /GroupMembers (draft-zollner-scim-group-members-01), for the tenants that enabled it. */
  readonly groupMembers?: GroupMemberService;
  /** Bearer token (static or JWT) → principal; 401 otherwise. */
  readonly authenticate: Authenticate;
  /** Per tenant and per token request limits, taken right after authentication (429). */
  readonly rateLimiter: RateLimiter;
  readonly me: MeService;
  /** What ServiceProviderConfig lists as authenticationSchemes for a tenant. */
  readonly authenticationSchemes: (tenantId: string) => Promise<readonly AuthenticationScheme[]>;
  readonly bulk: BulkService;
  readonly features: Features;
  readonly limits: ListLimits;
  readonly ping: () => Promise<void>;
  /** The built-in event feed (GET {basePath}/Events). */
  readonly feed?: EventFeed;
  /** Delta queries (/.deltaToken, /.delta) and the tenant's event position (/Events/position). */
  readonly delta?: DeltaService;
  /** The Prometheus registry: GET /metrics (without SCIMD_METRICS_TOKEN unauthenticated, like /healthz: expose it internally only). */
  readonly metrics?: Metrics;
  /** Where SCIM writes are recorded (docs/administration.md, "Audit log"). */
  readonly audit?: AuditLog;
  /** Where SCIM requests are recorded with their bodies, redacted (docs/console.md); absent or off: nowhere. */
  readonly requestLog?: RequestLog;
  /** The admin API under /admin; absent: no admin routes. */
  readonly admin?: AdminApiDeps &
    OAuthClientAdminDeps &
    Omit<TenantViewDeps, 'config' | 'tenants'> & {
      readonly passwordVerifier: PasswordVerifier;
      readonly resourceTypes: ResourceTypeService;
    };
  /** Where the built console is (dist/console); absent: no /console/. */
  readonly consoleDir?: string;
  /** scimd's own OAuth 2.0 token endpoint and the JWKS of its access tokens (docs/oauth.md). */
  readonly oauthTokens?: { readonly tokens: TokenService; readonly keys: SigningKeys };
  /** RFC 9967 SETs: the signer's JWKS (/.well-known/scim-set-jwks.json) and the RFC 8936 poll endpoint. */
  readonly securityEvents?: { readonly signer: SetSigner; readonly poller: SetPoller };
  /** POST /auth/verify: the product's password checks (docs/password-sync.md); absent: no such route. */
  readonly passwordVerifier?: PasswordVerifier;
  /** A pino logger, or false for none (tests). */
  readonly logger: boolean | Record<string, unknown>;
}

/** The HTTP adapter: routes, authentication, media types, errors. No globals; everything comes in deps. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: config.maxBodyBytes,
    genReqId: requestIdOf,
    // Endpoint names in any case (`/scim/v2/users`, `/serviceproviderconfig`: Microsoft's test
    // collection and reference code use lowercase, administrators type URLs by hand) and a
    // trailing slash tolerated. The router folds the path once per lookup; path parameters (ids)
    // keep the case they were sent in.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false },
    return503OnClosing: true,
    // Slow clients (docs/limits.md): a connection that trickles its headers or body, or idles,
    // is closed after a bound of its own rather than Node's defaults (60 s for headers).
    keepAliveTimeout: config.httpTimeouts.keepAliveMs,
    requestTimeout: config.httpTimeouts.requestMs,
    http: {
      headersTimeout: config.httpTimeouts.headersMs,
      // Node checks those two timeouts on this beat (30 s by default, which would add to them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, config.httpTimeouts.headersMs / 4)),
    },
    frameworkErrors: (error, request, reply) => answerFrameworkError(error, request, reply, deps.metrics),
    // Fastify's two lines per request (incoming, completed) would cost more than the request
    // itself; scimd writes one (installAccessLog).
    logController: new LogController({ disableRequestLogging: true }),
  });
  installErrorHandling(app, deps.metrics);
  installJsonParsing(app, config.requestLimits.maxJsonDepth);
  installSecurityHeaders(app);
  installSkippedMembers(app);
  app.decorateRequest('principal', null);
  app.decorateRequest('refusedHolder', null);
  installRequestObservers(app, { accessLog: config.accessLog, ...(deps.metrics ? { metrics: deps.metrics } : {}) });

  registerHealthRoutes(app, deps.ping);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics, config.metricsToken);
  if (deps.securityEvents) registerSetJwksRoute(app, deps.securityEvents.signer);
  if (deps.oauthTokens) await registerOAuthTokenRoutes(app, deps.oauthTokens.tokens, deps.oauthTokens.keys, config.publicUrl);
  if (deps.passwordVerifier) registerAuthVerifyRoute(app, deps.passwordVerifier);
  await app.register(
    async (scim) => {
      scim.addHook('onRequest', async (request) => {
        try {
          request.principal = await deps.authenticate(request.headers.authorization, request.raw.socket);
        } catch (error) {
          if (error instanceof CredentialRefused) request.refusedHolder = error.holder;
          deps.metrics?.authFailure(authFailureReason(request.headers.authorization, error));
          throw error;
        }
        try {
          deps.rateLimiter.take(request.principal);
        } catch (error) {
          deps.metrics?.rateLimited(rateLimitOf(error));
          throw error;
        }
      });
      if (deps.audit) installAuditHook(scim, config.basePath, deps.audit);
      if (deps.requestLog && config.requestLog.mode !== 'off') installRequestLogHook(scim, config.basePath, deps.requestLog);
      registerResourceRoutes(scim, config, deps.resources, deps.registries);
      if (deps.groupMembers) registerGroupMemberRoutes(scim, config, deps.groupMembers, deps.registries);
      registerBulkRoutes(scim, config, deps.bulk);
      if (deps.feed) registerEventRoutes(scim, config, deps.feed);
      if (deps.delta) registerDeltaRoutes(scim, config, deps.delta);
      if (deps.securityEvents) registerSetPollRoute(scim, config, deps.securityEvents.poller);
      registerDiscoveryRoutes(scim, config, deps.registries, deps.features, deps.limits, deps.bulk.limits, deps.authenticationSchemes);
      registerMeRoutes(scim, config, deps.resources, deps.me);
      registerScimOpenApiRoute(scim, config, deps.registries);
    },
    { prefix: config.basePath },
  );
  const admin = deps.admin;
  if (admin) {
    await app.register(
      async (scope) => {
        installAdminApi(scope, admin);
        // Further admin routes mount here, one line each.
        registerSchemaAdminRoutes(scope, { schemas: admin.schemas });
        registerResourceTypeAdminRoutes(scope, admin);
        registerOAuthAdminRoutes(scope, { oauth: admin.oauth });
        registerOAuthClientAdminRoutes(scope, admin);
        registerVerifyAdminRoutes(scope, admin.passwordVerifier);
        registerRequestLogRoutes(scope, { tenants: admin.tenants, requestLog: admin.requestLog });
        registerTenantViewRoutes(scope, { ...admin, config });
      },
      { prefix: '/admin' },
    );
  }
  if (deps.consoleDir !== undefined) await registerConsole(app, deps.consoleDir);
  return app;
}
