import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it, skipping } from '../testing/skippable.ts';
import { PostgresConnection } from './connection.ts';
import { inJsonbOrder } from './dialect.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from './testing.ts';

const options = await postgresTestOptions();

/**
 * An update answers with its document in the order a later GET reads it (writes.ts asStored),
 * computed rather than read back with RETURNING: the order must be jsonb's exactly, nested
 * objects, keys of equal length, non-ASCII keys and "__proto__" included.
 */
skipping(options.skip, () =>
  describe('inJsonbOrder: the key order PostgreSQL gives a jsonb document back in', () => {
    let scratch: Scratch;
    let connection: PostgresConnection;
    before(async () => {
      scratch = await createTestDatabase();
      connection = new PostgresConnection({ connectionString: scratch.url, poolSize: 1, readConnections: 0 });
    });
    after(async () => {
      await connection?.close();
      await scratch?.drop();
    });

    const key = fc.oneof(
      fc.constantFrom(
        'id',
        'userName',
        'name',
        'emails',
        'a',
        'b',
        'ab',
        'ba',
        'Z',
        'z',
        '10',
        '9',
        '__proto__',
        'é',
        'e\u0301',
        '😀',
        '\uffff',
      ),
      fc.string({ maxLength: 6, unit: 'binary' }).filter((k) => !k.includes('\u0000')),
    );
    const text = fc.string({ maxLength: 8 }).filter((t) => !t.includes('\u0000'));
    const { doc } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.boolean(),
        fc.integer(),
        fc.constant(null),
        tie('doc'),
        fc.array(tie('value'), { maxLength: 3 }),
      ),
      doc: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    }));

    it('matches what PostgreSQL returns for random documents', async () => {
      await fc.assert(
        fc.asyncProperty(doc, async (written) => {
          const [row] = await connection.run<{ doc: unknown }>('SELECT CAST($1::text AS jsonb) AS doc', [JSON.stringify(written)]);
          assert.equal(JSON.stringify(inJsonbOrder(written)), JSON.stringify(row!.doc));
        }),
        { numRuns: 300 },
      );
    });

    it('orders shorter keys first, then by UTF-8 bytes, at every depth', () => {
      const ordered = inJsonbOrder({
        userName: 'x',
        id: 'y',
        name: { givenName: 'g', formatted: 'f' },
        emails: [{ value: 'v', type: 't' }],
        é: 1,
        z: 2,
      });
      assert.equal(
        JSON.stringify(ordered),
        '{"z":2,"id":"y","é":1,"name":{"formatted":"f","givenName":"g"},"emails":[{"type":"t","value":"v"}],"userName":"x"}',
      );
    });
  }),
);
