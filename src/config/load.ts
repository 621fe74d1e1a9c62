import { type Config, type ConsoleSessionConfig, DEFAULTS, type HttpTimeouts, type RequestLogConfig, SINK_SCHEMES } from './config.ts';
import { DEFAULT_REQUEST_LIMITS as LIMITS, type RequestLimits } from './request-limits.ts';

/** A configuration value that cannot be used; the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function basePath(raw: string): string {
  if (!/^\/?[A-Za-z0-9._~\-/]*$/.test(raw)) throw new ConfigError(`SCIMD_BASE_PATH must be a URL path, got "${raw}"`);
  const trimmed = raw.replace(/\/+$/, '');
  const withSlash = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return withSlash === '/' ? '' : withSlash;
}

function publicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`SCIMD_PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`SCIMD_PUBLIC_URL must be an http or https URL, got "${raw}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** PostgreSQL's own databases: migrating scimd's tables into one of them is always a mistake. */
const MAINTENANCE_DATABASES = ['postgres', 'template0', 'template1'];

function databaseUrl(raw: string): string {
  if (/^sqlite:/.test(raw)) return raw;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(`SCIMD_DATABASE_URL must start with sqlite: or postgres://, got "${raw}"`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SCIMD_DATABASE_URL is not a valid URL');
  }
  // Without a path, PostgreSQL connects to the database named like the user: "postgres" for the usual superuser.
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username);
  if (MAINTENANCE_DATABASES.includes(database)) {
    throw new ConfigError(
      `SCIMD_DATABASE_URL names PostgreSQL's maintenance database "${database}": create a database for scimd (CREATE DATABASE scimd) and name it in the URL`,
    );
  }
  return raw;
}

function eventSinks(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        throw new ConfigError(`SCIMD_EVENT_SINKS: "${s.replace(/\/\/[^@/]*@/, '//***@')}" is not a URL`);
      }
      if (!SINK_SCHEMES.includes(url.protocol)) {
        throw new ConfigError(
          `SCIMD_EVENT_SINKS: unsupported scheme ${url.protocol}// (use ${SINK_SCHEMES.map((p) => `${p}//`).join(' ')})`,
        );
      }
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !new URLSearchParams(url.hash.slice(1)).get('secret')) {
        throw new ConfigError(`SCIMD_EVENT_SINKS: the webhook ${url.origin}${url.pathname} needs a signing secret: append #secret=…`);
      }
      return s;
    });
}

