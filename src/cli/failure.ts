import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MigrationError } from '../store/sql/migration.ts';
import { databaseTarget } from './database-target.ts';

/**
 * A failure to start, said in one line: what failed, where, and the cause. Exit code 2 when the
 * configuration must change before a retry can succeed (a host that does not resolve, a database
 * that does not exist, a path under a file, permissions), 1 when a retry may succeed as it is
 * (the port is taken, the database does not answer, a migration failed): a supervisor can restart
 * on 1 and stop on 2 (docs/deploy.md).
 */
export class StartupFailure extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2, cause: unknown) {
    super(message, { cause });
    this.name = 'StartupFailure';
    this.exitCode = exitCode;
  }
}

type Cause = readonly [text: string, exitCode: 1 | 2];

/** What a system error code means to an operator, and whether retrying could help. */
const SYSTEM_CAUSES: Readonly<Record<string, Cause>> = {
  EADDRINUSE: ['the address is already in use by another process', 1],
  EADDRNOTAVAIL: ["the address is not one of this machine's", 2],
  EACCES: ['permission denied', 2],
  EPERM: ['operation not permitted', 2],
  ENOTFOUND: ['the host name does not resolve', 2],
  EAI_AGAIN: ['the host name could not be resolved now, a temporary DNS failure', 1],
  ECONNREFUSED: ['connection refused, nothing listens there', 1],
  ECONNRESET: ['the connection was reset', 1],
  ETIMEDOUT: ['no answer in time', 1],
  EHOSTUNREACH: ['the host is unreachable', 1],
  ENETUNREACH: ['the network is unreachable', 1],
  ENOTDIR: ['a part of the path is a file, not a directory', 2],
  // mkdir -p of a directory that exists as a file.
  EEXIST: ['a part of the path is a file, not a directory', 2],
  EISDIR: ['it is a directory', 2],
  EROFS: ['the file system is read-only', 2],
  ENOSPC: ['no space left on the device', 1],
};

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The driver's error under the store's (StoreUnavailableError keeps it as its cause). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  return current;
}

function systemCause(error: unknown, fallback: 1 | 2): Cause {
  const code = codeOf(error);
  const known = code === undefined ? undefined : SYSTEM_CAUSES[code];
  return known ? [`${known[0]} (${code})`, known[1]] : [messageOf(error), fallback];
}

/** `scimd serve` could not listen on SCIMD_HOST:SCIMD_PORT. */
export function listenFailure(host: string, port: number, error: unknown): StartupFailure {
  const [cause, exitCode] = systemCause(error, 1);
  return new StartupFailure(`cannot listen on ${host}:${port}: ${cause}`, exitCode, error);
}

/** Host, port, database and user of a PostgreSQL URL, with the driver's defaults. */
function postgresTarget(databaseUrl: string) {
  const url = new URL(databaseUrl);
  const user = decodeURIComponent(url.username) || process.env['PGUSER'] || 'postgres';
  return {
    where: `${url.hostname || 'localhost'}:${url.port || '5432'}`,
    database: decodeURIComponent(url.pathname.slice(1)) || user,
    user,
  };
}

/** PostgreSQL's SQLSTATE classes an operator must act on (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
function postgresFailure(databaseUrl: string, error: unknown): StartupFailure {
  const cause = rootCause(error);
  const code = codeOf(cause);
  const { where, database, user } = postgresTarget(databaseUrl);
  if (code === '3D000') {
    return new StartupFailure(
      `PostgreSQL at ${where} has no database "${database}": create it (CREATE DATABASE "${database}") or correct SCIMD_DATABASE_URL`,
      2,
      error,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new StartupFailure(`PostgreSQL at ${where} refused user "${user}" on database "${database}": ${messageOf(cause)}`, 2, error);
  }
  if (code === '42501') {
    return new StartupFailure(
      `PostgreSQL at ${where}: user "${user}" lacks a privilege on database "${database}": ${messageOf(cause)}`,
      2,
      error,
    );
  }
  if (/timeout/i.test(messageOf(cause)) && code === undefined) {
    return new StartupFailure(`cannot connect to PostgreSQL at ${where}: no answer within connect_timeout`, 1, error);
  }
  const [text, exitCode] = systemCause(cause, 1);
  return new StartupFailure(`cannot connect to PostgreSQL at ${where}: ${text}`, exitCode, error);
}

/** Why a SQLite file could not be opened, checked on the file system: the driver only says "unable to open database file". */
function sqliteCause(file: string, error: unknown): Cause {
  const code = codeOf(error);
  if (code === 'SQLITE_NOTADB') return ['it is not a SQLite database (SQLITE_NOTADB)', 2];
  if (code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_READONLY') return systemCause(error, 2);
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) return [SYSTEM_CAUSES['EISDIR']![0], 2];
    accessSync(dirname(file), constants.W_OK);
  } catch {
    return [`permission denied: cannot write in ${dirname(file)} (EACCES)`, 2];
  }
  return [`${messageOf(error)} (${code})`, 2];
}

/**
 * A failure to open or migrate the configured database, as one line that names it. Errors that are
 * not about the database (a bug) are returned as they are.
 */
export function databaseFailure(databaseUrl: string, error: unknown): unknown {
  const target = databaseTarget(databaseUrl);
  if (error instanceof MigrationError) {
    return new StartupFailure(`cannot migrate the database ${target.display}: ${error.message}`, 1, error);
  }
  if (target.file !== undefined) {
    const [cause, exitCode] = sqliteCause(target.file, error);
    return new StartupFailure(`cannot open the SQLite database ${target.file}: ${cause}`, exitCode, error);
  }
  if (databaseUrl.startsWith('postgres')) return postgresFailure(databaseUrl, error);
  return error;
}
