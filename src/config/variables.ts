import type { Config } from './config.ts';

/** One SCIMD_* environment variable: what `scimd config` shows and what the unknown-name warning knows. */
export interface Variable {
  readonly name: string;
  /** The value in effect, as text; secrets are masked by `scimd config`, not here. */
  readonly value: (config: Config) => string | undefined;
  /** A token or a URL that may carry a password: never printed as it is. */
  readonly secret?: 'token' | 'url' | 'urls';
}

const text = (v: string | number | boolean | undefined): string | undefined => (v === undefined ? undefined : String(v));
const onOff = (v: boolean) => (v ? 'on' : 'off');

/**
 * Every variable loadConfig reads (src/config/load.ts), in the order docs/configuration.md lists
 * them. A variable read there but missing here fails src/config/variables.test.ts: the warning
 * about misspelt names and `scimd config` must know every one.
 */
export const VARIABLES: readonly Variable[] = [
  { name: 'SCIMD_HOST', value: (c) => c.host },
  { name: 'SCIMD_PORT', value: (c) => text(c.port) },
  { name: 'SCIMD_DATABASE_URL', value: (c) => c.databaseUrl, secret: 'url' },
  { name: 'SCIMD_BASE_PATH', value: (c) => c.basePath || '/' },
  { name: 'SCIMD_PUBLIC_URL', value: (c) => c.publicUrl },
  { name: 'SCIMD_LOG_LEVEL', value: (c) => c.logLevel },
  { name: 'SCIMD_ACCESS_LOG', value: (c) => onOff(c.accessLog) },
  { name: 'SCIMD_METRICS_TOKEN', value: (c) => c.metricsToken, secret: 'token' },
  { name: 'SCIMD_METRICS_TENANT_LABELS', value: (c) => onOff(c.metricsTenantLabels) },
  { name: 'SCIMD_MAX_BODY_BYTES', value: (c) => text(c.maxBodyBytes) },
  { name: 'SCIMD_HEADERS_TIMEOUT_MS', value: (c) => text(c.httpTimeouts.headersMs) },
  { name: 'SCIMD_REQUEST_TIMEOUT_MS', value: (c) => text(c.httpTimeouts.requestMs) },
  { name: 'SCIMD_KEEP_ALIVE_TIMEOUT_MS', value: (c) => text(c.httpTimeouts.keepAliveMs) },
  { name: 'SCIMD_BOOTSTRAP_TOKEN', value: (c) => c.bootstrapToken, secret: 'token' },
  { name: 'SCIMD_ADMIN_TOKEN', value: (c) => c.adminToken, secret: 'token' },
  { name: 'SCIMD_MAX_RESULTS', value: (c) => text(c.maxResults) },
  { name: 'SCIMD_DEFAULT_PAGE_SIZE', value: (c) => text(c.defaultPageSize) },
  { name: 'SCIMD_CURSOR_TIMEOUT', value: (c) => text(c.cursorTimeoutSeconds) },
  { name: 'SCIMD_EVENT_SINKS', value: (c) => (c.eventSinks.length === 0 ? undefined : c.eventSinks.join(',')), secret: 'urls' },
  { name: 'SCIMD_EVENT_CONTRACT', value: (c) => text(c.eventContract) },
  { name: 'SCIMD_RELAY', value: (c) => onOff(c.relayInServe) },
  { name: 'SCIMD_EVENT_RETENTION', value: (c) => text(c.eventRetentionSeconds) },
  { name: 'SCIMD_EVENT_PUBLISH_TIMEOUT_MS', value: (c) => text(c.eventPublishTimeoutMs) },
  { name: 'SCIMD_RATE_LIMIT_TENANT', value: (c) => text(c.rateLimits.tenant.perSecond) },
  { name: 'SCIMD_RATE_LIMIT_TENANT_BURST', value: (c) => text(c.rateLimits.tenant.burst) },
  { name: 'SCIMD_RATE_LIMIT_TOKEN', value: (c) => text(c.rateLimits.token.perSecond) },
  { name: 'SCIMD_RATE_LIMIT_TOKEN_BURST', value: (c) => text(c.rateLimits.token.burst) },
  { name: 'SCIMD_RATE_LIMIT_OAUTH_TOKEN', value: (c) => text(c.rateLimits.oauthToken.perSecond) },
  { name: 'SCIMD_RATE_LIMIT_OAUTH_TOKEN_BURST', value: (c) => text(c.rateLimits.oauthToken.burst) },
  { name: 'SCIMD_JWKS_REFRESH_COOLDOWN', value: (c) => text(c.jwksRefreshCooldownSeconds) },
  { name: 'SCIMD_OAUTH_KEY_ROTATION', value: (c) => text(c.oauthKeyRotationSeconds) },
  { name: 'SCIMD_BULK_MAX_OPERATIONS', value: (c) => text(c.bulkMaxOperations) },
  { name: 'SCIMD_BULK_MAX_PAYLOAD_BYTES', value: (c) => text(c.bulkMaxPayloadBytes) },
  { name: 'SCIMD_MAX_JSON_DEPTH', value: (c) => text(c.requestLimits.maxJsonDepth) },
  { name: 'SCIMD_MAX_FILTER_LENGTH', value: (c) => text(c.requestLimits.filter.maxLength) },
  { name: 'SCIMD_MAX_FILTER_DEPTH', value: (c) => text(c.requestLimits.filter.maxDepth) },
  { name: 'SCIMD_MAX_PATCH_OPERATIONS', value: (c) => text(c.requestLimits.maxPatchOperations) },
  { name: 'SCIMD_MAX_ATTRIBUTE_NAMES', value: (c) => text(c.requestLimits.attributeList.maxNames) },
  { name: 'SCIMD_MAX_ATTRIBUTE_LIST_LENGTH', value: (c) => text(c.requestLimits.attributeList.maxLength) },
  { name: 'SCIMD_SET_SIGNING_KEYS', value: (c) => c.setSigningKeys },
  { name: 'SCIMD_REQUEST_LOG', value: (c) => c.requestLog.mode },
  { name: 'SCIMD_REQUEST_LOG_RETENTION', value: (c) => text(c.requestLog.retentionSeconds) },
  { name: 'SCIMD_REQUEST_LOG_BODY_BYTES', value: (c) => text(c.requestLog.maxBodyBytes) },
  { name: 'SCIMD_REQUEST_LOG_TENANT_BYTES', value: (c) => text(c.requestLog.maxTenantBytes) },
  { name: 'SCIMD_CONSOLE_SESSION_IDLE', value: (c) => text(c.consoleSession.idleSeconds) },
  { name: 'SCIMD_CONSOLE_SESSION_MAX', value: (c) => text(c.consoleSession.maxSeconds) },
  { name: 'SCIMD_PASSWORD_SCRYPT_N', value: (c) => text(c.passwordVerify.scryptN) },
  { name: 'SCIMD_VERIFY_LOCKOUT_THRESHOLD', value: (c) => text(c.passwordVerify.lockoutThreshold) },
  { name: 'SCIMD_VERIFY_LOCKOUT_DELAY', value: (c) => text(c.passwordVerify.lockoutDelaySeconds) },
  { name: 'SCIMD_VERIFY_LOCKOUT_MAX_DELAY', value: (c) => text(c.passwordVerify.lockoutMaxDelaySeconds) },
  { name: 'SCIMD_RATE_LIMIT_VERIFY', value: (c) => text(c.passwordVerify.rateLimit.perSecond) },
  { name: 'SCIMD_RATE_LIMIT_VERIFY_BURST', value: (c) => text(c.passwordVerify.rateLimit.burst) },
];

