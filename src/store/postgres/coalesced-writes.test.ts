import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, it, skipping } from '../testing/skippable.ts';
import { coalesceWrites } from './coalesced-writes.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from './testing.ts';

const options = await postgresTestOptions();

/** The socket writes (system calls) a client makes, counted where Node hands its buffers to the socket. */
function countWrites(client: pg.Client): () => number {
  const stream = (client as unknown as { connection: { stream: Record<string, (...args: unknown[]) => unknown> } }).connection.stream;
  let writes = 0;
  for (const hook of ['_write', '_writev'] as const) {
    const original = stream[hook]!.bind(stream);
    stream[hook] = (...args: unknown[]) => {
      writes++;
      return original(...args);
    };
  }
  return () => writes;
}

skipping(options.skip, () =>
  describe('PostgreSQL: what a client asks for in one turn of the event loop is one socket write (coalesced-writes.ts)', () => {
    let scratch: Scratch;
    before(async () => {
      scratch = await createTestDatabase();
    });
    after(() => scratch?.drop());

    async function threeStatements(coalesced: boolean): Promise<{ writes: number; answers: unknown[] }> {
      const client = new pg.Client({ connectionString: scratch.url, pipeline: true } as pg.ClientConfig);
      await client.connect();
      try {
        if (coalesced) coalesceWrites(client);
        const writes = countWrites(client);
        // Prepared statements, as scimd's: Bind, Execute and Sync each.
        const answers = await Promise.all(
          [1, 2, 3].map(async (n) => (await client.query({ name: `s${n}`, text: 'SELECT $1::int AS n', values: [n] })).rows[0]),
        );
        return { writes: writes(), answers };
      } finally {
        await client.end();
      }
    }

    it('three statements asked for at once leave in one write, and each gets its own answer', async () => {
      const { writes, answers } = await threeStatements(true);
      assert.deepEqual(answers, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      assert.equal(writes, 1);
    });

    it('without it pg writes them message by message', async () => {
      const { writes, answers } = await threeStatements(false);
      assert.deepEqual(answers, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      assert.ok(writes >= 3, `${writes} writes`);
    });
  }),
);
