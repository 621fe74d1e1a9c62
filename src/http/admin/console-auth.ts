import type { FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../../errors/scim-error.ts';
import type { AdminPrincipal } from '../../service/admin-tokens.ts';
import { type ConsoleSession, type ConsoleSessions, csrfMatches } from '../../service/console-sessions.ts';
import type { TenantService } from '../../service/tenants.ts';

/** What a route of the admin API lets a customer's setup session (one tenant) do; absent: nothing. */
export type SetupAccess = 'tenant' | 'token' | 'session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * 'tenant': a setup session may call it for its own tenant (the `:name` parameter);
     * 'token': for a SCIM token of its own tenant (the `:id` parameter); 'session': always.
     */
    readonly setupAccess?: SetupAccess;
  }
  interface FastifyRequest {
    /** The console session the request came with, when it authenticated by cookie. */
    consoleSession: ConsoleSession | null;
  }
}

export const SESSION_COOKIE = 'scimd_console';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionSecretOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** HttpOnly, SameSite=Strict, scoped to /admin; Secure when the console is reached over https. */
export function setSessionCookie(reply: FastifyReply, secret: string, maxAge: number, secure: boolean): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${secret}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`,
  );
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`);
}

const forbidden = (detail: string) => new ScimError(403, undefined, detail);

/**
 * Authenticates an admin API request by its console session cookie (a bearer token, when sent,
 * is checked by the caller instead): the session must be valid; a state-changing method must
 * carry the session's CSRF token and, when the browser says where it comes from, our origin;
 * a setup session may only call the routes that allow it, for its own tenant.
 */
export async function authenticateBySession(
  request: FastifyRequest,
  deps: { readonly consoleSessions: ConsoleSessions; readonly tenants: TenantService; readonly publicOrigin: string | undefined },
): Promise<AdminPrincipal | undefined> {
  const secret = sessionSecretOf(request);
  if (secret === undefined) return undefined;
  const session = await deps.consoleSessions.find(secret);
  if (!session) {
    throw new ScimError(401, undefined, 'the console session has expired or was ended: sign in again');
  }
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (!csrfMatches(typeof sent === 'string' ? sent : undefined, session.csrf)) {
      throw forbidden(`a state-changing call of the console must send the session's CSRF token in ${CSRF_HEADER}`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}` && origin !== deps.publicOrigin) {
      throw forbidden(`requests from ${origin.slice(0, 100)} are refused`);
    }
  }
  if (session.tenant) await checkSetupScope(request, session.tenant, deps.tenants);
  request.consoleSession = session;
  return { tokenId: session.actor };
}

async function checkSetupScope(request: FastifyRequest, tenant: { id: string; name: string }, tenants: TenantService): Promise<void> {
  const access = request.routeOptions.config.setupAccess;
  const params = (request.params ?? {}) as { name?: unknown; id?: unknown };
  const refuse = () => forbidden(`this setup link shows tenant "${tenant.name}" only`);
  if (access === 'session') return;
  if (access === 'tenant' && params.name === tenant.name) return;
  if (access === 'token' && typeof params.id === 'string') {
    const own = await tenants.listTokens(tenant.name);
    if (own.some((t) => t.id === params.id)) return;
  }
  throw refuse();
}
