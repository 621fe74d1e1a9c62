import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { formValues, Loading, Problem, ShownOnce, useAction, useLoad, When } from '../ui.tsx';

interface Token {
  id: string;
  label: string | null;
  state: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

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
  const tokens = useLoad(() => api<{ tokens: Token[] }>('GET', `/tenants/${enc(name)}/verify-tokens`), [name]);
  const lockouts = useLoad(() => api<{ lockouts: Lockout[] }>('GET', `/tenants/${enc(name)}/lockouts`), [name]);
  const settings = useLoad(() => api<{ clearLockoutOnPasswordChange: boolean }>('GET', `/tenants/${enc(name)}/verify-settings`), [name]);
  const [secret, setSecret] = useState<{ label: string; value: string }>();
  const action = useAction();
  return (
    <>
      <h1>Password checks of {name}</h1>
      <p>
        The product's own modules check a synchronised password with <code>POST /auth/verify</code> and a verify token of this tenant. A
        verify token opens nothing else, and no SCIM or admin token opens the check.
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          const { label, expires } = formValues(e);
          void action.run(async () => {
            const minted = await api<{ id: string; token: string }>('POST', `/tenants/${enc(name)}/verify-tokens`, {
              ...(label ? { label } : {}),
              ...(expires ? { expires } : {}),
            });
            setSecret({ label: `New verify token ${minted.id}`, value: minted.token });
            tokens.reload();
          });
        }}
      >
        <label>
          Label
          <input name="label" placeholder="login" maxLength={200} />
        </label>
        <label>
          Expires after
          <input name="expires" placeholder="365d" pattern="\d+[dhm]" />
        </label>
        <button type="submit" disabled={action.busy}>
          Mint verify token
        </button>
      </form>
      {secret && <ShownOnce label={secret.label} value={secret.value} />}
      <Problem error={action.error ?? tokens.error ?? lockouts.error ?? settings.error} />
      <Loading loading={tokens.loading || lockouts.loading} />
      {tokens.data && (
        <table>
          <caption>{tokens.data.tokens.length} verify tokens</caption>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Label</th>
              <th scope="col">State</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.id}</th>
                <td>{t.label ?? '—'}</td>
                <td>{t.state}</td>
                <td>{t.expiresAt ? <When time={t.expiresAt} /> : 'never'}</td>
                <td>
                  <When time={t.lastUsedAt} />
                </td>
                <td class="actions">
                  {t.state === 'active' && (
                    <>
                      <button
                        type="button"
                        onClick={() =>
                          action.run(async () => {
                            const rotated = await api<{ token: { id: string; token: string } }>(
                              'POST',
                              `/verify-tokens/${enc(t.id)}/rotate`,
                              {
                                overlap: '24h',
                              },
                            );
                            setSecret({
                              label: `Successor of ${t.id}: ${rotated.token.id} (the old one works 24h more)`,
                              value: rotated.token.token,
                            });
                            tokens.reload();
                          })
                        }
                      >
                        Rotate {t.id}
                      </button>
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          action.run(async () => {
                            await api('DELETE', `/verify-tokens/${enc(t.id)}`);
                            tokens.reload();
                          })
                        }
                      >
                        Revoke {t.id}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
