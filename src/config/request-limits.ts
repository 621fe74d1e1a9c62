import { DEFAULT_FILTER_LIMITS, type FilterLimits } from '../filter/parser.ts';
import { DEFAULT_MAX_OPERATIONS } from '../patch/parse.ts';
import { type AttributeListLimits, DEFAULT_ATTRIBUTE_LIST_LIMITS } from '../schema/project.ts';

/**
 * Bounds on what one request may ask of the server (docs/limits.md). Each bound
 * crossed is a 400 whose detail names the limit; the body size (Config.maxBodyBytes) is a 413.
 */
export interface RequestLimits {
  /** Levels of `{…}` / `[…]` in a JSON body: checked before parsing, so deep input is no stack overflow. */
  readonly maxJsonDepth: number;
  /** Filters (`filter`), PATCH paths and `sortBy`: characters and `(…)`/`[…]` levels. */
  readonly filter: FilterLimits;
  /** Operations in one PATCH request. */
  readonly maxPatchOperations: number;
  /** One `attributes` / `excludedAttributes` list: characters and names. */
  readonly attributeList: AttributeListLimits;
}

/** SCIM documents nest 4 levels (User → emails → element → value); PATCH bodies 6: 32 leaves room. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

export const DEFAULT_REQUEST_LIMITS: RequestLimits = Object.freeze({
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
  filter: DEFAULT_FILTER_LIMITS,
  maxPatchOperations: DEFAULT_MAX_OPERATIONS,
  attributeList: DEFAULT_ATTRIBUTE_LIST_LIMITS,
});
