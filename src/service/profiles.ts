import { badRequest } from '../errors/scim-error.ts';
import type { StoredProfile } from '../store/ports/tenants.ts';

/**
 * Per-tenant compatibility profiles (docs/profiles.md): the behaviours where real clients and the
 * IETF interoperability profile (draft-zollner-scim-interop-profile-02) pull in opposite
 * directions. A tenant has one profile, `lenient` by default, and may override single behaviours.
 */
export const PROFILE_NAMES = ['lenient', 'strict', 'entra', 'okta'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** What a profile changes. Each is read from the request's scope (`scope.profile`), never looked up. */
export interface ProfileBehaviours {
  /** A PATCH operation without `path` is refused with 400 invalidSyntax instead of applied to the resource (interop §PATCH). */
  readonly requirePatchPath: boolean;
  /** `replace` of a whole singular complex attribute (`path: "name"`) sets exactly the sub-attributes given, instead of leaving the others unchanged (RFC 7644 §3.5.2.3). */
  readonly replaceComplexWhole: boolean;
  /** An attribute or schema URI the tenant's schemas do not define is refused with 400 invalidSyntax instead of ignored (interop §Attribute and Schema Handling). */
  readonly rejectUnknownAttributes: boolean;
  /** A group's `displayName` is unique in the tenant, case-insensitively (409 uniqueness); RFC 7643 §4.2 says `uniqueness: none`. */
  readonly uniqueGroupDisplayName: boolean;
  /** A member whose `type` contradicts what its `value` refers to is refused with 400 instead of recorded with its true type. */
  readonly rejectMismatchedMemberType: boolean;
  /** A group write naming member ids that do not exist is refused with 400 instead of skipping them. */
  readonly rejectUnknownMembers: boolean;
  /** A filter comparison value that is not quoted (and not true, false, null or a number) is refused with 400 invalidFilter instead of read as a string. */
  readonly requireQuotedFilterValues: boolean;
}

export type BehaviourName = keyof ProfileBehaviours;

const LENIENT: ProfileBehaviours = {
  requirePatchPath: false,
  replaceComplexWhole: false,
  rejectUnknownAttributes: false,
  uniqueGroupDisplayName: false,
  rejectMismatchedMemberType: false,
  rejectUnknownMembers: false,
  requireQuotedFilterValues: false,
};

/** The one place that lists each profile's behaviours (docs/profiles.md shows the same table). */
export const PROFILES: Readonly<Record<ProfileName, ProfileBehaviours>> = Object.freeze({
  lenient: Object.freeze({ ...LENIENT }),
  strict: Object.freeze({
    requirePatchPath: true,
    replaceComplexWhole: true,
    rejectUnknownAttributes: true,
    uniqueGroupDisplayName: false,
    rejectMismatchedMemberType: true,
    rejectUnknownMembers: true,
    requireQuotedFilterValues: true,
  }),
  // Microsoft asks SCIM apps for unique group names: Entra matches an existing group by
  // `displayName eq` before it creates one, and two scimd groups of one name make that match ambiguous.
  entra: Object.freeze({ ...LENIENT, uniqueGroupDisplayName: true }),
  // Everything Okta sends is accepted by lenient; the profile exists so a tenant can name its client.
  okta: Object.freeze({ ...LENIENT }),
});

export const BEHAVIOUR_NAMES = Object.keys(LENIENT) as readonly BehaviourName[];

/**
 * The behaviours the interoperability profile requires of a server beyond what every tenant does
 * (its canonicalValues, deletion and uniqueness rules hold in every profile: docs/profiles.md);
 * all on: ServiceProviderConfig says `interopProfileConformant: true`.
 */
const INTEROP_REQUIRED: readonly BehaviourName[] = ['requirePatchPath', 'replaceComplexWhole', 'rejectUnknownAttributes'];

/** draft-zollner-scim-interop-profile-02 §3: advertised only when every behaviour it requires holds, whatever the profile's name. */
export function conformsToInteropProfile(behaviours: ProfileBehaviours): boolean {
  return INTEROP_REQUIRED.every((name) => behaviours[name]);
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export function parseProfileName(input: unknown): ProfileName {
  if (typeof input === 'string' && isProfileName(input)) return input;
  throw badRequest(`a profile is one of ${PROFILE_NAMES.join(', ')}; got ${JSON.stringify(input)}`);
}

/** Overrides of single behaviours, as an operator gives them: an object of known behaviour names to booleans. */
export function parseOverrides(input: unknown): Partial<ProfileBehaviours> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw badRequest('profile overrides are an object of behaviour names to true or false');
  const overrides: Partial<Record<BehaviourName, boolean>> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!(BEHAVIOUR_NAMES as readonly string[]).includes(name)) {
      throw badRequest(`"${name}" is not a profile behaviour; the behaviours are ${BEHAVIOUR_NAMES.join(', ')}`);
    }
    if (typeof value !== 'boolean') throw badRequest(`the override of ${name} is true or false; got ${JSON.stringify(value)}`);
    overrides[name as BehaviourName] = value;
  }
  return overrides;
}

/**
 * A tenant's behaviours: its profile's, with its overrides on top. What the store holds was
 * checked when it was written; an override naming a behaviour a later version dropped is ignored.
 */
export function resolveProfile(stored: StoredProfile): ProfileBehaviours {
  const base = PROFILES[parseProfileName(stored.name)];
  const overrides = Object.entries(stored.overrides).filter(
    ([name, value]) => (BEHAVIOUR_NAMES as readonly string[]).includes(name) && typeof value === 'boolean',
  );
  return overrides.length === 0 ? base : Object.freeze({ ...base, ...Object.fromEntries(overrides) });
}
