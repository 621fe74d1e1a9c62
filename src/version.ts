import { createRequire } from 'node:module';

/** The release (package.json): `scimd --version`, the OpenAPI documents. The sources and the bundle both sit one level below it. */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
