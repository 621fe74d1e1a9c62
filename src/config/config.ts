import type { RequestLimits } from './request-limits.ts';

/** The URL schemes SCIMD_EVENT_SINKS accepts, one publisher each in src/events/sinks/ (docs/events.md, Sinks). */
export const SINK_SCHEMES: readonly string[] = [
  'amqp:',
  'amqps:',
  'nats:',
  'redis:',
  'rediss:',
  'mqtt:',
  'mqtts:',
  'http:',
  'https:',
  'set+http:',
  'set+https:',
];

/** The service's configuration: validated once at start, frozen, passed explicitly. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  /** Normalised: leading slash, no trailing slash (e.g. "/scim/v2"). */
  readonly basePath: string;
  /** Origin (and optional path prefix) used in meta.location; undefined → derived from the request. */
  readonly publicUrl: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SCIMD_METRICS_TOKEN: a bearer token GET /metrics requires; unset: /metrics is open. */
  readonly metricsToken: string | undefined;
  /** SCIMD_METRICS_TENANT_LABELS: a tenant label on the HTTP series (off by default: tenants can be thousands). */
  readonly metricsTenantLabels: boolean;
  /** SCIMD_ACCESS_LOG: one info line per request (off: none). */
  readonly accessLog: boolean;
  readonly maxBodyBytes: number;
  /** How long a client may take to send a request, and keep an idle connection (docs/limits.md, "Slow clients"). */
  readonly httpTimeouts: HttpTimeouts;
  readonly bootstrapToken: string | undefined;
  /** SCIMD_ADMIN_TOKEN: a bearer token for the admin API (/admin); never a SCIM token. */
  readonly adminToken: string | undefined;
  /** Largest `count` a list request gets (RFC 7644 §3.4.2.4; advertised as filter.maxResults). */
  readonly maxResults: number;
  readonly defaultPageSize: number;
  /** How long a cursor (RFC 9865) stays valid, in seconds. */
  readonly cursorTimeoutSeconds: number;
  /** SCIMD_EVENT_SINKS: broker and webhook URLs the relay delivers every event to (docs/events.md). */
  readonly eventSinks: readonly string[];
  /** Whether `scimd serve` runs the relay in-process (SCIMD_RELAY=off: run `scimd relay` apart). */
  readonly relayInServe: boolean;
  /** SCIMD_EVENT_CONTRACT: the event contract version published (docs/events.md, Versions). */
  readonly eventContract: 1 | 2;
  /** Delivered events older than this many seconds are pruned; the feed replays this far back. */
  readonly eventRetentionSeconds: number;
  /** SCIMD_EVENT_PUBLISH_TIMEOUT_MS: how long the relay waits for a sink to confirm a publish before it counts as failed. */
  readonly eventPublishTimeoutMs: number;
  /** Token buckets per tenant and per token, in this process (docs/limits.md, "Rate limits"); perSecond 0 = off. */
  readonly rateLimits: {
    readonly tenant: { readonly perSecond: number; readonly burst: number };
    readonly token: { readonly perSecond: number; readonly burst: number };
    /** POST /oauth/token, per client address (docs/oauth.md). */
    readonly oauthToken: { readonly perSecond: number; readonly burst: number };
  };
  /** After a JWT with an unknown key id, an issuer's JWKS is fetched again at most this often (seconds). */
  readonly jwksRefreshCooldownSeconds: number;
  /** SCIMD_OAUTH_KEY_ROTATION: seconds after which the key that signs scimd's own access tokens is replaced. */
  readonly oauthKeyRotationSeconds: number;
  /** RFC 7644 §3.7.4: most operations one POST /Bulk may carry (ServiceProviderConfig bulk.maxOperations). */
  readonly bulkMaxOperations: number;
  /** RFC 7644 §3.7.4: largest /Bulk body in bytes (bulk.maxPayloadSize); other routes keep maxBodyBytes. */
  readonly bulkMaxPayloadBytes: number;
  /** Bounds on JSON depth, filters, PATCH operations and attribute lists (SCIMD_MAX_*). */
  readonly requestLimits: RequestLimits;
  /** SCIMD_SET_SIGNING_KEYS: a JWK Set file of private keys that sign SETs; unset → a key generated once and kept in the database. */
  readonly setSigningKeys: string | undefined;
  /** The request log of the SCIM API (docs/console.md): what it records, how long and how much it keeps. */
  readonly requestLog: RequestLogConfig;
  /** How long a console session lasts (docs/console.md, Sign-in and sessions). */
  readonly consoleSession: ConsoleSessionConfig;
  /** POST /auth/verify: the cost of password hashes, lockouts and the per-token rate limit (docs/password-sync.md). */
  readonly passwordVerify: PasswordVerifyConfig;
}

