import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { explain } from '../explain.ts';
import { formValues, Link, Loading, Problem, useLoad, When } from '../ui.tsx';

interface Body {
  body?: string | null;
  bytes: number;
  cut: boolean;
}
interface Entry {
  id: string;
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  scimType: string | null;
  latencyMs: number;
  requestId: string;
  tokenId: string | null;
  client: string;
  userAgent: string | null;
  resourceId: string | null;
  request: Body;
  response: Body;
  /** Only for POST /Bulk: what each operation did. */
  operations?: { method?: string | null; path?: string | null; status: number; resourceId?: string | null }[];
}

const FILTERS = ['status', 'method', 'path', 'resourceId', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function queryOf(filters: Filters): string {
  return FILTERS.filter((f) => filters[f])
    .map((f) => `${f}=${enc(filters[f]!)}`)
    .join('&');
}

const pathAndQuery = (e: Entry) => `${e.path}${e.query ? `?${decodeURIComponent(e.query.replaceAll('+', ' '))}` : ''}`;

export function RequestsPage(props: { name?: string }) {
  const name = props.name!;
  const initial = Object.fromEntries(new URLSearchParams(location.search)) as Filters;
  const [filters, setFilters] = useState<Filters>(initial);
  const [cursors, setCursors] = useState<string[]>(['']);
  const cursor = cursors[cursors.length - 1]!;
  const query = `${queryOf(filters)}&count=50&bodies=false${cursor ? `&cursor=${enc(cursor)}` : ''}`;
  const { data, error, loading } = useLoad(
    () => api<{ entries: Entry[]; nextCursor?: string }>('GET', `/tenants/${enc(name)}/requests?${query}`),
    [name, query],
  );
  const [exportError, setExportError] = useState<Error>();

  const exportNdjson = async () => {
    try {
      const response = await fetch(`/admin/tenants/${enc(name)}/requests?${queryOf(filters)}`, {
        headers: { accept: 'application/x-ndjson' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(`export failed: ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${name}-requests.ndjson`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setExportError(err as Error);
    }
  };

  return (
    <>
      <h1>Request log of {name}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          const v = formValues(e);
          setFilters(Object.fromEntries(FILTERS.map((f) => [f, v[f] ?? ''])) as Filters);
          setCursors(['']);
        }}
      >
        <label>
          Status
          <select name="status" value={filters.status ?? ''}>
            <option value="">any</option>
            <option value="2xx">2xx</option>
            <option value="4xx">4xx</option>
            <option value="5xx">5xx</option>
            <option value="error">errors (4xx and 5xx)</option>
          </select>
        </label>
        <label>
          Method
          <select name="method" value={filters.method ?? ''}>
            <option value="">any</option>
            {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Path starts with
          <input name="path" value={filters.path ?? ''} placeholder="/Users" />
        </label>
        <label>
          Resource id
          <input name="resourceId" value={filters.resourceId ?? ''} />
        </label>
        <label>
          Since (ISO 8601)
          <input name="since" value={filters.since ?? ''} placeholder="2025-01-01T00:00:00Z" />
        </label>
        <label>
          Until (ISO 8601)
          <input name="until" value={filters.until ?? ''} />
        </label>
        <button type="submit">Apply filters</button>
        <button type="button" onClick={exportNdjson}>
          Export NDJSON
        </button>
      </form>
      <Problem error={error ?? exportError} />
      <Loading loading={loading} />
      {data && (
        <>
          <table>
            <caption>{data.entries.length === 0 ? 'No request matches' : 'Newest first'}</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">scimType</th>
                <th scope="col">Client</th>
                <th scope="col">ms</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e) => (
                <tr key={e.id} class={e.status >= 400 ? 'failed' : undefined}>
                  <td>
                    <When time={e.time} />
                  </td>
                  <th scope="row">
                    <Link to={`/tenants/${enc(name)}/requests/${e.id}`}>
                      {e.method} {pathAndQuery(e)}
                    </Link>
                  </th>
                  <td>{e.status}</td>
                  <td>{e.scimType ?? ''}</td>
                  <td>{e.client}</td>
                  <td>{e.latencyMs.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            {cursors.length > 1 && (
              <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </button>
            )}
            {data.nextCursor && (
              <button type="button" onClick={() => setCursors([...cursors, data.nextCursor!])}>
                Older
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}

function BodyView(props: { title: string; body: Body }) {
  let text = props.body.body ?? '';
  if (text && !props.body.cut) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // shown as stored
    }
  }
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.body.body ? <pre class="json">{text}</pre> : <p>No body.</p>}
      {props.body.cut && (
        <p class="note">Cut: only the first bytes are kept; the whole body was {props.body.bytes.toLocaleString()} bytes.</p>
      )}
    </section>
  );
}

export function RequestPage(props: { name?: string; id?: string }) {
  const name = props.name!;
  const {
    data: e,
    error,
    loading,
  } = useLoad(() => api<Entry>('GET', `/tenants/${enc(name)}/requests/${enc(props.id!)}`), [name, props.id]);
  const explanation = e && e.status >= 400 ? explain(e.status, e.scimType) : undefined;
  return (
    <>
      <h1>
        {e ? `${e.method} ${e.path}` : 'Request'} {e && <span class={e.status >= 400 ? 'status failed' : 'status'}>{e.status}</span>}
      </h1>
      <p>
        <Link to={`/tenants/${enc(name)}/requests`}>Back to the request log</Link>
      </p>
      <Problem error={error} />
      <Loading loading={loading} />
      {e && (
        <>
          {explanation && (
            <section class="explanation" aria-labelledby="why">
              <h2 id="why">What {e.scimType ? `"${e.scimType}"` : `status ${e.status}`} means</h2>
              <p>{explanation.meaning}</p>
              <p>
                <strong>Usual cause with Microsoft Entra ID:</strong> {explanation.entra}
              </p>
              <p>
                <strong>Usual cause with Okta:</strong> {explanation.okta}
              </p>
            </section>
          )}
          <dl class="details">
            <dt>Time</dt>
            <dd>
              <When time={e.time} />
            </dd>
            <dt>Request</dt>
            <dd>
              <code>
                {e.method} {pathAndQuery(e)}
              </code>
            </dd>
            <dt>Status</dt>
            <dd>
              {e.status}
              {e.scimType ? ` (${e.scimType})` : ''}
            </dd>
            <dt>Latency</dt>
            <dd>{e.latencyMs.toFixed(2)} ms</dd>
            <dt>Request id</dt>
            <dd>
              <code>{e.requestId}</code>
            </dd>
            <dt>Token</dt>
            <dd>{e.tokenId ?? '—'}</dd>
            <dt>Client</dt>
            <dd>
              {e.client}
              {e.userAgent ? ` (${e.userAgent})` : ''}
            </dd>
            <dt>Resource</dt>
            <dd>{e.resourceId ?? '—'}</dd>
          </dl>
          {e.operations && (
            <section aria-labelledby="operations">
              <h2 id="operations">Operations</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Method</th>
                    <th scope="col">Path</th>
                    <th scope="col">Status</th>
                    <th scope="col">Resource</th>
                  </tr>
                </thead>
                <tbody>
                  {e.operations.map((o, i) => (
                    <tr key={i}>
                      <td>{o.method ?? '—'}</td>
                      <td>
                        <code>{o.path ?? '—'}</code>
                      </td>
                      <td class={o.status >= 400 ? 'status failed' : 'status'}>{o.status}</td>
                      <td>{o.resourceId ? <code>{o.resourceId}</code> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <BodyView title="Request body" body={e.request} />
          <BodyView title="Response body" body={e.response} />
        </>
      )}
    </>
  );
}
