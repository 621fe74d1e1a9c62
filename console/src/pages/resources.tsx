import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { currentPath } from '../router.ts';
import { CursorPager, formValues, Link, Loading, Problem, useLoad } from '../ui.tsx';

interface Resource {
  id: string;
  userName?: string;
  displayName?: string;
  active?: boolean;
  emails?: { value: string; primary?: boolean }[];
  groups?: { value: string; display?: string; type?: string }[];
  members?: { value: string; display?: string; type?: string }[];
}

const kindOf = () => (currentPath().split('/')[3] === 'groups' ? 'groups' : 'users');

export function ResourcesPage(props: { name?: string }) {
  const name = props.name!;
  const kind = kindOf();
  const [filter, setFilter] = useState('');
  const [cursors, setCursors] = useState<string[]>(['']);
  const cursor = cursors[cursors.length - 1]!;
  const query = `count=25&cursor=${enc(cursor)}${filter ? `&filter=${enc(filter)}` : ''}`;
  const { data, error, loading } = useLoad(
    () => api<{ totalResults: number; Resources: Resource[]; nextCursor?: string }>('GET', `/tenants/${enc(name)}/${kind}?${query}`),
    [name, kind, query],
  );
  return (
    <>
      <h1>
        {kind === 'users' ? 'Users' : 'Groups'} of {name}
      </h1>
      <form
        class="inline"
        onSubmit={(e) => {
          setFilter(formValues(e)['filter'] ?? '');
          setCursors(['']);
        }}
      >
        <label>
          SCIM filter
          <input name="filter" value={filter} size={50} placeholder={kind === 'users' ? 'userName sw "a"' : 'displayName co "sales"'} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <table>
            <caption>
              {data.totalResults} {kind}
              {filter ? ` matching ${filter}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">{kind === 'users' ? 'userName' : 'displayName'}</th>
                <th scope="col">{kind === 'users' ? 'displayName' : 'members'}</th>
                {kind === 'users' && <th scope="col">active</th>}
              </tr>
            </thead>
            <tbody>
              {data.Resources.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/tenants/${enc(name)}/${kind}/${enc(r.id)}`}>{(kind === 'users' ? r.userName : r.displayName) ?? r.id}</Link>
                  </th>
                  <td>{kind === 'users' ? (r.displayName ?? '—') : (r.members?.length ?? 0)}</td>
                  {kind === 'users' && <td>{r.active === false ? 'no' : 'yes'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          <CursorPager cursors={cursors} next={data.nextCursor} onChange={setCursors} />
        </>
      )}
    </>
  );
}

export function ResourcePage(props: { name?: string; id?: string }) {
  const name = props.name!;
  const id = props.id!;
  const kind = kindOf();
  const { data, error, loading } = useLoad(() => api<Resource>('GET', `/tenants/${enc(name)}/${kind}/${enc(id)}`), [name, kind, id]);
  const related = kind === 'users' ? data?.groups : data?.members;
  return (
    <>
      <h1>{data ? ((kind === 'users' ? data.userName : data.displayName) ?? id) : id}</h1>
      <p>
        <Link to={`/tenants/${enc(name)}/${kind}`}>All {kind}</Link>
      </p>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <h2>{kind === 'users' ? 'Groups (direct and indirect)' : 'Members'}</h2>
          {related && related.length > 0 ? (
            <ul class="related">
              {related.map((g) => (
                <li key={g.value}>
                  {kind === 'users' || g.type === 'Group' ? (
                    <Link to={`/tenants/${enc(name)}/groups/${enc(g.value)}`}>{g.display ?? g.value}</Link>
                  ) : (
                    <Link to={`/tenants/${enc(name)}/users/${enc(g.value)}`}>{g.display ?? g.value}</Link>
                  )}{' '}
                  {g.type && <span class="tag">{g.type}</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p>None.</p>
          )}
          <h2>As SCIM returns it</h2>
          <pre class="json">{JSON.stringify(data, null, 2)}</pre>
        </>
      )}
    </>
  );
}
