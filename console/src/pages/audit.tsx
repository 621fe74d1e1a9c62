import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { formValues, Loading, Problem, useLoad, When } from '../ui.tsx';

interface Entry {
  seq: number;
  time: string;
  tenant: string | null;
  tokenId: string | null;
  operation: string;
  resourceType: string | null;
  resourceId: string | null;
  status: number;
  /** A password check's refusal: why (docs/password-sync.md). */
  reason?: string;
}

export function AuditPage() {
  const [query, setQuery] = useState({ tenant: '', cursor: '' });
  const params = `count=50${query.tenant ? `&tenant=${enc(query.tenant)}` : ''}${query.cursor ? `&cursor=${enc(query.cursor)}` : ''}`;
  const { data, error, loading } = useLoad(() => api<{ entries: Entry[]; nextCursor?: string }>('GET', `/audit?${params}`), [params]);
  return (
    <>
      <h1>Audit log</h1>
      <form class="inline" onSubmit={(e) => setQuery({ tenant: formValues(e)['tenant'] ?? '', cursor: '' })}>
        <label>
          Tenant
          <input name="tenant" value={query.tenant} />
        </label>
        <button type="submit">Show</button>
      </form>
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <table>
            <caption>Writes through the SCIM and admin APIs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Tenant</th>
                <th scope="col">Who</th>
                <th scope="col">Operation</th>
                <th scope="col">Resource</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e) => (
                <tr key={e.seq}>
                  <td>
                    <When time={e.time} />
                  </td>
                  <td>{e.tenant ?? '—'}</td>
                  <td>{e.tokenId ?? '—'}</td>
                  <td>{e.operation}</td>
                  <td>{[e.resourceType, e.resourceId].filter(Boolean).join(' ') || '—'}</td>
                  <td>{e.reason ? `${e.status} ${e.reason}` : e.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.nextCursor && (
            <button type="button" onClick={() => setQuery({ ...query, cursor: data.nextCursor! })}>
              Older entries
            </button>
          )}
        </>
      )}
    </>
  );
}
