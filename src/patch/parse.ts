import { quoteInput } from '../errors/quote.ts';
import { invalidSyntax, invalidValue, noTarget } from '../errors/scim-error.ts';
import type { FilterLimits } from '../filter/parser.ts';
import { parsePatchPath } from '../filter/path.ts';
import { isJsonObject } from '../schema/json.ts';
import { atOperation } from './locate.ts';
import { PATCH_OP_SCHEMA, PATCH_OPS, type PatchOperation } from './operation.ts';

/** The architecture bounds PATCH operation counts; 1000 is far above what Entra or Okta send. */
export const DEFAULT_MAX_OPERATIONS = 1000;

export interface PatchParseOptions {
  /** Most operations one request may carry; more is 400 invalidValue. */
  readonly maxOperations?: number;
  /** Bounds on each `path` (length, filter nesting), as for filters. */
  readonly pathLimits?: Partial<FilterLimits>;
  /**
   * draft-zollner-scim-interop-profile-02 §5.5.1: every operation names its `path`; a path-less
   * one is 400 invalidSyntax. RFC 7644 §3.5.2.1 and §3.5.2.3 allow it for add and replace.
   */
  readonly requirePath?: boolean;
}

/**
 * The members of `obj` named in `names`, matched case-insensitively: Microsoft asks servers not
 * to require case-sensitive structural names. Other members (Entra's top-level `id`, per-operation
 * `name`) are ignored. Two spellings of one member are ambiguous, so refused.
 */
export function pick<K extends string>(obj: Record<string, unknown>, names: readonly K[], where: string): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  const seen = new Set<K>();
  for (const key of Object.keys(obj)) {
    const name = names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined) continue;
    if (seen.has(name)) throw invalidSyntax(`${where} has "${name}" more than once`);
    seen.add(name);
    out[name] = obj[key];
  }
  return out;
}

function parseOperation(raw: unknown, options: PatchParseOptions): PatchOperation {
  if (!isJsonObject(raw)) throw invalidSyntax('an operation must be a JSON object');
  const { op: rawOp, path: rawPath, value } = pick(raw, ['op', 'path', 'value'], 'the operation');
  const op = typeof rawOp === 'string' ? PATCH_OPS.find((o) => o === rawOp.toLowerCase()) : undefined;
  if (op === undefined)
    throw invalidSyntax(`"op" must be "add", "remove" or "replace", found ${rawOp === undefined ? 'nothing' : quoteInput(rawOp)}`);
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') throw invalidSyntax('"path" must be a string');
  const pathText = typeof rawPath === 'string' ? rawPath : undefined;
  if (pathText === undefined && options.requirePath) {
    throw invalidSyntax(
      `"${op}" requires a "path" here: this tenant follows the SCIM interoperability profile (one attribute per operation)`,
    );
  }
  if (op === 'remove') {
    if (pathText === undefined) throw noTarget('"remove" requires a "path" (RFC 7644 §3.5.2.2)');
  } else if (value === undefined) {
    throw invalidValue(`"${op}" requires a "value"`);
  } else if (pathText === undefined && !isJsonObject(value)) {
    throw invalidValue(`"${op}" without a "path" needs a JSON object "value" naming the attributes to change (RFC 7644 §3.5.2)`);
  }
  const path = pathText === undefined ? undefined : parsePatchPath(pathText, options.pathLimits);
  return { op, path, pathText, value };
}

/**
 * Checks an RFC 7644 §3.5.2 PatchOp body and returns its operations with parsed paths.
 * Structure errors are 400 invalidSyntax; a path's syntax 400 invalidPath (invalidFilter inside its
 * brackets, per §3.12 Table 9); add/replace without value 400 invalidValue; remove without path
 * 400 noTarget (§3.5.2.2). Op names and member names are matched in any case.
 */
export function parsePatchRequest(body: unknown, options: PatchParseOptions = {}): PatchOperation[] {
  if (!isJsonObject(body)) throw invalidSyntax('the PATCH body must be a JSON object');
  const { schemas, Operations: operations } = pick(body, ['schemas', 'Operations'], 'the PATCH body');
  const wanted = PATCH_OP_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === wanted)) {
    throw invalidSyntax(`"schemas" must contain "${PATCH_OP_SCHEMA}"`);
  }
  if (!Array.isArray(operations) || operations.length === 0) throw invalidSyntax('"Operations" must be a non-empty array');
  // tooMany (RFC 7644 §3.12) is about filters yielding too many results; an oversized request is
  // a value the server will not accept, hence invalidValue.
  const max = options.maxOperations ?? DEFAULT_MAX_OPERATIONS;
  if (operations.length > max) throw invalidValue(`"Operations" has ${operations.length} operations; at most ${max} are accepted`);
  return operations.map((raw, i) => atOperation(i, () => parseOperation(raw, options)));
}
