import type { FastifyInstance } from 'fastify';
import { invalidSyntax } from '../../errors/scim-error.ts';
import { loneSurrogateIn } from '../../schema/unicode.ts';
import { jsonDepthExceededAt } from '../json-depth.ts';

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The methods whose requests carry a body. Fastify reads a DELETE's body when it names a
 * Content-Type (curl sends one on every call when told to); RFC 9110 §9.3.5 gives a DELETE's
 * content no meaning, so an empty one there is no body rather than a malformed one.
 */
const TAKES_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * RFC 7644 §3.1: requests carry application/scim+json; plain application/json is accepted too.
 * Our own parser turns malformed JSON into 400 invalidSyntax, refuses non-object bodies, and
 * refuses bodies nested deeper than `maxJsonDepth` before parsing them, and bodies whose strings
 * are not valid Unicode (src/schema/unicode.ts).
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** A body that was refused before it became a value (the request log shows it, masked). */
    unparsedBody: string | undefined;
  }
}

export function installJsonParsing(app: FastifyInstance, maxJsonDepth: number): void {
  app.removeAllContentTypeParsers();
  app.decorateRequest('unparsedBody', undefined);
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (request, body, parsed) => {
    const text = body as string;
    const done = (error: Error | null, value: unknown) => {
      if (error) request.unparsedBody = text;
      parsed(error, value);
    };
    if (text.trim() === '') {
      return TAKES_BODY.has(request.method) ? done(invalidSyntax('the request body is empty'), undefined) : done(null, undefined);
    }
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
    // The body was decoded from UTF-8, so only a \uD800-\uDFFF escape can make an unpaired surrogate.
    if (SURROGATE_ESCAPE.test(text) && loneSurrogateIn(value)) {
      return done(
        invalidSyntax('the request body escapes an unpaired UTF-16 surrogate (such as "\\ud800"), which is not valid Unicode'),
        undefined,
      );
    }
    return done(null, value);
  });
}
