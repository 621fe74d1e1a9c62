import { api, enc } from '../api.ts';
import { Link, Loading, Problem, useAction, useLoad } from '../ui.tsx';

interface ResourceTypeState {
  name: string;
  endpoint: string;
  description: string;
  schema: string;
  enabled: boolean;
  browsable: boolean;
}

/** docs/resource-types.md: the tenant's optional resource types, each enabled or disabled with one button. */
export function ResourceTypesPage(props: { name?: string }) {
  const name = props.name!;
  const { data, error, loading, reload } = useLoad(
    () => api<{ Resources: ResourceTypeState[] }>('GET', `/tenants/${enc(name)}/resource-types`),
    [name],
  );
  const action = useAction();
  return (
    <>
      <h1>Resource types of {name}</h1>
      <p>
        Users and groups are always there. An optional type, once enabled, appears in this tenant's <code>/ResourceTypes</code> and{' '}
        <code>/Schemas</code> and its endpoint answers; disabled, its endpoint answers 404 and its resources are kept.
      </p>
      <Problem error={action.error ?? error} />
      <Loading loading={loading} />
      {data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Schema</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.Resources.map((t) => (
              <tr key={t.name}>
                <th scope="row">/{t.endpoint}</th>
                <td>
                  <code>{t.schema}</code>
                </td>
                <td>
                  {t.enabled ? 'enabled' : 'disabled'}
                  {t.enabled && t.browsable && (
                    <>
                      {' '}
                      <Link to={`/tenants/${enc(name)}/types/${enc(t.endpoint.toLowerCase())}`}>browse</Link>
                    </>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    class={t.enabled ? 'danger' : undefined}
                    disabled={action.busy}
                    onClick={() =>
                      action.run(async () => {
                        await api(t.enabled ? 'DELETE' : 'PUT', `/tenants/${enc(name)}/resource-types/${enc(t.endpoint)}`);
                        reload();
                      })
                    }
                  >
                    {t.enabled ? `Disable ${t.endpoint}` : `Enable ${t.endpoint}`}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
