import { invalidValue } from '../../errors/scim-error.ts';
import { fold } from '../../filter/fold.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';

/** The promoted columns of a resource row, computed in JavaScript so folding is exactly fold(). */
export interface Promoted {
  /**
   * The key the unique name index holds: a user's folded userName; a group's id, since group names
   * are not unique (RFC 7643 §8.7.1), so that the one index stays unique for users without a
   * partial index (on SQLite a partial index on resource_type makes every statement that binds
   * resource_type prepare again on each run). A group's name is looked up through displayName.
   */
  readonly nameKey: string;
  /** Folded displayName, or null when absent. */
  readonly displayName: string | null;
  readonly externalId: string | null;
  /**
   * What a reference to the resource shows as its `display` (a group's members, a user's groups):
   * its displayName, else its userName; null when it has neither. Kept as typed, for responses.
   */
  readonly refDisplay: string | null;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function promote(resourceType: ResourceTypeName, id: string, doc: Readonly<Record<string, unknown>>): Promoted {
  const nameAttribute = resourceType === 'User' ? 'userName' : 'displayName';
  const name = str(doc[nameAttribute]);
  if (name === undefined) throw invalidValue(`${nameAttribute} is required`);
  const displayName = str(doc['displayName']);
  return {
    nameKey: resourceType === 'User' ? fold(name) : id,
    displayName: displayName === undefined ? null : fold(displayName),
    externalId: str(doc['externalId']) ?? null,
    refDisplay: displayName || (str(doc['userName']) ?? null),
  };
}
