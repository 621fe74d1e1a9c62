import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { isSetupSession } from '../session.ts';
import { formValues, Loading, Problem, ShownOnce, useAction, useLoad, When } from '../ui.tsx';

interface Token {
  id: string;
  label: string | null;
  state: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

interface SetupLink {
  id: string;
  label: string | null;
  state: string;
  expiresAt: string;
}

export function TokensPage(props: { name?: string }) {
  const name = props.name!;
  const tokens = useLoad(() => api<{ tokens: Token[] }>('GET', `/tenants/${enc(name)}/tokens`), [name]);
  const [secret, setSecret] = useState<{ label: string; value: string }>();
  const action = useAction();
  return (
    <>
      <h1>Tokens of {name}</h1>
      <p>The identity provider sends one of these as its bearer token. A token's secret is shown once, when it is minted or rotated.</p>
      <form
        class="inline"
        onSubmit={(e) => {
          const { label, expires } = formValues(e);
          void action.run(async () => {
            const minted = await api<{ id: string; token: string }>('POST', `/tenants/${enc(name)}/tokens`, {
              ...(label ? { label } : {}),
              ...(expires ? { expires } : {}),
            });
            setSecret({ label: `New token ${minted.id}`, value: minted.token });
            tokens.reload();
          });
        }}
      >
        <label>
          Label
          <input name="label" placeholder="entra" maxLength={200} />
        </label>
        <label>
          Expires after
          <input name="expires" placeholder="365d" pattern="\d+[dhm]" />
        </label>
        <button type="submit" disabled={action.busy}>
          Mint token
        </button>
      </form>
      {secret && <ShownOnce label={secret.label} value={secret.value} />}
      <Problem error={action.error ?? tokens.error} />
      <Loading loading={tokens.loading} />
      {tokens.data && (
        <table>
          <caption>{tokens.data.tokens.length} tokens</caption>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Label</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
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
                <td>
                  <When time={t.createdAt} />
                </td>
                <td>{t.expiresAt ? <When time={t.expiresAt} /> : 'never'}</td>
                <td>
                  <When time={t.lastUsedAt} />
                </td>
                <td class="actions">
                  {t.state === 'active' && (
                    <>
                      <form
                        class="inline"
                        onSubmit={(e) => {
                          const { overlap } = formValues(e);
                          void action.run(async () => {
                            const rotated = await api<{ token: { id: string; token: string } }>('POST', `/tokens/${enc(t.id)}/rotate`, {
                              overlap: overlap || '24h',
                            });
                            setSecret({ label: `Successor of ${t.id}: ${rotated.token.id}`, value: rotated.token.token });
                            tokens.reload();
                          });
                        }}
                      >
                        <label>
                          Overlap for {t.id}
                          <input name="overlap" defaultValue="24h" pattern="\d+[dhm]" size={5} />
                        </label>
                        <button type="submit">Rotate {t.id}</button>
                      </form>
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          action.run(async () => {
                            await api('DELETE', `/tokens/${enc(t.id)}`);
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
      {!isSetupSession() && <OAuthIssuer name={name} />}
      {!isSetupSession() && <SetupLinks name={name} />}
    </>
  );
}

function SetupLinks(props: { name: string }) {
  const links = useLoad(() => api<{ links: SetupLink[] }>('GET', `/tenants/${enc(props.name)}/setup-links`), [props.name]);
  const [created, setCreated] = useState<string>();
  const action = useAction();
  return (
    <section aria-labelledby="setup-links">
      <h2 id="setup-links">Setup links for the customer</h2>
      <p>Whoever opens a setup link sees this tenant's setup guide, tokens, request log and users, and nothing else, until it expires.</p>
      <form
        class="inline"
        onSubmit={(e) => {
          const { expires, label } = formValues(e);
          void action.run(async () => {
            const link = await api<{ link: string }>('POST', `/tenants/${enc(props.name)}/setup-links`, {
              expires: expires || '7d',
              ...(label ? { label } : {}),
            });
            setCreated(link.link);
            links.reload();
          });
        }}
      >
        <label>
          Valid for
          <input name="expires" defaultValue="7d" pattern="\d+[dhm]" />
        </label>
        <label>
          Label
          <input name="label" placeholder="Contoso IT" />
        </label>
        <button type="submit">Create setup link</button>
      </form>
      {created && <ShownOnce label="Setup link" value={created} />}
      <Problem error={action.error ?? links.error} />
      {links.data && links.data.links.length > 0 && (
        <ul>
          {links.data.links.map((l) => (
            <li key={l.id}>
              {l.id} {l.label ? `(${l.label})` : ''}: {l.state}, until <When time={l.expiresAt} />{' '}
              {l.state === 'active' && (
                <button
                  type="button"
                  onClick={() =>
                    action.run(async () => {
                      await api('DELETE', `/setup-links/${enc(l.id)}`);
                      links.reload();
                    })
                  }
                >
                  Revoke {l.id}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface Issuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  tenantClaim: string;
  tenantValue: string;
  algorithms: string[];
}

/** The OAuth 2.0 issuer whose JWT access tokens the tenant accepts beside its static tokens (docs/oauth.md). */
function OAuthIssuer(props: { name: string }) {
  const issuer = useLoad(
    () =>
      api<Issuer>('GET', `/tenants/${enc(props.name)}/oauth`).catch((error: { status?: number }) => {
        if (error.status === 404) return undefined;
        throw error;
      }),
    [props.name],
  );
  return (
    <section aria-labelledby="oauth">
      <h2 id="oauth">OAuth 2.0 access tokens</h2>
      <Problem error={issuer.error} />
      {!issuer.loading && !issuer.data && !issuer.error && (
        <p>
          This tenant accepts only the static tokens above. To accept the JWT access tokens of an authorization server, use{' '}
          <code>npx scimd oauth set</code> or <code>PUT /admin/tenants/{props.name}/oauth</code>.
        </p>
      )}
      {issuer.data && (
        <dl class="details">
          <dt>Issuer</dt>
          <dd>
            <code>{issuer.data.issuer}</code>
          </dd>
          <dt>Audience</dt>
          <dd>
            <code>{issuer.data.audience}</code>
          </dd>
          <dt>Keys</dt>
          <dd>
            <code>{issuer.data.jwksUrl}</code>
          </dd>
          <dt>Tenant claim</dt>
          <dd>
            <code>
              {issuer.data.tenantClaim} = {issuer.data.tenantValue}
            </code>
          </dd>
          <dt>Algorithms</dt>
          <dd>{issuer.data.algorithms.join(', ')}</dd>
        </dl>
      )}
    </section>
  );
}
