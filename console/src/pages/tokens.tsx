import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { isSetupSession } from '../session.ts';
import { TokenManager } from '../token-manager.tsx';
import { formValues, Problem, ShownOnce, useAction, useLoad, When } from '../ui.tsx';

interface SetupLink {
  id: string;
  label: string | null;
  state: string;
  expiresAt: string;
}

export function TokensPage(props: { name?: string }) {
  const name = props.name!;
  return (
    <>
      <h1>Tokens of {name}</h1>
      <p>The identity provider sends one of these as its bearer token. A token's secret is shown once, when it is minted or rotated.</p>
      <TokenManager collection={`/tenants/${enc(name)}/tokens`} tokenPath="/tokens" noun="token" labelPlaceholder="entra" />
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
