import { readFileSync } from 'node:fs';

/**
 * A validator for the subset of JSON Schema 2020-12 that docs/event.schema.json uses (type,
 * const, enum, required, properties, additionalProperties, items, minItems, minimum, pattern,
 * local $ref, allOf, if/then, false schemas). Unknown keywords fail loudly so that the schema
 * cannot silently outgrow the validator. No package: the contract file is the source of truth.
 */
type Schema = boolean | Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'minimum',
  'pattern',
  '$ref',
  'allOf',
  'if',
  'then',
]);

const schemaPath = new URL('../../../docs/event.schema.json', import.meta.url);
export const EVENT_SCHEMA = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      throw new Error(`schema type ${type} not supported by the test validator`);
  }
}

function check(root: Record<string, unknown>, schema: Schema, value: unknown, path: string, errors: string[]): void {
  if (schema === true) return;
  if (schema === false) {
    errors.push(`${path}: must be absent`);
    return;
  }
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`keyword ${key} not supported by the test validator`);
  if (typeof schema['$ref'] === 'string') {
    const name = (schema['$ref'] as string).replace('#/$defs/', '');
    check(root, (root['$defs'] as Record<string, Schema>)[name]!, value, path, errors);
  }
  if (schema['type'] !== undefined && !typeOk(schema['type'] as string, value)) {
    errors.push(`${path}: expected ${String(schema['type'])}`);
    return;
  }
  if ('const' in schema && JSON.stringify(schema['const']) !== JSON.stringify(value))
    errors.push(`${path}: expected ${JSON.stringify(schema['const'])}`);
  if (schema['enum'] && !(schema['enum'] as unknown[]).includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof schema['pattern'] === 'string' && typeof value === 'string' && !new RegExp(schema['pattern']).test(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema['pattern']}`);
  }
  if (typeof schema['minimum'] === 'number' && typeof value === 'number' && value < schema['minimum'])
    errors.push(`${path}: below ${schema['minimum']}`);
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems'])
      errors.push(`${path}: fewer than ${schema['minItems']} items`);
    if (schema['items'] !== undefined) value.forEach((item, i) => check(root, schema['items'] as Schema, item, `${path}[${i}]`, errors));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema['required'] as string[] | undefined) ?? []) if (!(key in obj)) errors.push(`${path}.${key}: required`);
    const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) if (key in obj) check(root, sub, obj[key], `${path}.${key}`, errors);
    if (schema['additionalProperties'] === false) {
      for (const key of Object.keys(obj)) if (!(key in props)) errors.push(`${path}.${key}: not allowed`);
    }
  }
  for (const sub of (schema['allOf'] as Schema[] | undefined) ?? []) check(root, sub, value, path, errors);
  if (schema['if'] !== undefined) {
    const probe: string[] = [];
    check(root, schema['if'] as Schema, value, path, probe);
    if (probe.length === 0 && schema['then'] !== undefined) check(root, schema['then'] as Schema, value, path, errors);
  }
}

/** The reasons `value` is not a valid event; empty when it is. */
export function eventSchemaErrors(value: unknown): string[] {
  const errors: string[] = [];
  check(EVENT_SCHEMA, EVENT_SCHEMA, value, '$', errors);
  return errors;
}

/** Throws with every reason when `value` is not a valid event. */
export function assertValidEvent(value: unknown): void {
  const errors = eventSchemaErrors(value);
  if (errors.length > 0) throw new Error(`invalid event ${JSON.stringify(value)}:\n  ${errors.join('\n  ')}`);
}
