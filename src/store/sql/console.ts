import type { ConsoleLinkRecord, ConsoleSessionRecord, ConsoleStore } from '../ports/console.ts';
import { type Sql, sql } from './fragment.ts';
import { orUndefined } from './rows.ts';
import { hasNul, type RunSql } from './run.ts';

/** The console's links and sessions (migration 15) and its tenant overview, the same SQL on both databases. */

interface LinkRow {
  readonly id: string;
  readonly kind: 'sign-in' | 'setup';
  readonly tenant_id: string | null;
  readonly tenant_name: string | null;
  readonly label: string | null;
  readonly created_at: string;
  readonly expires_at: string;
  readonly used_at: string | null;
  readonly revoked_at: string | null;
}

const LINK_SELECT = sql`SELECT l.id, l.kind, l.tenant_id, t.name AS tenant_name, l.label, l.created_at, l.expires_at, l.used_at, l.revoked_at
  FROM console_links l LEFT JOIN tenants t ON t.id = l.tenant_id`;

function toLink(row: LinkRow): ConsoleLinkRecord {
  return {
    id: row.id,
    kind: row.kind,
    tenantId: orUndefined(row.tenant_id),
    tenantName: orUndefined(row.tenant_name),
    label: orUndefined(row.label),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: orUndefined(row.used_at),
    revokedAt: orUndefined(row.revoked_at),
  };
}

interface SessionRow {
  readonly actor: string;
  readonly tenant_id: string | null;
  readonly tenant_name: string | null;
  readonly link_id: string | null;
  readonly csrf: string;
  readonly expires_at: string;
  readonly seen_at: string;
}

const count = (value: unknown) => Number(value ?? 0);

