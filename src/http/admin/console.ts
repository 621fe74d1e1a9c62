import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../errors/scim-error.ts';
import type { ConsoleSessions, OpenedSession } from '../../service/console-sessions.ts';
import { clearSessionCookie, sessionSecretOf, setSessionCookie } from './console-auth.ts';
import { DURATION, TENANT_NAME_PARAMS } from './models.ts';

const tags = ['console'];

const SESSION = {
  type: 'object',
  required: ['actor', 'csrfToken', 'expiresAt'],
  properties: {
    actor: { type: 'string', description: 'who the session acts as (an admin token id, the sign-in link, a setup link)' },
    tenant: { type: ['string', 'null'], description: 'set for a setup session: the one tenant it sees' },
    csrfToken: { type: 'string', description: 'send it in X-CSRF-Token with every state-changing call' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

const SETUP_LINK = {
  type: 'object',
  required: ['id', 'tenant', 'createdAt', 'expiresAt', 'state'],
  properties: {
    id: { type: 'string' },
    tenant: { type: 'string' },
    label: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
  },
} as const;

const view = (s: OpenedSession | { actor: string; tenant: { name: string } | undefined; csrf: string; expiresAt: string }) => ({
  actor: s.actor,
  tenant: s.tenant?.name ?? null,
  csrfToken: s.csrf,
  expiresAt: s.expiresAt,
});

/** Sign-in, the session, sign-out, and the setup links an operator hands to a customer. */
export function registerConsoleRoutes(
  admin: FastifyInstance,
  deps: { readonly sessions: ConsoleSessions; readonly secureCookies: (request: FastifyRequest) => boolean },
): void {
  admin.post('/console/session', {
    config: { public: true },
    schema: {
      summary: 'Sign in to the console',
      description:
        'Exchanges an admin token (SCIMD_ADMIN_TOKEN or scimd_admin_…), a one-time sign-in link or a setup link for a session: an HttpOnly, SameSite=Strict cookie, and a CSRF token to send with every state-changing call. The token is checked once and never kept.',
      tags,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { token: { type: 'string', maxLength: 512 }, link: { type: 'string', maxLength: 512 } },
      },
      response: { 201: { description: 'Signed in', ...SESSION } },
    },
    handler: async (request, reply) => {
      const body = request.body as { token?: string; link?: string };
      if ((body.token === undefined) === (body.link === undefined)) throw badRequest('send either token or link');
      const session =
        body.token !== undefined ? await deps.sessions.signInWithToken(body.token) : await deps.sessions.signInWithLink(body.link!);
      setSessionCookie(reply, session.secret, session.maxAgeSeconds, deps.secureCookies(request));
      return reply.code(201).send(view(session));
    },
  });

  admin.get('/console/session', {
    config: { setupAccess: 'session' },
    schema: {
      summary: 'The current console session',
      description: 'Who the session acts as, the tenant of a setup session, and its CSRF token. Signed in with a bearer token: 400.',
      tags,
      response: { 200: SESSION },
    },
    handler: async (request) => {
      if (!request.consoleSession) throw badRequest('this request carries no console session (it authenticated with a bearer token)');
      return view(request.consoleSession);
    },
  });

  admin.delete('/console/session', {
    config: { setupAccess: 'session' },
    schema: { summary: 'Sign out of the console', tags, response: { 204: { description: 'Signed out', type: 'null' } } },
    handler: async (request, reply) => {
      const secret = sessionSecretOf(request);
      if (secret !== undefined) await deps.sessions.signOut(secret);
      clearSessionCookie(reply, deps.secureCookies(request));
      return reply.code(204).send();
    },
  });

  admin.get('/tenants/:name/setup-links', {
    schema: {
      summary: "A tenant's setup links",
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: { type: 'object', properties: { links: { type: 'array', items: SETUP_LINK } } } },
    },
    handler: async (request) => {
      const name = (request as FastifyRequest<{ Params: { name: string } }>).params.name;
      const now = Date.now();
      const links = await deps.sessions.listSetupLinks(name);
      return {
        links: links.map((l) => ({
          id: l.id,
          tenant: l.tenantName ?? name,
          label: l.label ?? null,
          createdAt: l.createdAt,
          expiresAt: l.expiresAt,
          state: l.revokedAt ? 'revoked' : Date.parse(l.expiresAt) <= now ? 'expired' : 'active',
        })),
      };
    },
  });

  admin.post('/tenants/:name/setup-links', {
    schema: {
      summary: "Create a setup link for a tenant's customer",
      description:
        "Whoever opens the link sees this tenant's setup guide, tokens, request log and users, and nothing else, until it expires or is revoked. The link (with its secret) is in this answer only.",
      tags,
      params: TENANT_NAME_PARAMS,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['expires'],
        properties: { expires: DURATION, label: { type: 'string', maxLength: 200 } },
      },
      response: {
        201: {
          description: 'Created',
          type: 'object',
          required: ['id', 'link', 'expiresAt'],
          properties: {
            id: { type: 'string' },
            link: { type: 'string', description: 'the URL to hand over: /console/#setup=…' },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    handler: async (request, reply) => {
      const { params, body } = request as FastifyRequest<{ Params: { name: string }; Body: { expires: string; label?: string } }>;
      const link = await deps.sessions.mintSetupLink(params.name, body.expires, body.label);
      const origin = `${request.protocol}://${request.host}`;
      return reply.code(201).send({ id: link.id, link: `${origin}/console/#setup=${link.secret}`, expiresAt: link.expiresAt });
    },
  });

  admin.delete('/setup-links/:id', {
    schema: {
      summary: 'Revoke a setup link',
      description: 'The link stops working and the sessions it opened end at once.',
      tags,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'the link id (lnk_…)' } } },
      response: { 204: { description: 'Revoked', type: 'null' } },
    },
    handler: async (request, reply) => {
      await deps.sessions.revokeSetupLink((request as FastifyRequest<{ Params: { id: string } }>).params.id);
      return reply.code(204).send();
    },
  });
}
