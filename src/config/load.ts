import { DEFAULTS, type Config } from './config.ts';

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

function databaseUrl(raw: string): string {
  if (/^sqlite:/.test(raw) || /^postgres(ql)?:\/\//.test(raw)) return raw;
  throw new ConfigError(`SCIMD_DATABASE_URL must start with sqlite: or postgres://, got "${raw}"`);
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
  const config: Config = {
    host: text(env, 'SCIMD_HOST') ?? DEFAULTS.host,
    port: integer(env, 'SCIMD_PORT', DEFAULTS.port, 0, 65535),
    databaseUrl: databaseUrl(text(env, 'SCIMD_DATABASE_URL') ?? DEFAULTS.databaseUrl),
    basePath: basePath(text(env, 'SCIMD_BASE_PATH') ?? DEFAULTS.basePath),
    publicUrl: publicUrl(text(env, 'SCIMD_PUBLIC_URL')),
    logLevel: logLevel as Config['logLevel'],
    maxBodyBytes: integer(env, 'SCIMD_MAX_BODY_BYTES', DEFAULTS.maxBodyBytes, 1024, 100 * 1024 * 1024),
    bootstrapToken,
    maxResults: integer(env, 'SCIMD_MAX_RESULTS', DEFAULTS.maxResults, 1, 10000),
    defaultPageSize: integer(env, 'SCIMD_DEFAULT_PAGE_SIZE', DEFAULTS.defaultPageSize, 1, 10000),
    cursorTimeoutSeconds: integer(env, 'SCIMD_CURSOR_TIMEOUT', DEFAULTS.cursorTimeoutSeconds, 1, 7 * 24 * 3600),
  };
  if (config.defaultPageSize > config.maxResults) {
    throw new ConfigError('SCIMD_DEFAULT_PAGE_SIZE must not exceed SCIMD_MAX_RESULTS');
  }
  return Object.freeze(config);
}
