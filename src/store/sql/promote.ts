import { invalidValue } from '../../errors/scim-error.ts';
import { fold } from '../../filter/fold.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';

/** The promoted columns of a resource row, computed in JavaScript so folding is exactly fold(). */
export interface Promoted {
  /** Folded userName (User) or displayName (Group): the uniqueness key of the type. */
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

export function promote(resourceType: ResourceTypeName, doc: Readonly<Record<string, unknown>>): Promoted {
  const nameAttribute = resourceType === 'User' ? 'userName' : 'displayName';
  const name = str(doc[nameAttribute]);
  if (name === undefined) throw invalidValue(`${nameAttribute} is required`);
  const displayName = str(doc['displayName']);
  return {
    nameKey: fold(name),
    displayName: displayName === undefined ? null : fold(displayName),
    externalId: str(doc['externalId']) ?? null,
    refDisplay: displayName || (str(doc['userName']) ?? null),
  };
}
