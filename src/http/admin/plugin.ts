import type { FastifyInstance } from 'fastify';
import type { SinkStatus } from '../../events/sink-status.ts';
import type { AdminPrincipal, AdminTokenService } from '../../service/admin-tokens.ts';
import type { AuditLog } from '../../service/audit.ts';
import type { ConsoleSessions } from '../../service/console-sessions.ts';
import type { OAuthService } from '../../service/oauth.ts';
import type { RequestLog } from '../../service/request-log.ts';
import type { SchemaService } from '../../service/schemas.ts';
import type { TenantService } from '../../service/tenants.ts';
import { installAdminAuditHook } from '../audit-hook.ts';
import { registerConsoleRoutes } from './console.ts';
import { authenticateBySession } from './console-auth.ts';
import { collectRoutes, openApiDocument } from './openapi.ts';
import { registerOperationsRoutes } from './operations.ts';
import { registerTenantRoutes } from './tenants.ts';
import { registerTokenRoutes } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin authentication hook on every non-public /admin route. */
    adminPrincipal: AdminPrincipal | null;
  }
}

export interface AdminApiDeps {
  readonly tenants: TenantService;
  readonly adminTokens: AdminTokenService;
  readonly audit: AuditLog;
  /** Tenant extension schemas (docs/custom-attributes.md). */
  readonly schemas: SchemaService;
  /** Per-tenant OAuth 2.0 issuers (docs/oauth.md). */
  readonly oauth: OAuthService;
  /** The SCIM request log (docs/console.md). */
  readonly requestLog: RequestLog;
  readonly sinks: () => Promise<readonly SinkStatus[]>;
  /** Console sessions: a browser authenticates with a session cookie instead of a bearer token (docs/console.md). */
  readonly consoleSessions: ConsoleSessions;
  /** SCIMD_PUBLIC_URL's origin, also accepted as the Origin of a console call; https there makes the cookie Secure. */
  readonly publicUrl: string | undefined;
  /** The version the OpenAPI document states (package.json). */
  readonly version: string;
}

/**
 * The admin API, inside a context registered with prefix /admin: admin-token authentication on
 * every route (SCIM tokens are refused: they live in another table), the built-in routes, and
 * GET /admin/openapi.json generated from every route registered in this context, including the
 * ones mounted after this call with one `register…(admin, deps)` line each.
 */
export function installAdminApi(admin: FastifyInstance, deps: AdminApiDeps): void {
  const routes = collectRoutes(admin);
  admin.decorateRequest('adminPrincipal', null);
  admin.decorateRequest('consoleSession', null);
  const publicOrigin = deps.publicUrl === undefined ? undefined : new URL(deps.publicUrl).origin;
  admin.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    // A bearer token, when sent, decides; else the console's session cookie (with CSRF checks).
    const bySession =
      request.headers.authorization === undefined
        ? await authenticateBySession(request, { consoleSessions: deps.consoleSessions, tenants: deps.tenants, publicOrigin })
        : undefined;
    request.adminPrincipal = bySession ?? (await deps.adminTokens.authenticate(request.headers.authorization));
  });
  installAdminAuditHook(admin, deps.audit);

  let document: Record<string, unknown> | undefined;
  admin.get('/openapi.json', {
    config: { public: true },
    schema: {
      summary: 'This OpenAPI 3.1 description of the admin API',
      description: 'Public: the description of the API is no secret.',
      tags: ['meta'],
      response: { 200: { description: 'An OpenAPI 3.1 document', type: 'object', additionalProperties: true } },
    },
    // Built on first request, when every route is registered.
    handler: async () => (document ??= openApiDocument(routes, { version: deps.version })),
  });
  registerTenantRoutes(admin, deps.tenants);
  registerTokenRoutes(admin, deps.tenants);
  registerOperationsRoutes(admin, { sinks: deps.sinks, audit: deps.audit });
  registerConsoleRoutes(admin, {
    sessions: deps.consoleSessions,
    secureCookies: (request) => request.protocol === 'https' || publicOrigin?.startsWith('https:') === true,
  });
}
