import { useState } from 'preact/hooks';
import { api, enc } from './api.ts';
import { formValues, Loading, Problem, ShownOnce, useAction, useLoad, When } from './ui.tsx';

interface Token {
  id: string;
  label: string | null;
  state: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/**
 * A tenant's bearer tokens of one kind (SCIM tokens, verify tokens): mint (the secret shown once),
 * list, rotate with an overlap, revoke. The admin API serves both kinds alike.
 */
export function TokenManager(props: {
  /** The tenant's collection, e.g. /tenants/acme/tokens: GET lists, POST mints. */
  readonly collection: string;
  /** Where one token is, before its id: /tokens or /verify-tokens. */
  readonly tokenPath: string;
  /** "token", "verify token": the button, caption and messages say it. */
  readonly noun: string;
  readonly labelPlaceholder: string;
}) {
  const { collection, tokenPath, noun } = props;
  const tokens = useLoad(() => api<{ tokens: Token[] }>('GET', collection), [collection]);
  const [secret, setSecret] = useState<{ label: string; value: string }>();
  const action = useAction();
  return (
    <>
      <form
        class="inline"
        onSubmit={(e) => {
          const { label, expires } = formValues(e);
          void action.run(async () => {
            const minted = await api<{ id: string; token: string }>('POST', collection, {
              ...(label ? { label } : {}),
              ...(expires ? { expires } : {}),
            });
            setSecret({ label: `New ${noun} ${minted.id}`, value: minted.token });
            tokens.reload();
          });
        }}
      >
        <label>
          Label
          <input name="label" placeholder={props.labelPlaceholder} maxLength={200} />
        </label>
        <label>
          Expires after
          <input name="expires" placeholder="365d" pattern="\d+[dhm]" />
        </label>
        <button type="submit" disabled={action.busy}>
          Mint {noun}
        </button>
      </form>
      {secret && <ShownOnce label={secret.label} value={secret.value} />}
      <Problem error={action.error ?? tokens.error} />
      <Loading loading={tokens.loading} />
      {tokens.data && (
        <table>
          <caption>
            {tokens.data.tokens.length} {noun}s
          </caption>
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
                            const rotated = await api<{ token: { id: string; token: string } }>(
                              'POST',
                              `${tokenPath}/${enc(t.id)}/rotate`,
                              {
                                overlap: overlap || '24h',
                              },
                            );
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
                            await api('DELETE', `${tokenPath}/${enc(t.id)}`);
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
    </>
  );
}
