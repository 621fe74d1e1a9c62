/**
 * The one table of legal (status, scimType) pairs: RFC 7644 §3.12 Table 9, plus RFC 9865 §2.3
 * cursor errors, and the delta query draft's expiredDeltaToken (draft-sehgal-scim-delta-query-01 §7). Every ScimError is checked against it at construction.
 */
export const SCIM_TYPES = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
  'invalidCursor',
  'expiredCursor',
  'invalidCount',
  'expiredDeltaToken',
] as const;

export type ScimType = (typeof SCIM_TYPES)[number];

/** Which HTTP statuses each scimType may travel with. */
export const STATUS_FOR_SCIM_TYPE: Readonly<Record<ScimType, readonly number[]>> = {
  invalidFilter: [400],
  tooMany: [400],
  uniqueness: [409],
  mutability: [400],
  invalidSyntax: [400],
  invalidPath: [400],
  noTarget: [400],
  invalidValue: [400],
  invalidVers: [400],
  sensitive: [403],
  invalidCursor: [400],
  expiredCursor: [400],
  invalidCount: [400],
  expiredDeltaToken: [400],
};
