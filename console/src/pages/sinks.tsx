import { api, enc } from '../api.ts';
import { useLoad } from '../ui.tsx';

interface Sink {
  sink: string;
  deliveredSequence: number;
  pending: number;
  lagSeconds: number;
  lastError: string | null;
}

/** Each sink's delivery position for a tenant, with its pending count, lag and last error. */
export function OverviewSinks(props: { name: string }) {
  const { data } = useLoad(
    () => api<{ latestSequence: number; sinks: Sink[] }>('GET', `/tenants/${enc(props.name)}/overview`),
    [props.name],
  );
  if (!data) return null;
  if (data.sinks.length === 0) return <p>No event sink is configured (SCIMD_EVENT_SINKS): consumers read the built-in feed.</p>;
  return (
    <ul class="sinks">
      {data.sinks.map((s) => (
        <li key={s.sink}>
          <strong>{s.sink}</strong>: delivered up to {s.deliveredSequence} of {data.latestSequence}, {s.pending} pending, lag {s.lagSeconds}{' '}
          s{s.lastError ? `, last error: ${s.lastError}` : ''}
        </li>
      ))}
    </ul>
  );
}
