import type { Config } from '../config/config.ts';

/**
 * The pino options of `scimd serve`: JSON lines at the configured level, with credentials
 * redacted wherever a request object is logged. `destination` is for tests that read the logs.
 */
export function loggerOptions(config: Config, destination?: { write(line: string): void }): Record<string, unknown> {
  return {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
    ...(destination ? { stream: destination } : {}),
  };
}
