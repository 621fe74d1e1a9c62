import { api, enc } from '../api.ts';
import { formValues, Loading, Problem, useAction, useLoad } from '../ui.tsx';

type Behaviours = Record<string, boolean>;

/** What the tenant answers carry of its profile (GET /admin/tenants/{name}). */
export interface TenantProfile {
  profile: string;
  profileOverrides: Behaviours;
  behaviours: Behaviours;
}

/**
 * The tenant's compatibility profile (docs/profiles.md): which one, what it does, and a change of
 * profile that keeps the tenant's overrides. The profiles and their behaviours come from the server.
 */
export function ProfileSection(props: { name: string; tenant: TenantProfile; onChange: () => void }) {
  const { name, tenant } = props;
  const profiles = useLoad(() => api<{ profiles: Record<string, Behaviours> }>('GET', '/profiles'), []);
  const action = useAction();
  const overridden = Object.keys(tenant.profileOverrides);
  const save = (profile: string, overrides: Behaviours) =>
    action.run(async () => {
      await api('PUT', `/tenants/${enc(name)}/profile`, { profile, overrides });
      props.onChange();
    });
  return (
    <>
      <h2>Compatibility profile</h2>
      <p>
        How strictly scimd reads what this tenant's identity provider sends: <code>lenient</code> accepts every dialect of Entra ID and
        Okta, <code>strict</code> follows the SCIM interoperability profile, <code>entra</code> and <code>okta</code> are for those clients.
      </p>
      <Problem error={action.error ?? profiles.error} />
      <Loading loading={profiles.loading} />
      {profiles.data && (
        <form
          class="inline"
          onSubmit={(e) => {
            const { profile } = formValues(e);
            void save(profile!, tenant.profileOverrides);
          }}
        >
          <label>
            Profile
            <select name="profile" value={tenant.profile}>
              {Object.keys(profiles.data.profiles).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={action.busy}>
            Save profile
          </button>
          {overridden.length > 0 && (
            <button type="button" disabled={action.busy} onClick={() => void save(tenant.profile, {})}>
              Clear overrides
            </button>
          )}
        </form>
      )}
      <table>
        <caption>
          What profile {tenant.profile} does for {name}
        </caption>
        <thead>
          <tr>
            <th scope="col">Behaviour</th>
            <th scope="col">On</th>
            <th scope="col">Set apart from the profile</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(tenant.behaviours).map(([behaviour, on]) => (
            <tr key={behaviour}>
              <th scope="row">
                <code>{behaviour}</code>
              </th>
              <td>{on ? 'yes' : 'no'}</td>
              <td>{overridden.includes(behaviour) ? 'yes (override)' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
