import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { invalidSyntax, invalidValue } from '../errors/scim-error.ts';
import { EXTENDED_RESOURCE_TYPES, type TenantExtension } from '../schema/custom.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { createSchemaService } from '../service/schemas.ts';
import type { Store } from '../store/ports/store.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

/** `--sub value:string,primary:boolean` → RFC 7643 §7 sub-attributes. */
function subAttributes(text: string): { name: string; type: string }[] {
  return text.split(',').map((part) => {
    const [name, type, ...rest] = part.trim().split(':');
    if (!name || rest.length > 0) throw invalidValue(`--sub expects name:type pairs separated by commas, got "${part}"`);
    return { name, type: type || 'string' };
  });
}

const attributesOf = (extension: TenantExtension) =>
  extension.schema.attributes
    .map((a) => `${a.name}:${a.type}${a.multiValued ? '[]' : ''}${a.uniqueness === 'server' ? '!' : ''}`)
    .join(' ');

function describe(extension: TenantExtension): string {
  return `${extension.resourceType}\t${extension.schema.id}${extension.required ? '\trequired' : ''}\t${attributesOf(extension)}`;
}

const service = (store: Store) => createSchemaService({ store, base: createCoreRegistry() });

interface AttributeOptions {
  tenant: string;
  schema: string;
  name: string;
  resource?: string;
  type?: string;
  multi?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  unique?: string;
  canonical?: string;
  sub?: string;
  description?: string;
}

/** `scimd schema …`: the same SchemaService as the admin API, on the configured database (docs/custom-attributes.md). */
export function registerSchemaCommands(program: Command, cli: Cli): void {
  const schema = program.command('schema').description("a tenant's extension schemas and custom attributes");

  schema
    .command('list')
    .description("list the tenant's extension schemas: resource type, schema URN, required, attributes")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option('--json', 'print a JSON array of the extensions')
    .action(
      cli.withStore<{ tenant: string; json?: boolean }>('read', async ({ store, io }, options) => {
        printList<TenantExtension>(io, await service(store).list(options.tenant), {
          json: options.json,
          noun: 'extension schemas',
          columns: [
            { header: 'RESOURCE', cell: (e) => e.resourceType },
            { header: 'SCHEMA', cell: (e) => e.schema.id },
            { header: 'REQUIRED', cell: (e) => (e.required ? 'required' : undefined) },
            { header: 'ATTRIBUTES', cell: attributesOf },
          ],
        });
      }),
    );

  schema
    .command('add-attribute')
    .description('add (or redefine) an attribute of a tenant extension')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .requiredOption('--schema <URN>', 'the extension schema (created when new)')
    .requiredOption('--name <NAME>', 'the attribute name')
    .option('--resource <TYPE>', `the resource type it extends: ${EXTENDED_RESOURCE_TYPES.join(', ')} (default: the URN's last segment)`)
    .option('--type <TYPE>', 'string, boolean, decimal, integer, dateTime, reference, binary or complex (default string)')
    .option('--multi', 'multi-valued')
    .option('--required', 'required')
    .option('--case-exact', 'compared case-sensitively')
    .option('--mutability <M>', 'readWrite, immutable or writeOnly')
    .option('--returned <R>', 'default, always, request or never')
    .option('--unique <server>', 'unique per tenant')
    .option('--canonical <a,b>', 'canonical values, comma-separated')
    .option('--sub <name:type,…>', 'sub-attributes of a complex attribute')
    .option('--description <TEXT>', 'a description')
    .action(
      cli.withStore<AttributeOptions>('write', async ({ store, io }, o) => {
        const attribute = {
          name: o.name,
          type: o.type ?? (o.sub ? 'complex' : 'string'),
          multiValued: o.multi ?? false,
          required: o.required ?? false,
          caseExact: o.caseExact ?? false,
          ...(o.mutability !== undefined ? { mutability: o.mutability } : {}),
          ...(o.returned !== undefined ? { returned: o.returned } : {}),
          ...(o.unique !== undefined ? { uniqueness: o.unique } : {}),
          ...(o.canonical !== undefined ? { canonicalValues: o.canonical.split(',').map((v) => v.trim()) } : {}),
          ...(o.sub !== undefined ? { subAttributes: subAttributes(o.sub) } : {}),
          ...(o.description !== undefined ? { description: o.description } : {}),
        };
        const saved = await service(store).addAttribute(o.tenant, {
          schemaId: o.schema,
          attribute,
          ...(o.resource !== undefined ? { resourceType: o.resource } : {}),
        });
        io.out(describe(saved));
      }),
    );

  schema
    .command('import')
    .description('import (or replace) a whole extension schema, RFC 7643 §7 JSON')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .argument('<FILE>', 'the schema JSON file')
    .option('--resource <TYPE>', `the resource type it extends: ${EXTENDED_RESOURCE_TYPES.join(', ')} (default: the URN's last segment)`)
    .option('--required', 'resources must carry the extension')
    .action(
      cli.withStore<{ tenant: string; resource?: string; required?: boolean }>('write', async ({ store, io }, options, file: string) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw invalidSyntax(`${file}: ${(error as Error).message}`);
        }
        const saved = await service(store).importSchema(options.tenant, {
          schema: parsed,
          ...(options.resource !== undefined ? { resourceType: options.resource } : {}),
          ...(options.required !== undefined ? { required: options.required } : {}),
        });
        io.out(describe(saved));
      }),
    );

  schema
    .command('remove-attribute')
    .description('remove an attribute of a tenant extension, with its values')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .requiredOption('--schema <URN>', 'the extension schema')
    .requiredOption('--name <NAME>', 'the attribute name')
    .action(
      cli.withStore<{ tenant: string; schema: string; name: string }>('write', async ({ store, io }, o) => {
        io.out(describe(await service(store).removeAttribute(o.tenant, o.schema, o.name)));
      }),
    );

  schema
    .command('remove')
    .description('remove an extension schema and its values')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .requiredOption('--schema <URN>', 'the extension schema')
    .action(
      cli.withStore<{ tenant: string; schema: string }>('write', async ({ store, io }, o) => {
        await service(store).removeSchema(o.tenant, o.schema);
        io.out(`removed ${o.schema} from tenant ${o.tenant}`);
      }),
    );
}
