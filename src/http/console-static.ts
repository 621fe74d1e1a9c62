import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The console's pages may run only the scripts and styles served here, connect only to this
 * origin (the admin API), and be framed by nobody; no inline script or style anywhere.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function filesUnder(dir: string, out: Map<string, { type: string; body: Buffer }>, root = dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) filesUnder(path, out, root);
    else
      out.set(`/${relative(root, path).split('\\').join('/')}`, {
        type: TYPES[extname(entry)] ?? 'application/octet-stream',
        body: readFileSync(path),
      });
  }
  return out;
}

/**
 * Serves the console that Vite built (console/ → dist/console, `npm run build`) at /console/ on
 * scimd's own port. The files are read once at start into memory (the whole console is a few
 * hundred kilobytes) and served by exact path, so no request can reach another file; any other
 * path under /console/ gets index.html, where the console's router takes over. Hashed assets may
 * be cached; the page itself is not.
 */
export async function registerConsole(app: FastifyInstance, dir: string): Promise<void> {
  const built = existsSync(join(dir, 'index.html'));
  const files = built ? filesUnder(dir, new Map()) : new Map<string, { type: string; body: Buffer }>();
  await app.register(async (scope) => {
    // Runs after the application-wide security headers, and replaces their API-only policy.
    scope.addHook('onSend', (request, reply, payload, done) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header(
        'cache-control',
        request.url.startsWith('/console/assets/') && reply.statusCode === 200 ? 'public, max-age=31536000, immutable' : 'no-store',
      );
      done(null, payload);
    });
    // With ignoreTrailingSlash, /console and /console/ share the first route; /console is sent to /console/.
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.slice('/console'.length).split('?')[0]!;
      if (path === '') return reply.redirect('/console/', 301);
      if (!built) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The console is not built: run `npm run build` (npm start does it), then restart scimd.\n');
      }
      const file = files.get(path) ?? (path.startsWith('/assets/') ? undefined : files.get('/index.html'));
      if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
      return reply.type(file.type).send(file.body);
    };
    scope.get('/console', serve);
    scope.get('/console/*', serve);
  });
}
