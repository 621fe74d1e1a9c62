import type { FastifyInstance } from 'fastify';

/**
 * The routes Fastify itself serves, read from its router (printRoutes' tree), independently of
 * the admin plugin's own route list: "METHOD /path" with OpenAPI-style {params}, HEAD left out,
 * the path in lowercase (the router folds case: src/http/app.ts; compare with foldRoute).
 */
export function servedRoutes(app: FastifyInstance, prefix: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    if (!path.startsWith(prefix)) continue;
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) {
      out.add(foldRoute(`${method} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`));
    }
  }
  return out;
}

/** "METHOD /path" as servedRoutes lists it: the path in lowercase. */
export function foldRoute(route: string): string {
  const space = route.indexOf(' ');
  return `${route.slice(0, space)}${route.slice(space).toLowerCase()}`;
}
