import { sqlVsEvaluatorSuite } from '../../../test/store/sql-vs-evaluator.ts';
import { openStore } from '../open.ts';
import { after, skipping } from '../testing/skippable.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from './testing.ts';

// The same property as for SQLite (test/store/sql-vs-evaluator.ts), in a database of its own.
const options = await postgresTestOptions();
let scratch: Scratch | undefined;
after(async () => scratch?.drop());

skipping(options.skip, () =>
  sqlVsEvaluatorSuite('SQL filter compiler agrees with the in-memory evaluator on PostgreSQL (docs/filtering.md)', async () => {
    scratch = await createTestDatabase();
    return openStore(scratch.url);
  }),
);
