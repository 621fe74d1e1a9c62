import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { invalidSyntax, invalidValue } from '../errors/scim-error.ts';
import type { TenantExtension } from '../schema/custom.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { createSchemaService } from '../service/schemas.ts';
import { openStore } from '../store/open.ts';

type Output = (line: string) => void;

export const SCHEMA_USAGE = `  schema list --tenant NAME [--json]         list the tenant's extension schemas
  schema add-attribute --tenant NAME --schema URN --name NAME [--resource User|Group] [--type TYPE]
        [--multi] [--required] [--case-exact] [--mutability readWrite|immutable|writeOnly]
        [--returned default|always|request|never] [--unique server] [--canonical a,b]
        [--sub name:type,…] [--description TEXT]
                                           add (or redefine) an attribute of a tenant extension
  schema import --tenant NAME FILE [--resource User|Group] [--required]
                                           import (or replace) a whole schema, RFC 7643 §7 JSON
  schema remove-attribute --tenant NAME --schema URN --name NAME
  schema remove --tenant NAME --schema URN   remove an extension schema and its values`;

/** `--sub value:string,primary:boolean` → RFC 7643 §7 sub-attributes. */
function subAttributes(text: string): { name: string; type: string }[] {
  return text.split(',').map((part) => {
    const [name, type, ...rest] = part.trim().split(':');
    if (!name || rest.length > 0) throw invalidValue(`--sub expects name:type pairs separated by commas, got "${part}"`);
    return { name, type: type || 'string' };
  });
}

function describe(extension: TenantExtension): string {
  const attributes = extension.schema.attributes.map(
    (a) => `${a.name}:${a.type}${a.multiValued ? '[]' : ''}${a.uniqueness === 'server' ? '!' : ''}`,
  );
  return `${extension.resourceType}\t${extension.schema.id}${extension.required ? '\trequired' : ''}\t${attributes.join(' ')}`;
}

/** `scimd schema …`: the same SchemaService as the admin API, on the configured database. */
export async function schemaCommand(
  config: Config,
  sub: string | undefined,
  args: readonly string[],
  out: Output,
  err: Output,
): Promise<number> {
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    const schemas = createSchemaService({ store, base: createCoreRegistry() });
    switch (sub) {
      case 'list': {
        const { values } = parseArgs({ args: [...args], options: { tenant: { type: 'string' }, json: { type: 'boolean' } } });
        if (!values.tenant) return usage(err);
        const list = await schemas.list(values.tenant);
        if (values.json) out(JSON.stringify(list));
        else for (const extension of list) out(describe(extension));
        return 0;
      }
      case 'add-attribute': {
        const { values } = parseArgs({
          args: [...args],
          options: {
            tenant: { type: 'string' },
            resource: { type: 'string' },
            schema: { type: 'string' },
            name: { type: 'string' },
            type: { type: 'string' },
            multi: { type: 'boolean' },
            required: { type: 'boolean' },
            'case-exact': { type: 'boolean' },
            mutability: { type: 'string' },
            returned: { type: 'string' },
            unique: { type: 'string' },
            canonical: { type: 'string' },
            sub: { type: 'string' },
            description: { type: 'string' },
          },
        });
        if (!values.tenant || !values.schema || !values.name) return usage(err);
        const attribute = {
          name: values.name,
          type: values.type ?? (values.sub ? 'complex' : 'string'),
          multiValued: values.multi ?? false,
          required: values.required ?? false,
          caseExact: values['case-exact'] ?? false,
          ...(values.mutability !== undefined ? { mutability: values.mutability } : {}),
          ...(values.returned !== undefined ? { returned: values.returned } : {}),
          ...(values.unique !== undefined ? { uniqueness: values.unique } : {}),
          ...(values.canonical !== undefined ? { canonicalValues: values.canonical.split(',').map((v) => v.trim()) } : {}),
          ...(values.sub !== undefined ? { subAttributes: subAttributes(values.sub) } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
        };
        const saved = await schemas.addAttribute(values.tenant, {
          schemaId: values.schema,
          attribute,
          ...(values.resource !== undefined ? { resourceType: values.resource } : {}),
        });
        out(describe(saved));
        return 0;
      }
      case 'import': {
        const { values, positionals } = parseArgs({
          args: [...args],
          allowPositionals: true,
          options: { tenant: { type: 'string' }, resource: { type: 'string' }, required: { type: 'boolean' } },
        });
        if (!values.tenant || positionals.length !== 1) return usage(err);
        let schema: unknown;
        try {
          schema = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
        } catch (error) {
          throw invalidSyntax(`${positionals[0]}: ${(error as Error).message}`);
        }
        const saved = await schemas.importSchema(values.tenant, {
          schema,
          ...(values.resource !== undefined ? { resourceType: values.resource } : {}),
          ...(values.required !== undefined ? { required: values.required } : {}),
        });
        out(describe(saved));
        return 0;
      }
      case 'remove-attribute': {
        const { values } = parseArgs({
          args: [...args],
          options: { tenant: { type: 'string' }, schema: { type: 'string' }, name: { type: 'string' } },
        });
        if (!values.tenant || !values.schema || !values.name) return usage(err);
        out(describe(await schemas.removeAttribute(values.tenant, values.schema, values.name)));
        return 0;
      }
      case 'remove': {
        const { values } = parseArgs({ args: [...args], options: { tenant: { type: 'string' }, schema: { type: 'string' } } });
        if (!values.tenant || !values.schema) return usage(err);
        await schemas.removeSchema(values.tenant, values.schema);
        out(`removed ${values.schema} from tenant ${values.tenant}`);
        return 0;
      }
      default:
        return usage(err);
    }
  } finally {
    await store.close();
  }
}

function usage(err: Output): number {
  err(`usage:\n${SCHEMA_USAGE}`);
  return 1;
}
