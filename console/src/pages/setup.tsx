import { api, enc } from '../api.ts';
import { Link, Loading, Problem, useLoad } from '../ui.tsx';

interface Attribute {
  name: string;
  type: string;
  multiValued: boolean;
  required: boolean;
  mutability: string;
  returned: string;
  subAttributes?: Attribute[];
}
interface Schema {
  id: string;
  name: string;
  attributes: Attribute[];
}

/** Entra ID's default mappings (source attribute → SCIM attribute), for the table's last column. */
const ENTRA_SOURCES: Record<string, string> = {
  userName: 'userPrincipalName',
  active: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
  displayName: 'displayName',
  title: 'jobTitle',
  emails: 'mail (emails[type eq "work"].value)',
  name: 'givenName / surname (name.givenName, name.familyName)',
  externalId: 'mailNickname or objectId',
  phoneNumbers: 'telephoneNumber, mobile',
  addresses: 'streetAddress, city, state, postalCode, country',
  preferredLanguage: 'preferredLanguage',
  employeeNumber: 'employeeId',
  department: 'department',
  manager: 'manager',
};

function rows(schema: Schema): { path: string; attribute: Attribute }[] {
  const out: { path: string; attribute: Attribute }[] = [];
  for (const a of schema.attributes) {
    out.push({ path: a.name, attribute: a });
    for (const sub of a.subAttributes ?? [])
      if (a.type === 'complex' && !a.multiValued) out.push({ path: `${a.name}.${sub.name}`, attribute: sub });
  }
  return out;
}

export function SetupPage(props: { name?: string }) {
  const name = props.name!;
  const { data, error, loading } = useLoad(() => api<{ scimUrl: string; schemas: Schema[] }>('GET', `/tenants/${enc(name)}/setup`), [name]);
  const tokens = <Link to={`/tenants/${enc(name)}/tokens`}>Tokens</Link>;
  return (
    <>
      <h1>Setup guide for {name}</h1>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <p>
            The SCIM URL of this tenant is <code class="copyable">{data.scimUrl}</code>. Its token (mint one under {tokens}) tells scimd
            which tenant is calling.
          </p>
          <section aria-labelledby="entra">
            <h2 id="entra">Microsoft Entra ID</h2>
            <ol>
              <li>In the Entra admin center, open Enterprise applications → your application → Provisioning, and choose Automatic.</li>
              <li>
                Tenant URL: <code>{data.scimUrl}</code>
              </li>
              <li>Secret Token: a token minted under {tokens}.</li>
              <li>Test Connection: Entra looks up a random userName and expects an empty list; scimd answers it.</li>
              <li>Under Mappings, keep the attributes of the table below; remove mappings to attributes scimd does not list.</li>
              <li>Save, set Provisioning Status to On, and watch this tenant's request log.</li>
            </ol>
          </section>
          <section aria-labelledby="okta">
            <h2 id="okta">Okta</h2>
            <ol>
              <li>In the Okta admin console, open Applications → your application → General, and enable SCIM provisioning.</li>
              <li>
                Provisioning → Integration: SCIM connector base URL <code>{data.scimUrl}</code>; unique identifier field for users{' '}
                <code>userName</code>.
              </li>
              <li>Supported actions: Push New Users, Push Profile Updates, Push Groups.</li>
              <li>Authentication Mode: HTTP Header; Authorization: Bearer, with a token minted under {tokens}.</li>
              <li>Test Connector Configuration, then enable Create Users, Update User Attributes and Deactivate Users under To App.</li>
            </ol>
          </section>
          <section aria-labelledby="mappings">
            <h2 id="mappings">Attributes scimd understands</h2>
            {data.schemas.map((schema) => (
              <table key={schema.id}>
                <caption>
                  {schema.name} <code>{schema.id}</code>
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Attribute</th>
                    <th scope="col">Type</th>
                    <th scope="col">Notes</th>
                    <th scope="col">Entra ID source (default)</th>
                  </tr>
                </thead>
                <tbody>
                  {rows(schema).map(({ path, attribute }) => (
                    <tr key={path}>
                      <th scope="row">{path}</th>
                      <td>
                        {attribute.type}
                        {attribute.multiValued ? ', multi-valued' : ''}
                      </td>
                      <td>
                        {[
                          attribute.required ? 'required' : '',
                          attribute.mutability !== 'readWrite' ? attribute.mutability : '',
                          attribute.returned === 'never' ? 'never returned' : '',
                        ]
                          .filter(Boolean)
                          .join(', ') || '—'}
                      </td>
                      <td>{ENTRA_SOURCES[path.split('.')[0]!] ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </section>
        </>
      )}
    </>
  );
}
