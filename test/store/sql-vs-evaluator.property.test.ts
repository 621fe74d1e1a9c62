import { openStore } from '../../src/store/open.ts';
import { sqlVsEvaluatorSuite } from './sql-vs-evaluator.ts';

sqlVsEvaluatorSuite('SQL filter compiler agrees with the in-memory evaluator (docs/filtering.md)', () => openStore('sqlite::memory:'));