function eventContract(raw: string | undefined): 1 | 2 {
  if (raw === undefined) return DEFAULTS.eventContract;
  if (raw === '1' || raw === '2') return raw === '1' ? 1 : 2;
  throw new ConfigError(`SCIMD_EVENT_CONTRACT must be 1 or 2, got "${raw}"`);
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

/** SCIMD_RATE_LIMIT_<SCOPE> requests/s (0 = off) and SCIMD_RATE_LIMIT_<SCOPE>_BURST (default twice the rate). */
function rateLimit(env: NodeJS.ProcessEnv, scope: 'TENANT' | 'TOKEN' | 'OAUTH_TOKEN', fallback: number) {
  const perSecond = integer(env, `SCIMD_RATE_LIMIT_${scope}`, fallback, 0, 1_000_000);
  const burst = integer(env, `SCIMD_RATE_LIMIT_${scope}_BURST`, perSecond * 2, 0, 10_000_000);
  if (perSecond > 0 && burst < 1) throw new ConfigError(`SCIMD_RATE_LIMIT_${scope}_BURST must be at least 1`);
  return Object.freeze({ perSecond, burst });
}

/** docs/password-sync.md: the scrypt cost, lockouts, and the rate limit of each verify token (burst default twice the rate). */
function passwordVerify(env: NodeJS.ProcessEnv): Config['passwordVerify'] {
  const scryptN = integer(env, 'SCIMD_PASSWORD_SCRYPT_N', DEFAULTS.scryptN, 16384, 1048576);
  if ((scryptN & (scryptN - 1)) !== 0) throw new ConfigError(`SCIMD_PASSWORD_SCRYPT_N must be a power of two, got ${scryptN}`);
  const lockoutDelaySeconds = integer(env, 'SCIMD_VERIFY_LOCKOUT_DELAY', DEFAULTS.verifyLockoutDelaySeconds, 1, 86400);
  const lockoutMaxDelaySeconds = integer(env, 'SCIMD_VERIFY_LOCKOUT_MAX_DELAY', DEFAULTS.verifyLockoutMaxDelaySeconds, 1, 7 * 86400);
  if (lockoutMaxDelaySeconds < lockoutDelaySeconds) {
    throw new ConfigError('SCIMD_VERIFY_LOCKOUT_MAX_DELAY must not be below SCIMD_VERIFY_LOCKOUT_DELAY');
  }
  const verifyRate = integer(env, 'SCIMD_RATE_LIMIT_VERIFY', DEFAULTS.rateLimitVerifyPerSecond, 0, 1_000_000);
  return Object.freeze({
    scryptN,
    lockoutThreshold: integer(env, 'SCIMD_VERIFY_LOCKOUT_THRESHOLD', DEFAULTS.verifyLockoutThreshold, 1, 1000),
    lockoutDelaySeconds,
    lockoutMaxDelaySeconds,
    rateLimit: Object.freeze({
      perSecond: verifyRate,
      burst: integer(env, 'SCIMD_RATE_LIMIT_VERIFY_BURST', verifyRate * 2, 1, 10_000_000),
    }),
  });
}

/** docs/limits.md: one variable per bound, each with a floor that real clients need. */
function requestLimits(env: NodeJS.ProcessEnv): RequestLimits {
  return Object.freeze({
    maxJsonDepth: integer(env, 'SCIMD_MAX_JSON_DEPTH', LIMITS.maxJsonDepth, 8, 1000),
    filter: Object.freeze({
      maxLength: integer(env, 'SCIMD_MAX_FILTER_LENGTH', LIMITS.filter.maxLength, 256, 1024 * 1024),
      maxDepth: integer(env, 'SCIMD_MAX_FILTER_DEPTH', LIMITS.filter.maxDepth, 4, 256),
    }),
    maxPatchOperations: integer(env, 'SCIMD_MAX_PATCH_OPERATIONS', LIMITS.maxPatchOperations, 1, 100_000),
    attributeList: Object.freeze({
      maxLength: integer(env, 'SCIMD_MAX_ATTRIBUTE_LIST_LENGTH', LIMITS.attributeList.maxLength, 256, 1024 * 1024),
      maxNames: integer(env, 'SCIMD_MAX_ATTRIBUTE_NAMES', LIMITS.attributeList.maxNames, 8, 10_000),
    }),
  });
}

const REQUEST_LOG_MODES = ['off', 'errors', 'all'] as const;

function requestLog(env: NodeJS.ProcessEnv): RequestLogConfig {
  const mode = text(env, 'SCIMD_REQUEST_LOG')?.toLowerCase() ?? 'all';
  if (!(REQUEST_LOG_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`SCIMD_REQUEST_LOG must be off, errors or all, got "${mode}"`);
  }
  return Object.freeze({
    mode: mode as RequestLogConfig['mode'],
    retentionSeconds: integer(env, 'SCIMD_REQUEST_LOG_RETENTION', DEFAULTS.requestLogRetentionSeconds, 60, 365 * 24 * 3600),
    maxBodyBytes: integer(env, 'SCIMD_REQUEST_LOG_BODY_BYTES', DEFAULTS.requestLogBodyBytes, 256, 1024 * 1024),
    maxTenantBytes: integer(env, 'SCIMD_REQUEST_LOG_TENANT_BYTES', DEFAULTS.requestLogTenantBytes, 1024 * 1024, 2 ** 50),
  });
}

/** docs/console.md: an idle timeout, refreshed by use, under an absolute maximum. */
function consoleSession(env: NodeJS.ProcessEnv): ConsoleSessionConfig {
  const idleSeconds = integer(env, 'SCIMD_CONSOLE_SESSION_IDLE', DEFAULTS.consoleSessionIdleSeconds, 60, 7 * 24 * 3600);
  const maxSeconds = integer(env, 'SCIMD_CONSOLE_SESSION_MAX', DEFAULTS.consoleSessionMaxSeconds, 60, 30 * 24 * 3600);
  if (idleSeconds > maxSeconds) throw new ConfigError('SCIMD_CONSOLE_SESSION_IDLE must not exceed SCIMD_CONSOLE_SESSION_MAX');
  return Object.freeze({ idleSeconds, maxSeconds });
}

function httpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const timeouts = {
    headersMs: integer(env, 'SCIMD_HEADERS_TIMEOUT_MS', DEFAULTS.headersTimeoutMs, 100, 600_000),
    requestMs: integer(env, 'SCIMD_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 100, 3_600_000),
    keepAliveMs: integer(env, 'SCIMD_KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs, 100, 3_600_000),
  };
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new ConfigError('SCIMD_HEADERS_TIMEOUT_MS must not exceed SCIMD_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }
  return Object.freeze(timeouts);
}

/** Reads the SCIMD_* environment variables, applies defaults, validates, and freezes. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = text(env, 'SCIMD_LOG_LEVEL') ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`SCIMD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const bootstrapToken = text(env, 'SCIMD_BOOTSTRAP_TOKEN');
  if (bootstrapToken !== undefined && bootstrapToken.length < 16) {
    throw new ConfigError('SCIMD_BOOTSTRAP_TOKEN must be at least 16 characters long');
  }
  const adminToken = text(env, 'SCIMD_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('SCIMD_ADMIN_TOKEN must be at least 16 characters long');
  }
  if (adminToken !== undefined && adminToken === bootstrapToken) {
    throw new ConfigError('SCIMD_ADMIN_TOKEN must differ from SCIMD_BOOTSTRAP_TOKEN: an admin token is never a SCIM token');
  }
  const config: Config = {
    host: text(env, 'SCIMD_HOST') ?? DEFAULTS.host,
    port: integer(env, 'SCIMD_PORT', DEFAULTS.port, 0, 65535),
    databaseUrl: databaseUrl(text(env, 'SCIMD_DATABASE_URL') ?? DEFAULTS.databaseUrl),
    basePath: basePath(text(env, 'SCIMD_BASE_PATH') ?? DEFAULTS.basePath),
    publicUrl: publicUrl(text(env, 'SCIMD_PUBLIC_URL')),
    logLevel: logLevel as Config['logLevel'],
    accessLog: onOff(env, 'SCIMD_ACCESS_LOG', true),
    metricsToken: text(env, 'SCIMD_METRICS_TOKEN'),
    metricsTenantLabels: onOff(env, 'SCIMD_METRICS_TENANT_LABELS', false),
    maxBodyBytes: integer(env, 'SCIMD_MAX_BODY_BYTES', DEFAULTS.maxBodyBytes, 1024, 100 * 1024 * 1024),
    httpTimeouts: httpTimeouts(env),
    bootstrapToken,
    adminToken,
    maxResults: integer(env, 'SCIMD_MAX_RESULTS', DEFAULTS.maxResults, 1, 10000),
    defaultPageSize: integer(env, 'SCIMD_DEFAULT_PAGE_SIZE', DEFAULTS.defaultPageSize, 1, 10000),
    cursorTimeoutSeconds: integer(env, 'SCIMD_CURSOR_TIMEOUT', DEFAULTS.cursorTimeoutSeconds, 1, 7 * 24 * 3600),
    eventSinks: Object.freeze(eventSinks(text(env, 'SCIMD_EVENT_SINKS'))),
    relayInServe: onOff(env, 'SCIMD_RELAY', true),
    eventContract: eventContract(text(env, 'SCIMD_EVENT_CONTRACT')),
    eventRetentionSeconds: integer(env, 'SCIMD_EVENT_RETENTION', DEFAULTS.eventRetentionSeconds, 60, 365 * 24 * 3600),
    eventPublishTimeoutMs: integer(env, 'SCIMD_EVENT_PUBLISH_TIMEOUT_MS', DEFAULTS.eventPublishTimeoutMs, 100, 600_000),
    rateLimits: Object.freeze({
      tenant: rateLimit(env, 'TENANT', DEFAULTS.rateLimitTenantPerSecond),
      token: rateLimit(env, 'TOKEN', DEFAULTS.rateLimitTokenPerSecond),
      oauthToken: rateLimit(env, 'OAUTH_TOKEN', DEFAULTS.rateLimitOAuthTokenPerSecond),
    }),
    jwksRefreshCooldownSeconds: integer(env, 'SCIMD_JWKS_REFRESH_COOLDOWN', DEFAULTS.jwksRefreshCooldownSeconds, 0, 3600),
    oauthKeyRotationSeconds: integer(env, 'SCIMD_OAUTH_KEY_ROTATION', DEFAULTS.oauthKeyRotationSeconds, 3600, 365 * 24 * 3600),
    bulkMaxOperations: integer(env, 'SCIMD_BULK_MAX_OPERATIONS', DEFAULTS.bulkMaxOperations, 1, 100000),
    bulkMaxPayloadBytes: integer(env, 'SCIMD_BULK_MAX_PAYLOAD_BYTES', DEFAULTS.bulkMaxPayloadBytes, 1024, 100 * 1024 * 1024),
    requestLimits: requestLimits(env),
    passwordVerify: passwordVerify(env),
    setSigningKeys: text(env, 'SCIMD_SET_SIGNING_KEYS'),
    requestLog: requestLog(env),
    consoleSession: consoleSession(env),
  };
  if (config.defaultPageSize > config.maxResults) {
    throw new ConfigError('SCIMD_DEFAULT_PAGE_SIZE must not exceed SCIMD_MAX_RESULTS');
  }
  return Object.freeze(config);
}
