import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/load.ts';
import { createServer, type Server, type ServerOptions } from '../../src/server.ts';

export interface Reply {
  readonly status: number;
  readonly headers: LightMyRequestResponse['headers'];
  // Tests read arbitrary SCIM JSON; `any` keeps assertions readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly raw: string;
}

export interface RequestOptions {
  readonly token?: string | null;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface Harness {
  readonly server: Server;
  /** Tokens of two tenants, "acme" and "globex", for isolation tests. */
  readonly tokenA: string;
  readonly tokenB: string;
  readonly base: string;
  request(method: string, url: string, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * A fresh, empty database for one harness: in-memory SQLite by default; with
 * SCIMD_TEST_DATABASE_URL=postgres://… (npm run test:postgres), a schema of its own in that
 * database, dropped on close.
 */
async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const target = process.env['SCIMD_TEST_DATABASE_URL'];
  if (target === undefined || target === '' || target.startsWith('sqlite:')) {
    return { url: target || 'sqlite::memory:', drop: async () => undefined };
  }
  const { createTestSchema } = await import('../../src/store/postgres/testing.ts');
  const scratch = await createTestSchema(target);
  // The production bounds (2 s to connect, 5 s a statement: docs/postgresql.md) take a slow answer
  // for a database gone and open the outage guard (every request 503 until a probe answers). On
  // two cores shared by several test runs a connection can take longer than 2 s: load, not an
  // outage. The outage tests (test/postgres) set their own bounds.
  const url = new URL(scratch.url);
  url.searchParams.set('connect_timeout', '30');
  url.searchParams.set('statement_timeout', '60000');
  return { url: url.toString(), drop: scratch.drop };
}

export interface HarnessOptions {
  /** The server's clock, for tests that move time (cursor expiry). */
  readonly clock?: () => Date;
  /** Fastify logger options (e.g. a pino destination stream), for tests that read the logs. */
  readonly logger?: Record<string, unknown>;
  /** More server options (relay tuning, long-poll wait). */
  readonly server?: Omit<ServerOptions, 'clock' | 'store'>;
}

/** A server on a fresh database (scratchDatabase), driven through Fastify's inject (no sockets). */
export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const database =
    env['SCIMD_DATABASE_URL'] === undefined ? await scratchDatabase() : { url: env['SCIMD_DATABASE_URL'], drop: async () => undefined };
  const config = loadConfig({ SCIMD_PUBLIC_URL: 'https://scim.example.com', ...env, SCIMD_DATABASE_URL: database.url });
  const server = await createServer(config, {
    ...options.server,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await server.tenants.createTenant('acme');
  await server.tenants.createTenant('globex');
  const tokenA = (await server.tenants.mintToken('acme')).token;
  const tokenB = (await server.tenants.mintToken('globex')).token;
  const base = config.basePath;

  async function request(method: string, url: string, options: RequestOptions = {}): Promise<Reply> {
    const token = options.token === undefined ? tokenA : options.token;
    const headers: Record<string, string> = { ...(token !== null ? { authorization: `Bearer ${token}` } : {}) };
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] = 'application/scim+json';
    Object.assign(headers, options.headers);
    const response = await server.app.inject({
      method: method as 'GET',
      url: url.startsWith('/') && !url.startsWith(base) && !/^\/(healthz|readyz|metrics)\b/.test(url) ? `${base}${url}` : url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    let body: unknown;
    try {
      body = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, headers: response.headers, body, raw: response.body };
  }

  return {
    server,
    tokenA,
    tokenB,
    base,
    request,
    close: async () => {
      await server.close();
      await database.drop();
    },
  };
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An Entra-shaped user body. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName,
    externalId: `ext-${userName}`,
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    displayName: `Display ${userName}`,
    emails: [
      { value: `${userName}`, type: 'work', primary: true },
      { value: `home.${userName}`, type: 'home' },
    ],
    active: true,
    [ENTERPRISE]: { department: 'Sales', employeeNumber: '701984' },
    ...extra,
  };
}

export function groupBody(displayName: string, members: string[] = [], extra: Record<string, unknown> = {}) {
  return { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })), ...extra };
}
