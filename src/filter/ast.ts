import type { ResolvedAttribute } from '../schema/registry.ts';

/** RFC 7644 §3.4.2.2 Table 3 comparison operators (`pr` is a node kind of its own). */
export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

/** compValue of the ABNF: false / null / true / number / string. */
export type FilterLiteral = string | number | boolean | null;

/** attrPath = [URI ":"] ATTRNAME *1subAttr, as written (names not yet resolved). */
export interface AttrPath {
  readonly uri: string | undefined;
  readonly name: string;
  readonly subAttr: string | undefined;
  /** 0-based character offset in the filter text, for error messages. */
  readonly offset: number;
}

/** The parsed filter: a tree of immutable nodes, discriminated by `kind`. */
export type Filter =
  | {
      readonly kind: 'compare';
      readonly path: AttrPath;
      readonly op: CompareOp;
      readonly value: FilterLiteral;
      /**
       * A number as written, when the parse reads unquoted values (FilterSyntax) and this one was a
       * number: a string attribute compares with this text (`externalId eq 0012` is "0012").
       */
      readonly numberText?: string;
    }
  | { readonly kind: 'present'; readonly path: AttrPath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /** `emails[type eq "work"]`: path names a multi-valued attribute; inner paths are its sub-attributes. */
  | { readonly kind: 'valuePath'; readonly path: AttrPath; readonly filter: Filter };

/** A comparison value converted to the type of the attribute it is compared with. */
export type TypedValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'number'; readonly value: number }
  /** `value` as written (ISO 8601); `epochMs` for comparing instants. */
  | { readonly type: 'dateTime'; readonly value: string; readonly epochMs: number }
  | { readonly type: 'null' };

/**
 * The filter after resolution against a resource type's schemas: every attribute known, every
 * value typed, every operator checked against the attribute's type. Compilers (SQL) and the
 * in-memory evaluator work only on this form.
 *
 * Inside a valuePath, `attr` of the inner nodes names the sub-attribute of the valuePath's
 * attribute (attr.attribute is the multi-valued parent, attr.subAttribute the compared one).
 */
export type ResolvedFilter =
  | { readonly kind: 'compare'; readonly attr: ResolvedAttribute; readonly op: CompareOp; readonly value: TypedValue }
  | { readonly kind: 'present'; readonly attr: ResolvedAttribute }
  | { readonly kind: 'and'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'or'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'not'; readonly filter: ResolvedFilter }
  | { readonly kind: 'valuePath'; readonly attr: ResolvedAttribute; readonly filter: ResolvedFilter };

/** Exhaustiveness guard for `switch (node.kind)`. */
export function assertNever(value: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(value)}`);
}
