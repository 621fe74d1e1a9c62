/**
 * scimd/consumer: keep a copy of a tenant's users, groups and memberships in your own database
 * (README.md beside this file).
 */
export { buildBatch, snapshotBatch } from './src/apply.ts';
export { type CheckedUser, checkPassword, type PasswordCheck, type PasswordCheckConnection } from './src/check-password.ts';
export { Consumer, type ConsumerLogger, type ConsumerOptions } from './src/consumer.ts';
export { parseEvent, type ScimEvent, sequenceOf } from './src/events.ts';
export { groupsOf, usersUnder } from './src/memberships.ts';
export {
  type Batch,
  type Copy,
  type Edge,
  keyOf,
  PositionConflictError,
  type ResourceKind,
  type StoredResource,
  type Target,
  versionOf,
} from './src/model.ts';
export { type ScimConnection, ScimRequestError, scimClient } from './src/scim.ts';
export { createSource } from './src/sources/index.ts';
export type { Deliver, Source } from './src/sources/source.ts';
export { verifySignature } from './src/sources/webhook.ts';
export { memoryTarget } from './src/targets/memory.ts';
export { type PostgresTargetOptions, postgresTarget } from './src/targets/postgres.ts';
export { type SqliteTargetOptions, sqliteTarget } from './src/targets/sqlite.ts';
