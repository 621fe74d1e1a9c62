import { ScimError } from '../../errors/scim-error.ts';

/**
 * The database cannot be reached (refused, dropped, shutting down, pool exhausted, timed out).
 * RFC 7231 §6.6.4: 503 with Retry-After; the HTTP layer renders it as a SCIM error body like any
 * other ScimError. The pool reconnects on its own when the database returns.
 */
export class StoreUnavailableError extends ScimError {
  /** The driver's error, for the log and for the CLI's start-up message (host, port, cause); never in a response. */
  override readonly cause: unknown;

  constructor(detail = 'the database is not available; retry later', retryAfterSeconds = 5, cause?: unknown) {
    super(503, undefined, detail, { 'retry-after': String(retryAfterSeconds) });
    this.name = 'StoreUnavailableError';
    this.cause = cause;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * SQLSTATEs that mean "the server is not serving us now", not "this statement is wrong":
 * class 08 (connection exception), 57P01–57P03 (admin/crash shutdown, cannot connect now),
 * 53300 (too many connections), 57014 (statement_timeout fired: overloaded or locked).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
// "timeout expired": a connect timeout of a client outside the pool (pipelined reads, migrations).
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connection timeout|timeout expired|Cannot use a pool after calling end/i;

export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && DRIVER_MESSAGES.test(message);
}

/**
 * The database did not answer in time, or its host cannot be reached: a client-side timeout
 * (connecting, waiting for a statement's answer well after the server's own statement_timeout), not a refusal or an error the server sent. What opens the
 * OutageGuard (outage.ts).
 */
const UNRESPONSIVE_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
// Not pg-pool's "timeout exceeded when trying to connect": that is a request that waited too long
// for a pooled connection while all of them were busy, a saturated pool (a burst, a slow machine),
// not a silent database. Taking it for silence turned every burst into a second of 503s for all.
const TIMEOUT_MESSAGES = /Query read timeout|Connection terminated due to connection timeout|timeout expired/;

export function isUnresponsive(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNRESPONSIVE_CODES.has(code)) return true;
  return typeof message === 'string' && TIMEOUT_MESSAGES.test(message);
}

/**
 * The connection broke with a statement possibly on its way (a reset socket, a terminated
 * backend, a failover): unlike a refusal, a timeout or an error the server answered, the
 * statement may have been carried out, COMMIT included, with the answer lost. What makes a create
 * find out whether it committed (PostgresStore.create).
 */
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '08003', '08006']);
const LOST_MESSAGES = /Connection terminated unexpectedly|Client has encountered a connection error/;

export function isLostInFlight(error: unknown): boolean {
  const cause = error instanceof StoreUnavailableError ? error.cause : error;
  if (typeof cause !== 'object' || cause === null) return false;
  const { code, message } = cause as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && LOST_CODES.has(code)) return true;
  return typeof message === 'string' && LOST_MESSAGES.test(message);
}

/** The PostgreSQL SQLSTATE of a driver error, if any. */
export const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
