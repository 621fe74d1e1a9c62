import type { FastifyInstance } from 'fastify';
import { invalidSyntax } from '../../errors/scim-error.ts';

/**
 * RFC 7644 §3.1: requests carry application/scim+json; plain application/json is accepted too.
 * Our own parser turns malformed JSON into 400 invalidSyntax and refuses non-object bodies.
 */
export function installJsonParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(invalidSyntax('the request body is empty'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the body, which may hold a password: say less.
      return done(invalidSyntax('the request body is not valid JSON'), undefined);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return done(invalidSyntax('the request body must be a JSON object'), undefined);
    }
    return done(null, value);
  });
}
