import { api, enc } from '../api.ts';
import { Link, Loading, Problem, useLoad, When } from '../ui.tsx';
import { ProfileSection, type TenantProfile } from './profile.tsx';

interface Overview {
  users: number;
  groups: number;
  requests: number;
  errors: number;
  lastRequest: { time: string; client: string; status: number; userAgent: string | null } | null;
  latestSequence: number;
  sinks: { sink: string; deliveredSequence: number; pending: number; lagSeconds: number; lastError: string | null }[];
  tenant: { disabled: boolean; createdAt: string } & TenantProfile;
}

const CLIENTS: Record<string, string> = { entra: 'Microsoft Entra ID', okta: 'Okta', other: 'another client' };

export function OverviewPage(props: { name?: string }) {
  const name = props.name!;
  const { data, error, loading, reload } = useLoad(() => api<Overview>('GET', `/tenants/${enc(name)}/overview`), [name]);
  return (
    <>
      <h1>{name}</h1>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <dl class="figures">
            <div>
              <dt>Users</dt>
              <dd>{data.users}</dd>
            </div>
            <div>
              <dt>Groups</dt>
              <dd>{data.groups}</dd>
            </div>
            <div>
              <dt>Requests, last 24 h</dt>
              <dd>{data.requests}</dd>
            </div>
            <div>
              <dt>Errors, last 24 h</dt>
              <dd>
                <Link to={`/tenants/${enc(name)}/requests?status=error`}>{data.errors}</Link>
              </dd>
            </div>
            <div>
              <dt>State</dt>
              <dd>{data.tenant.disabled ? 'disabled' : 'active'}</dd>
            </div>
          </dl>
          <h2>Last request from its identity provider</h2>
          {data.lastRequest ? (
            <p>
              <When time={data.lastRequest.time} /> from {CLIENTS[data.lastRequest.client] ?? data.lastRequest.client}
              {data.lastRequest.userAgent ? ` (${data.lastRequest.userAgent})` : ''}, answered {data.lastRequest.status}.
            </p>
          ) : (
            <p>
              No request yet. The <Link to={`/tenants/${enc(name)}/setup`}>setup guide</Link> says how to point Entra ID or Okta at it.
            </p>
          )}
          <ProfileSection name={name} tenant={data.tenant} onChange={reload} />
          <h2>Event sinks</h2>
          {data.sinks.length === 0 ? (
            <p>No event sink is configured (SCIMD_EVENT_SINKS); events stay in the built-in feed. Newest event: {data.latestSequence}.</p>
          ) : (
            <table>
              <caption>Delivery of this tenant's events (newest: {data.latestSequence})</caption>
              <thead>
                <tr>
                  <th scope="col">Sink</th>
                  <th scope="col">Delivered up to</th>
                  <th scope="col">Pending</th>
                  <th scope="col">Lag</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {data.sinks.map((s) => (
                  <tr key={s.sink}>
                    <th scope="row">{s.sink}</th>
                    <td>{s.deliveredSequence}</td>
                    <td>{s.pending}</td>
                    <td>{s.lagSeconds} s</td>
                    <td>{s.lastError ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