/** The test suite's own variables (scripts/test.mjs, the PostgreSQL pass): not settings of the service. */
const RESERVED_PREFIX = 'SCIMD_TEST_';

const KNOWN = new Set(VARIABLES.map((v) => v.name));

/** Levenshtein distance: how many single-character edits turn one name into the other. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known variable closest to a misspelt name. */
export function nearestVariable(name: string): string {
  let best = VARIABLES[0]!.name;
  for (const { name: known } of VARIABLES) if (distance(name, known) < distance(name, best)) best = known;
  return best;
}

/** One warning per SCIMD_* variable of the environment that scimd does not read (a typo is otherwise silent). */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('SCIMD_') && !name.startsWith(RESERVED_PREFIX) && !KNOWN.has(name))
    .sort()
    .map((name) => `${name} is not a scimd setting and is ignored; did you mean ${nearestVariable(name)}? (scimd config lists them)`);
}

/** A URL without its password and without secrets in its fragment (`#secret=…`, `&token=…`). */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@').replace(/([#&](?:secret|token)=)[^&]*/g, '$1***');
}

export type Source = 'environment' | 'default';

export interface EffectiveSetting {
  readonly name: string;
  readonly value: string | undefined;
  readonly source: Source;
}

/** What `scimd config` prints: each variable's value in effect (secrets masked) and where it came from. */
export function effectiveSettings(config: Config, env: NodeJS.ProcessEnv): EffectiveSetting[] {
  return VARIABLES.map((variable) => {
    const raw = variable.value(config);
    let value = raw;
    if (raw !== undefined && variable.secret === 'token') value = '*** (set)';
    else if (raw !== undefined && variable.secret === 'url') value = maskUrl(raw);
    else if (raw !== undefined && variable.secret === 'urls') value = raw.split(',').map(maskUrl).join(',');
    const given = env[variable.name];
    return { name: variable.name, value, source: given !== undefined && given.trim() !== '' ? 'environment' : 'default' };
  });
}
