import { api, enc } from '../api.ts';
import { TokenManager } from '../token-manager.tsx';
import { Loading, Problem, useAction, useLoad, When } from '../ui.tsx';

interface Lockout {
  userName: string;
  failures: number;
  locked: boolean;
  lockedUntil: string | null;
  lastFailureAt: string;
}

/** POST /auth/verify of a tenant (docs/password-sync.md): its verify tokens, its lockouts and its setting. */
export function PasswordVerifyPage(props: { name?: string }) {
  const name = props.name!;
  const lockouts = useLoad(() => api<{ lockouts: Lockout[] }>('GET', `/tenants/${enc(name)}/lockouts`), [name]);
  const settings = useLoad(() => api<{ clearLockoutOnPasswordChange: boolean }>('GET', `/tenants/${enc(name)}/verify-settings`), [name]);
  const action = useAction();
  return (
    <>
      <h1>Password checks of {name}</h1>
      <p>
        The product's own modules check a synchronised password with <code>POST /auth/verify</code> and a verify token of this tenant. A
        verify token opens nothing else, and no SCIM or admin token opens the check.
      </p>
      <TokenManager
        collection={`/tenants/${enc(name)}/verify-tokens`}
        tokenPath="/verify-tokens"
        noun="verify token"
        labelPlaceholder="login"
      />
      <Problem error={action.error ?? lockouts.error ?? settings.error} />
      <Loading loading={lockouts.loading} />
      <section aria-labelledby="lockouts">
        <h2 id="lockouts">Lockouts</h2>
        <p>
          userNames with failed checks in a row, known to the tenant or not. A locked one is refused whatever the password, until the time
          shown or until cleared.
        </p>
        {settings.data && (
          <label>
            <input
              type="checkbox"
              checked={settings.data.clearLockoutOnPasswordChange}
              onChange={(e) =>
                action.run(async () => {
                  await api('PUT', `/tenants/${enc(name)}/verify-settings`, {
                    clearLockoutOnPasswordChange: (e.target as HTMLInputElement).checked,
                  });
                  settings.reload();
                })
              }
            />
            A password the identity provider changes ends the user's lockout
          </label>
        )}
        {lockouts.data && (
          <table>
            <caption>{lockouts.data.lockouts.length} userNames with failures</caption>
            <thead>
              <tr>
                <th scope="col">userName</th>
                <th scope="col">Failures</th>
                <th scope="col">Locked until</th>
                <th scope="col">Last failure</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {lockouts.data.lockouts.map((l) => (
                <tr key={l.userName}>
                  <th scope="row">{l.userName}</th>
                  <td>{l.failures}</td>
                  <td>{l.locked ? <When time={l.lockedUntil} /> : 'not locked'}</td>
                  <td>
                    <When time={l.lastFailureAt} />
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      onClick={() =>
                        action.run(async () => {
                          await api('DELETE', `/tenants/${enc(name)}/lockouts/${enc(l.userName)}`);
                          lockouts.reload();
                        })
                      }
                    >
                      Clear {l.userName}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
