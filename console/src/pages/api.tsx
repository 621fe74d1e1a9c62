import { api, enc } from '../api.ts';
import { Loading, Problem, useLoad } from '../ui.tsx';

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: ({ name?: string; $ref?: string } | undefined)[];
}
interface SchemaObject {
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  $ref?: string;
}
interface OpenApi {
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject>; parameters?: Record<string, { name: string }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

/** A parameter's name, whether written in place or as a $ref to components.parameters. */
function parameterName(doc: OpenApi, p: { name?: string; $ref?: string } | undefined): string {
  if (p?.name) return p.name;
  const key = p?.$ref?.split('/').pop();
  return (key && doc.components.parameters?.[key]?.name) || key || '?';
}

function typeOf(s: SchemaObject | undefined): string {
  if (!s) return '';
  if (s.$ref) return s.$ref.split('/').pop() ?? '';
  if (s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) return `${typeOf(s.items)}[]`;
  return Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? (s.properties ? 'object' : ''));
}

/**
 * The tenant's SCIM API as its OpenAPI document describes it (docs/operations.md): every operation,
 * then every resource type's attributes, custom ones included. The document itself is one click
 * away, for tools that read OpenAPI.
 */
export function ApiPage(props: { name?: string }) {
  const name = props.name!;
  const { data, error, loading } = useLoad(() => api<OpenApi>('GET', `/tenants/${enc(name)}/openapi.json`), [name]);
  const operations = data
    ? Object.entries(data.paths).flatMap(([path, item]) =>
        METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase(), operation: item[m]! })),
      )
    : [];
  const resourceSchemas = data
    ? Object.entries(data.components.schemas)
        .filter(([, s]) => s.properties !== undefined)
        // Resource types (they have an id) before the protocol messages.
        .sort(([, a], [, b]) => Number('id' in (b.properties ?? {})) - Number('id' in (a.properties ?? {})))
    : [];
  return (
    <>
      <h1>SCIM API of {name}</h1>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <p>
            {data.info.title}, scimd {data.info.version}. The same document is served at <code>/openapi.json</code> below the tenant's SCIM
            URL, with the tenant's token;{' '}
            <a href={`/admin/tenants/${enc(name)}/openapi.json`} download={`scimd-${name}-openapi.json`}>
              download it
            </a>
            .
          </p>
          <h2>Operations</h2>
          <table class="api-operations">
            <thead>
              <tr>
                <th>Method</th>
                <th>Path</th>
                <th>What</th>
                <th>Parameters</th>
              </tr>
            </thead>
            <tbody>
              {operations.map(({ path, method, operation }) => (
                <tr key={`${method} ${path}`}>
                  <td>{method}</td>
                  <td>
                    <code>{path}</code>
                  </td>
                  <td>{operation.summary ?? operation.operationId ?? ''}</td>
                  <td>{(operation.parameters ?? []).map((p) => parameterName(data, p)).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Schemas</h2>
          {resourceSchemas.map(([key, schema]) => (
            <section key={key}>
              <h3>{key}</h3>
              <table class="api-schema">
                <thead>
                  <tr>
                    <th>Attribute</th>
                    <th>Type</th>
                    <th>Description</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(schema.properties ?? {}).map(([attribute, s]) => (
                    <tr key={attribute}>
                      <td>
                        <code>{attribute}</code>
                      </td>
                      <td>{typeOf(s)}</td>
                      <td>{s.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </>
      )}
    </>
  );
}
