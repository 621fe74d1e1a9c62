import type { MemberFormat, MembersRead } from '../ports/resources.ts';
import type { SqlDialect } from './dialect.ts';
import { join, raw, type Sql, sql } from './fragment.ts';
import { limit } from './rows.ts';

/**
 * A group's members read for a response, a chunk at a time (docs/performance.md, "Big groups"),
 * the same SQL on both databases. A chunk is a seek on memberships_group (migration 30), so chunk
 * n costs what chunk 1 does and nothing is sorted. The tenant is checked on the member's row: a
 * group's members are in its tenant, and the index need not hold tenant ids. The database writes
 * the members' JSON text itself, as the format says: per member that is a third of the work of
 * handing the values to JavaScript and writing them there.
 */

/** Members per chunk: a group of up to this many is read in one statement, without a snapshot. */
export const MEMBER_CHUNK = 1000;

/** A chunk as its statement returns it: how many members, the position of the last, their JSON text. */
export type ChunkRow = readonly [count: number, last: number | null, json: string | null];

/**
 * The `MEMBER_CHUNK` members of the group row `groupRow` after position `afterSeq`, as one row
 * (ChunkRow): `{"value":…,"$ref":…,"display":…,"type":…}` each, with only the sub-attributes
 * `format` names, in the order `reference` (src/service/representation.ts) writes them,
 * separated by commas. `display` is left out for a member that has none.
 */
export function memberChunk(dialect: SqlDialect, tenantId: string, groupRow: number, afterSeq: number, format: MemberFormat): Sql {
  const id = dialect.jsonString(raw('o.id'));
  const parts: Sql[] = [];
  if (format.value) parts.push(sql`',"value":' || ${id}`);
  // The prefix is '"https://host/scim/v2/Users/' (opening quote, escaped text); the id's JSON text follows without its own opening quote.
  if (format.ref) {
    parts.push(
      sql`',"$ref":' || (CASE m.member_type WHEN 'Group' THEN ${format.ref.Group} ELSE ${format.ref.User} END) || substr(${id}, 2)`,
    );
  }
  if (format.display) parts.push(sql`coalesce(',"display":' || ${dialect.jsonString(raw('o.ref_display'))}, '')`);
  if (format.type) parts.push(sql`',"type":' || ${dialect.jsonString(raw('m.member_type'))}`);
  const entry = parts.length === 0 ? raw(`'{}'`) : sql`'{' || substr(${join(parts, ' || ')}, 2) || '}'`;
  return sql`SELECT count(*), max(c.seq), string_agg(c.entry, ',' ORDER BY c.seq) FROM (
    SELECT m.seq, ${entry} AS entry
    FROM memberships m JOIN resources o ON o.row_key = m.member_row
    WHERE m.group_row = ${groupRow} AND m.seq > ${afterSeq} AND o.tenant_id = ${tenantId}
    ORDER BY m.seq LIMIT ${limit(MEMBER_CHUNK)}) c`;
}

/** The reads of one group: its row, and its member chunks. */
export interface GroupReads<R> {
  find(): Promise<R | undefined>;
  chunk(row: R, afterSeq: number): Promise<ChunkRow>;
}

/** Reads in one snapshot of the database (a read-only transaction), ended by `end`. */
export interface SnapshotReads<R> extends GroupReads<R> {
  end(): Promise<void>;
}

/**
 * A group with its members, read the cheap way when they fit in one chunk (the group row and its
 * first chunk, as any GET reads them), else again in a snapshot that the chunks are read from one
 * after the other, so that the members streamed are those of one version of the group however
 * long the client takes to read them.
 */
export async function readMembers<R>(
  plain: GroupReads<R>,
  snapshot: () => Promise<SnapshotReads<R>>,
  toResource: (row: R) => MembersRead['group'],
): Promise<MembersRead | undefined> {
  const row = await plain.find();
  if (row === undefined) return undefined;
  const [count, , json] = await plain.chunk(row, 0);
  if (count < MEMBER_CHUNK) {
    let pending = json ?? undefined;
    return {
      group: toResource(row),
      next: async () => {
        const chunk = pending;
        pending = undefined;
        return chunk;
      },
      close: async () => {
        pending = undefined;
      },
    };
  }
  const reads = await snapshot();
  let current: R | undefined;
  try {
    current = await reads.find();
  } catch (error) {
    await reads.end();
    throw error;
  }
  if (current === undefined) {
    await reads.end();
    return undefined;
  }
  const group = current;
  let after = 0;
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    await reads.end();
  };
  return {
    group: toResource(group),
    next: async () => {
      if (finished) return undefined;
      let chunk: ChunkRow;
      try {
        chunk = await reads.chunk(group, after);
      } catch (error) {
        await finish().catch(() => undefined);
        throw error;
      }
      const [n, last, text] = chunk;
      if (n < MEMBER_CHUNK) await finish();
      if (n === 0 || last === null || text === null) return undefined;
      after = last;
      return text;
    },
    close: finish,
  };
}
