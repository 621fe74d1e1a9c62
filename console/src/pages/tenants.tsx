import { api, enc } from '../api.ts';
import { navigate } from '../router.ts';
import { formValues, Link, Loading, Problem, TypedConfirm, useAction, useLoad, When } from '../ui.tsx';

interface TenantRow {
  name: string;
  disabled: boolean;
  createdAt: string;
  users: number;
  groups: number;
  requests: number;
  errors: number;
  lastRequest: { time: string; client: string } | null;
}

export function TenantsPage() {
  const { data, error, loading, reload } = useLoad(() => api<{ tenants: TenantRow[] }>('GET', '/console/tenants'), []);
  const action = useAction();
  return (
    <>
      <h1>Tenants</h1>
      <form
        class="inline"
        onSubmit={(e) => {
          const { name } = formValues(e);
          void action.run(async () => {
            await api('POST', '/tenants', { name });
            navigate(`/tenants/${enc(name!)}`);
          });
        }}
      >
        <label>
          New tenant name
          <input name="name" required pattern="[a-z0-9][a-z0-9_\-]{0,62}" placeholder="contoso" />
        </label>
        <button type="submit" disabled={action.busy}>
          Create tenant
        </button>
      </form>
      <Problem error={action.error ?? error} />
      <Loading loading={loading} />
      {data && (
        <table>
          <caption>{data.tenants.length} tenants</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Users</th>
              <th scope="col">Groups</th>
              <th scope="col">Requests (24 h)</th>
              <th scope="col">Errors (24 h)</th>
              <th scope="col">Last activity</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.tenants.map((t) => (
              <tr key={t.name}>
                <th scope="row">
                  <Link to={`/tenants/${enc(t.name)}`}>{t.name}</Link>
                </th>
                <td>{t.users}</td>
                <td>{t.groups}</td>
                <td>{t.requests}</td>
                <td>{t.errors}</td>
                <td>
                  <When time={t.lastRequest?.time} />
                </td>
                <td>{t.disabled ? 'disabled' : 'active'}</td>
                <td class="actions">
                  <button
                    type="button"
                    onClick={() =>
                      action.run(async () => {
                        await api('POST', `/tenants/${enc(t.name)}/${t.disabled ? 'enable' : 'disable'}`);
                        reload();
                      })
                    }
                  >
                    {t.disabled ? `Enable ${t.name}` : `Disable ${t.name}`}
                  </button>
                  <TypedConfirm
                    action={`Delete ${t.name}`}
                    expected={t.name}
                    onConfirm={async () => {
                      await api('DELETE', `/tenants/${enc(t.name)}`);
                      reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
