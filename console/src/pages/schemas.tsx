import { api, enc } from '../api.ts';
import { formValues, Loading, Problem, useAction, useLoad } from '../ui.tsx';

interface Extension {
  id: string;
  name: string;
  resourceType: string;
  attributes: { name: string; type: string; multiValued: boolean; required: boolean; canonicalValues?: string[] }[];
}

const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'];

export function SchemasPage(props: { name?: string }) {
  const name = props.name!;
  const { data, error, loading, reload } = useLoad(() => api<{ Resources: Extension[] }>('GET', `/tenants/${enc(name)}/schemas`), [name]);
  // Users, groups and the optional types the tenant enabled that are served from their schema
  // (browsable: Roles, Devices …; not GroupMembers): the types an extension may extend.
  const types = useLoad(
    () => api<{ Resources: { name: string; enabled: boolean; browsable: boolean }[] }>('GET', `/tenants/${enc(name)}/resource-types`),
    [name],
  );
  const extendable = ['User', 'Group', ...(types.data?.Resources ?? []).filter((t) => t.enabled && t.browsable).map((t) => t.name)];
  const action = useAction();
  const defaultUrn = `urn:ietf:params:scim:schemas:extension:${name.replace(/[^a-z0-9]/g, '')}:2.0:User`;
  return (
    <>
      <h1>Custom attributes of {name}</h1>
      <p>
        Extension attributes appear in this tenant's <code>/Schemas</code> at once, and are validated, filtered and carried in events like
        core ones.
      </p>
      <form
        class="stacked"
        onSubmit={(e) => {
          const form = e.currentTarget as HTMLFormElement;
          const v = formValues(e);
          const canonical = (v['canonical'] ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          void action.run(async () => {
            await api('POST', `/tenants/${enc(name)}/schemas/${enc(v['schema']!)}/attributes?resourceType=${enc(v['resourceType']!)}`, {
              name: v['attribute'],
              type: v['type'],
              multiValued: v['multiValued'] === 'on',
              required: v['required'] === 'on',
              ...(canonical.length > 0 ? { canonicalValues: canonical } : {}),
            });
            form.reset();
            reload();
          });
        }}
      >
        <fieldset>
          <legend>Add an attribute</legend>
          <label>
            Schema URN
            <input name="schema" defaultValue={defaultUrn} required size={60} />
          </label>
          <label>
            Resource type
            <select name="resourceType">
              {extendable.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Attribute name
            <input name="attribute" required pattern="[A-Za-z][A-Za-z0-9_\-]*" />
          </label>
          <label>
            Type
            <select name="type">
              {TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" name="multiValued" /> Multi-valued
          </label>
          <label class="check">
            <input type="checkbox" name="required" /> Required
          </label>
          <label>
            Canonical values (comma-separated)
            <input name="canonical" placeholder="emea, apac" />
          </label>
          <button type="submit" disabled={action.busy}>
            Add attribute
          </button>
        </fieldset>
      </form>
      <Problem error={action.error ?? error} />
      <Loading loading={loading} />
      {data?.Resources.length === 0 && <p>No extension yet.</p>}
      {data?.Resources.map((ext) => (
        <table key={ext.id}>
          <caption>
            {ext.resourceType}: <code>{ext.id}</code>
          </caption>
          <thead>
            <tr>
              <th scope="col">Attribute</th>
              <th scope="col">Type</th>
              <th scope="col">Multi-valued</th>
              <th scope="col">Required</th>
              <th scope="col">Canonical values</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {ext.attributes.map((a) => (
              <tr key={a.name}>
                <th scope="row">{a.name}</th>
                <td>{a.type}</td>
                <td>{a.multiValued ? 'yes' : 'no'}</td>
                <td>{a.required ? 'yes' : 'no'}</td>
                <td>{a.canonicalValues?.join(', ') || '—'}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      action.run(async () => {
                        await api('DELETE', `/tenants/${enc(name)}/schemas/${enc(ext.id)}/attributes/${enc(a.name)}`);
                        reload();
                      })
                    }
                  >
                    Remove {a.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </>
  );
}