/** The ConsoleStore both stores share. ISO 8601 UTC times compare as text on both databases. */
export function consoleQueries(run: RunSql): ConsoleStore {
  const one = async <R>(query: Sql) => (await run<R>(query))[0];
  return {
    async createConsoleLink(link) {
      await run(sql`INSERT INTO console_links (id, hash, kind, tenant_id, label, created_at, expires_at)
        VALUES (${link.id}, ${link.hash}, ${link.kind}, ${link.tenantId ?? null}, ${link.label ?? null}, ${link.createdAt}, ${link.expiresAt})`);
    },
    async useConsoleLink(hash, at) {
      // One statement: two browsers racing for a sign-in link cannot both mark it used.
      const used = await one<{ id: string }>(sql`UPDATE console_links SET used_at = ${at}
        WHERE hash = ${hash} AND expires_at > ${at} AND revoked_at IS NULL AND (kind = 'setup' OR used_at IS NULL)
        RETURNING id`);
      if (!used) return undefined;
      const row = await one<LinkRow>(sql`${LINK_SELECT} WHERE l.id = ${used.id}`);
      return row && toLink(row);
    },
    async listConsoleLinks(tenantId) {
      return (await run<LinkRow>(sql`${LINK_SELECT} WHERE l.tenant_id = ${tenantId} ORDER BY l.created_at DESC, l.id`)).map(toLink);
    },
    async revokeConsoleLink(id, at) {
      // Link ids are minted without U+0000, and PostgreSQL text cannot hold it: such an id names nothing.
      if (hasNul(id)) return false;
      const revoked = await run(sql`UPDATE console_links SET revoked_at = coalesce(revoked_at, ${at}) WHERE id = ${id} RETURNING id`);
      await run(sql`DELETE FROM console_sessions WHERE link_id = ${id}`);
      return revoked.length > 0;
    },
    async createConsoleSession(s) {
      await run(sql`INSERT INTO console_sessions (hash, actor, tenant_id, link_id, csrf, created_at, expires_at, seen_at)
        VALUES (${s.hash}, ${s.actor}, ${s.tenantId ?? null}, ${s.linkId ?? null}, ${s.csrf}, ${s.createdAt}, ${s.expiresAt}, ${s.createdAt})`);
    },
    async findConsoleSession(hash, at, idleSince) {
      const row = await one<SessionRow>(sql`SELECT s.actor, s.tenant_id, t.name AS tenant_name, s.link_id, s.csrf, s.expires_at, s.seen_at
        FROM console_sessions s LEFT JOIN tenants t ON t.id = s.tenant_id LEFT JOIN console_links l ON l.id = s.link_id
        WHERE s.hash = ${hash} AND s.expires_at > ${at} AND s.seen_at > ${idleSince} AND l.revoked_at IS NULL
          AND (s.tenant_id IS NULL OR t.id IS NOT NULL)`);
      if (!row) return undefined;
      const record: ConsoleSessionRecord = {
        actor: row.actor,
        tenantId: orUndefined(row.tenant_id),
        tenantName: orUndefined(row.tenant_name),
        linkId: orUndefined(row.link_id),
        csrf: row.csrf,
        expiresAt: row.expires_at,
        seenAt: row.seen_at,
      };
      return record;
    },
    async touchConsoleSession(hash, at) {
      await run(sql`UPDATE console_sessions SET seen_at = ${at} WHERE hash = ${hash} AND seen_at < ${at}`);
    },
    async deleteConsoleSession(hash) {
      await run(sql`DELETE FROM console_sessions WHERE hash = ${hash}`);
    },
    async pruneConsole(at, idleSince) {
      await run(sql`DELETE FROM console_sessions WHERE expires_at <= ${at} OR seen_at <= ${idleSince}`);
      await run(sql`DELETE FROM console_links WHERE expires_at <= ${at}`);
    },
    async tenantActivity(tenantId, sinceMs) {
      const types = await run<{ resource_type: string; n: unknown }>(
        sql`SELECT resource_type, count(*) AS n FROM resources WHERE tenant_id = ${tenantId} GROUP BY resource_type`,
      );
      const day = await one<{ requests: unknown; errors: unknown }>(sql`SELECT count(*) AS requests,
          coalesce(sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS errors
        FROM request_log WHERE tenant_id = ${tenantId} AND time_ms >= ${sinceMs}`);
      const last = await one<{ time: string; client: string; status: number; user_agent: string | null }>(
        sql`SELECT time, client, status, user_agent FROM request_log WHERE tenant_id = ${tenantId} ORDER BY seq DESC LIMIT 1`,
      );
      return {
        users: count(types.find((t) => t.resource_type === 'User')?.n),
        groups: count(types.find((t) => t.resource_type === 'Group')?.n),
        requests: count(day?.requests),
        errors: count(day?.errors),
        lastRequest: last && { time: last.time, client: last.client, status: last.status, userAgent: orUndefined(last.user_agent) },
      };
    },
    async tenantDelivery(tenantId, sinks) {
      const latest = await one<{ latest: unknown }>(sql`SELECT max(sequence) AS latest FROM outbox WHERE tenant_id = ${tenantId}`);
      const counter = await one<{ last: unknown }>(sql`SELECT last_sequence AS last FROM outbox_counters WHERE tenant_id = ${tenantId}`);
      const out = [];
      for (const sink of sinks) {
        const cursor = await one<{ delivered: unknown }>(
          sql`SELECT delivered_sequence AS delivered FROM outbox_delivery WHERE sink = ${sink} AND tenant_id = ${tenantId}`,
        );
        const delivered = count(cursor?.delivered);
        const pending = await one<{ n: unknown; oldest: string | null }>(
          sql`SELECT count(*) AS n, min(time) AS oldest FROM outbox WHERE tenant_id = ${tenantId} AND sequence > ${delivered}`,
        );
        out.push({
          sink,
          deliveredSequence: delivered,
          pending: count(pending?.n),
          oldestPendingTime: orUndefined(pending?.oldest ?? null),
        });
      }
      return { latestSequence: Math.max(count(latest?.latest), count(counter?.last)), sinks: out };
    },
  };
}
