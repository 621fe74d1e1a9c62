import { notFound, notImplemented } from '../errors/scim-error.ts';
import type { RequestScope } from './resource-view.ts';
import type { ResourceService } from './resources.ts';
import type { Principal } from './tenants.ts';

/**
 * RFC 7644 §3.11 /Me: the user the authenticated subject is. Only a JWT access token has a
 * subject; its `sub` is matched against the attribute its issuer configuration names (userName,
 * case-insensitively as userName always is, or id). A static tenant token names no user: 501, as
 * §3.11 allows. A subject no user of the tenant has is 404.
 */
export function createMeService(resources: Pick<ResourceService, 'list'>) {
  async function userIdOf(scope: RequestScope, principal: Principal): Promise<string> {
    const subject = principal.subject;
    if (!subject) {
      throw notImplemented('/Me needs an OAuth access token whose subject is a user; a static tenant token names no user (RFC 7644 §3.11)');
    }
    const page = await resources.list(scope, ['User'], {
      // JSON string syntax is the filter's string syntax (RFC 7644 §3.4.2.2), escapes included.
      filter: `${subject.attribute} eq ${JSON.stringify(subject.value)}`,
      sortBy: undefined,
      descending: false,
      startIndex: 1,
      count: 1,
      cursor: undefined,
      attributes: ['id'],
      excludedAttributes: undefined,
    });
    const id = (page['Resources'] as readonly { id?: unknown }[])[0]?.id;
    if (typeof id !== 'string') {
      throw notFound(`no user of this tenant has the ${subject.attribute} of the access token's subject ("${subject.value}")`);
    }
    return id;
  }
  return { userIdOf };
}

export type MeService = ReturnType<typeof createMeService>;
