import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { formValues, Loading, Problem, ShownOnce, useAction, useLoad, When } from '../ui.tsx';

interface Secret {
  id: string;
  hint: string;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  lastUsedAt: string | null;
}

interface Client {
  clientId: string;
  name: string;
  tokenLifetimeSeconds: number;
  jwks?: unknown;
  federatedSubject?: string;
  secrets: Secret[];
  createdAt: string;
}

interface Issued {
  client_id: string;
  client_secret?: string;
}

/**
 * scimd's own OAuth 2.0 clients of a tenant (docs/oauth.md): what Entra ID's "OAuth2 client
 * credentials grant" asks for — token endpoint, client identifier, client secret (shown once).
 */
export function OAuthClientsPage(props: { name?: string }) {
  const name = props.name!;
  const base = `/tenants/${enc(name)}/oauth/clients`;
  const clients = useLoad(() => api<{ clients: Client[] }>('GET', base), [name]);
  const [issued, setIssued] = useState<{ label: string; value: string }>();
  const action = useAction();
  const tokenEndpoint = `${location.origin}/oauth/token`;
  return (
    <>
      <h1>OAuth clients of {name}</h1>
      <p>
        An identity provider that uses the OAuth 2.0 client credentials grant (Entra ID: <em>OAuth2 client credentials grant</em>) gets
        short-lived access tokens for this tenant from the token endpoint <code>{tokenEndpoint}</code> with a client identifier and a client
        secret. A secret is shown once; a client may have several, each with its own expiry, so that it can be rotated.
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          const values = formValues(e);
          void action.run(async () => {
            const created = await api<Issued>('POST', base, {
              ...(values['clientName'] ? { name: values['clientName'] } : {}),
              ...(values['lifetime'] ? { tokenLifetimeSeconds: Number(values['lifetime']) * 60 } : {}),
              ...(values['days'] ? { secretExpiresInDays: Number(values['days']) } : {}),
            });
            setIssued({ label: `Client secret of ${created.client_id}`, value: created.client_secret ?? '' });
            clients.reload();
          });
        }}
      >
        <label>
          Client name
          <input name="clientName" placeholder="Entra ID" maxLength={200} />
        </label>
        <label>
          Token lifetime (minutes)
          <input name="lifetime" type="number" min={60} max={360} placeholder="60" />
        </label>
        <label>
          Secret expires after (days)
          <input name="days" type="number" min={1} max={730} placeholder="180" />
        </label>
        <button type="submit" disabled={action.busy}>
          Create client
        </button>
      </form>
      {issued && <ShownOnce label={issued.label} value={issued.value} />}
      <Problem error={action.error ?? clients.error} />
      <Loading loading={clients.loading} />
      {clients.data && (
        <table>
          <caption>{clients.data.clients.length} OAuth clients</caption>
          <thead>
            <tr>
              <th scope="col">Client identifier</th>
              <th scope="col">Name</th>
              <th scope="col">Token lifetime</th>
              <th scope="col">Secrets</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {clients.data.clients.map((c) => (
              <tr key={c.clientId}>
                <th scope="row">
                  <code>{c.clientId}</code>
                </th>
                <td>{c.name}</td>
                <td>{c.tokenLifetimeSeconds / 60} min</td>
                <td>
                  <ul>
                    {c.secrets.map((s) => (
                      <li key={s.id}>
                        <code>{s.hint}…</code> {s.expired ? 'expired' : 'expires'} <When time={s.expiresAt} />, last used{' '}
                        <When time={s.lastUsedAt} />{' '}
                        <button
                          type="button"
                          onClick={() =>
                            action.run(async () => {
                              await api('DELETE', `${base}/${enc(c.clientId)}/secrets/${enc(s.id)}`);
                              clients.reload();
                            })
                          }
                        >
                          Revoke secret {s.hint}…
                        </button>
                      </li>
                    ))}
                  </ul>
                </td>
                <td class="actions">
                  <button
                    type="button"
                    onClick={() =>
                      action.run(async () => {
                        const secret = await api<Issued>('POST', `${base}/${enc(c.clientId)}/secrets`, {});
                        setIssued({ label: `New client secret of ${c.clientId}`, value: secret.client_secret ?? '' });
                        clients.reload();
                      })
                    }
                  >
                    New secret for {c.name}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      action.run(async () => {
                        await api('DELETE', `${base}/${enc(c.clientId)}`);
                        clients.reload();
                      })
                    }
                  >
                    Revoke {c.name}
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
