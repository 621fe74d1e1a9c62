import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { CursorPager, formValues, Link, Loading, Problem, useLoad } from '../ui.tsx';

/**
 * The resources of one optional type of the tenant (/Roles, /Devices…: docs/resource-types.md),
 * read-only, whatever its schema: a SCIM filter, cursor paging, each resource as SCIM returns it.
 * `id` is the type's endpoint in lowercase, as the admin API names it.
 */
export function TypedResourcesPage(props: { name?: string; id?: string }) {
  const name = props.name!;
  const endpoint = props.id!;
  const [filter, setFilter] = useState('');
  const [cursors, setCursors] = useState<string[]>(['']);
  const cursor = cursors[cursors.length - 1]!;
  const query = `count=25&cursor=${enc(cursor)}${filter ? `&filter=${enc(filter)}` : ''}`;
  const { data, error, loading } = useLoad(
    () =>
      api<{ totalResults: number; Resources: Record<string, unknown>[]; nextCursor?: string }>(
        'GET',
        `/tenants/${enc(name)}/${enc(endpoint)}?${query}`,
      ),
    [name, endpoint, query],
  );
  return (
    <>
      <h1>
        /{endpoint} of {name}
      </h1>
      <p>
        <Link to={`/tenants/${enc(name)}/resource-types`}>Resource types</Link>
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          setFilter(formValues(e)['filter'] ?? '');
          setCursors(['']);
        }}
      >
        <label>
          SCIM filter
          <input name="filter" value={filter} size={50} placeholder='value sw "a"' />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <p>
            {data.totalResults} resources{filter ? ` matching ${filter}` : ''}
          </p>
          {data.Resources.map((r) => (
            <details key={String(r['id'])}>
              <summary>{String(r['value'] ?? r['displayName'] ?? r['id'])}</summary>
              <pre class="json">{JSON.stringify(r, null, 2)}</pre>
            </details>
          ))}
          <CursorPager cursors={cursors} next={data.nextCursor} onChange={setCursors} />
        </>
      )}
    </>
  );
}
