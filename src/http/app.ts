import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { EventFeed } from '../events/feed.ts';
import type { SetSigner } from '../events/set/keys.ts';
import type { SetPoller } from '../events/set/poll.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { ResourceService, ListLimits } from '../service/resources.ts';
import type { Features } from '../service/service-provider-config.ts';
import type { TenantService } from '../service/tenants.ts';
import { installErrorHandling } from './plugins/error-handler.ts';
import { installJsonParsing } from './plugins/media-type.ts';
import { registerDiscoveryRoutes } from './routes/discovery.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerResourceRoutes } from './routes/resources.ts';
import { registerSetJwksRoute, registerSetPollRoute } from './routes/security-events.ts';
import { registerUnsupportedRoutes } from './routes/unsupported.ts';

export interface AppDeps {
  readonly config: Config;
  readonly registry: SchemaRegistry;
  readonly resources: ResourceService;
  readonly tenants: TenantService;
  readonly features: Features;
  readonly limits: ListLimits;
  readonly ping: () => Promise<void>;
  /** The built-in event feed (GET {basePath}/Events). */
  readonly feed?: EventFeed;
  /** Prometheus text for GET /metrics (unauthenticated, like /healthz: expose it internally only). */
  readonly metrics?: () => Promise<string>;
  /** RFC 9967 SETs: the signer's JWKS (/.well-known/scim-set-jwks.json) and the RFC 8936 poll endpoint. */
  readonly securityEvents?: { readonly signer: SetSigner; readonly poller: SetPoller };
  /** A pino logger, or false for none (tests). */
  readonly logger: boolean | Record<string, unknown>;
}

/** The HTTP adapter: routes, authentication, media types, errors. No globals; everything comes in deps. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: config.maxBodyBytes,
    genReqId: () => randomUUID(),
    // Entra and Okta send paths in whatever case; routes stay case-sensitive but tolerate a trailing slash.
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    // Two info lines per request would cost more than the request itself: access logs are debug.
    logController: new LogController({ disableRequestLogging: true }),
  });
  installErrorHandling(app);
  installJsonParsing(app);
  app.decorateRequest('principal', null);
  if (config.logLevel === 'debug' || config.logLevel === 'trace') {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request');
    });
  }

  registerHealthRoutes(app, deps.ping);
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics()));
  }
  if (deps.securityEvents) registerSetJwksRoute(app, deps.securityEvents.signer);
  await app.register(
    async (scim) => {
      scim.addHook('onRequest', async (request) => {
        request.principal = await deps.tenants.authenticate(request.headers.authorization);
      });
      registerResourceRoutes(scim, config, deps.resources);
      if (deps.feed) registerEventRoutes(scim, config, deps.feed);
      if (deps.securityEvents) registerSetPollRoute(scim, config, deps.securityEvents.poller);
      registerDiscoveryRoutes(scim, config, deps.registry, deps.features, deps.limits);
      registerUnsupportedRoutes(scim);
    },
    { prefix: config.basePath },
  );
  return app;
}
