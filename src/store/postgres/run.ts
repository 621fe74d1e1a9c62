import type { QueryResultRow } from 'pg';
import type { Sql } from '../sql/fragment.ts';

/** Runs one statement (a text with numbered placeholders, or a fragment) on the pool or in a transaction, and answers its rows. */
export type Run = <R extends QueryResultRow = QueryResultRow>(text: string | Sql, values?: readonly unknown[]) => Promise<R[]>;
