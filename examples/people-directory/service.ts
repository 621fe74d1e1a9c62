// A downstream service of scimd: keeps a PostgreSQL table of people and their groups from
// RabbitMQ with scimd/consumer, and answers GET /people from it. Everything it knows about users
// and groups comes from the events; it never calls the SCIM API except for its first snapshot.
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { Consumer, postgresTarget } from 'scimd/consumer';

export interface PeopleDirectoryOptions {
  /** scimd's SCIM base URL and a token of the tenant. */
  readonly scimUrl: string;
  readonly scimToken: string;
  readonly tenant: string;
  /** The sink URL scimd publishes to (SCIMD_EVENT_SINKS). */
  readonly rabbitUrl: string;
  /** This service's own database. */
  readonly databaseUrl: string;
  /** Where GET /people answers (port 0: any free one). */
  readonly port: number;
}

/** The view the service reads: one row per person, with their groups (direct and through nesting). */
const PEOPLE_VIEW = `
  CREATE OR REPLACE VIEW people AS
  SELECT u.tenant, u.id, u.user_name, u.display_name, u.active,
         coalesce(json_agg(json_build_object('id', g.id, 'name', g.display_name, 'type', ug.type) ORDER BY g.display_name)
                  FILTER (WHERE g.id IS NOT NULL), '[]') AS groups
  FROM scim_users u
  LEFT JOIN scim_user_groups ug ON ug.tenant = u.tenant AND ug.user_id = u.id
  LEFT JOIN scim_groups g ON g.tenant = ug.tenant AND g.id = ug.group_id
  GROUP BY u.tenant, u.id, u.user_name, u.display_name, u.active`;

export async function startPeopleDirectory(options: PeopleDirectoryOptions) {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
  const target = await postgresTarget(pool);
  await pool.query(PEOPLE_VIEW);
  const consumer = new Consumer({
    scim: { url: options.scimUrl, token: options.scimToken },
    tenant: options.tenant,
    target,
    source: options.rabbitUrl,
    subscription: `people-directory.${options.tenant}`,
    logger: { info: (m, d) => console.log(`[people] ${m}`, d ?? ''), warn: (m, d) => console.warn(`[people] ${m}`, d ?? '') },
  });
  await consumer.start();

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/people') {
      res.writeHead(404).end();
      return;
    }
    pool
      .query('SELECT id, user_name, display_name, active, groups FROM people WHERE tenant = $1 ORDER BY user_name', [options.tenant])
      .then((r) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r.rows, null, 2)))
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/people`,
    consumer,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await consumer.stop();
      await pool.end();
    },
  };
}