export interface PasswordVerifyConfig {
  /** SCIMD_PASSWORD_SCRYPT_N: scrypt's cost of new hashes (r 8, p 1); a hash of lower cost is redone at its next successful check. */
  readonly scryptN: number;
  /** SCIMD_VERIFY_LOCKOUT_THRESHOLD: failures in a row that lock a userName. */
  readonly lockoutThreshold: number;
  /** SCIMD_VERIFY_LOCKOUT_DELAY: the first lock, in seconds; each further failure doubles it. */
  readonly lockoutDelaySeconds: number;
  /** SCIMD_VERIFY_LOCKOUT_MAX_DELAY: the ceiling of a lock, in seconds. */
  readonly lockoutMaxDelaySeconds: number;
  /** SCIMD_RATE_LIMIT_VERIFY(_BURST): checks per second each verify token may make, in this process; 0 = off. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
}

export interface HttpTimeouts {
  /** SCIMD_HEADERS_TIMEOUT_MS: from the connection (or the end of the previous request) to the last header line. */
  readonly headersMs: number;
  /** SCIMD_REQUEST_TIMEOUT_MS: to the whole request, body included; at least headersMs. */
  readonly requestMs: number;
  /** SCIMD_KEEP_ALIVE_TIMEOUT_MS: an idle keep-alive connection is closed after this long. */
  readonly keepAliveMs: number;
}

/** SCIMD_REQUEST_LOG: off, only answers of 400 and above, or every request. */
export type RequestLogMode = 'off' | 'errors' | 'all';

export interface ConsoleSessionConfig {
  /** SCIMD_CONSOLE_SESSION_IDLE: a session no request used for this many seconds has ended. */
  readonly idleSeconds: number;
  /** SCIMD_CONSOLE_SESSION_MAX: a session ends this many seconds after sign-in, however active. */
  readonly maxSeconds: number;
}

export interface RequestLogConfig {
  readonly mode: RequestLogMode;
  /** SCIMD_REQUEST_LOG_RETENTION: entries older than this many seconds are pruned. */
  readonly retentionSeconds: number;
  /** SCIMD_REQUEST_LOG_BODY_BYTES: each stored body is cut to this many bytes (marked as cut). */
  readonly maxBodyBytes: number;
  /** SCIMD_REQUEST_LOG_TENANT_BYTES: the oldest entries of a tenant are pruned beyond this many bytes of it. */
  readonly maxTenantBytes: number;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  databaseUrl: 'sqlite:./data/scimd.db',
  basePath: '/scim/v2',
  logLevel: 'info',
  maxBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxResults: 1000,
  defaultPageSize: 100,
  cursorTimeoutSeconds: 3600,
  eventRetentionSeconds: 7 * 24 * 3600,
  eventPublishTimeoutMs: 10_000,
  eventContract: 2 as 1 | 2,
  rateLimitTenantPerSecond: 1000,
  rateLimitTokenPerSecond: 500,
  rateLimitOAuthTokenPerSecond: 5,
  oauthKeyRotationSeconds: 30 * 24 * 3600,
  jwksRefreshCooldownSeconds: 10,
  bulkMaxOperations: 1000,
  bulkMaxPayloadBytes: 4 * 1024 * 1024,
  consoleSessionIdleSeconds: 30 * 60,
  consoleSessionMaxSeconds: 8 * 3600,
  requestLogRetentionSeconds: 7 * 24 * 3600,
  requestLogBodyBytes: 16 * 1024,
  requestLogTenantBytes: 256 * 1024 * 1024,
  scryptN: 16384,
  verifyLockoutThreshold: 5,
  verifyLockoutDelaySeconds: 30,
  verifyLockoutMaxDelaySeconds: 900,
  rateLimitVerifyPerSecond: 20,
} as const;
