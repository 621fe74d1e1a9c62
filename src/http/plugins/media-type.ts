import type { FastifyInstance } from 'fastify';
import { invalidSyntax } from '../../errors/scim-error.ts';
import { jsonDepthExceededAt } from '../json-depth.ts';

/**
 * RFC 7644 §3.1: requests carry application/scim+json; plain application/json is accepted too.
 * Our own parser turns malformed JSON into 400 invalidSyntax, refuses non-object bodies, and
 * refuses bodies nested deeper than `maxJsonDepth` before parsing them.
 */
export function installJsonParsing(app: FastifyInstance, maxJsonDepth: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(invalidSyntax('the request body is empty'), undefined);
    const tooDeep = jsonDepthExceededAt(text, maxJsonDepth);
    if (tooDeep >= 0) {
      return done(invalidSyntax(`the request body nests JSON deeper than ${maxJsonDepth} levels (at offset ${tooDeep})`), undefined);
    }
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
