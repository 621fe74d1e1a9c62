import { api, enc } from '../api.ts';
import { Loading, Problem, useLoad, When } from '../ui.tsx';
import { OverviewSinks } from './sinks.tsx';

interface CloudEvent {
  id: string;
  type: string;
  subject: string;
  time: string;
  sequence: number;
}

export function EventsPage(props: { name?: string }) {
  const name = props.name!;
  const { data, error, loading } = useLoad(
    () => api<{ latestSequence: number; events: CloudEvent[] }>('GET', `/tenants/${enc(name)}/events?count=100`),
    [name],
  );
  return (
    <>
      <h1>Events of {name}</h1>
      <OverviewSinks name={name} />
      <Problem error={error} />
      <Loading loading={loading} />
      {data && (
        <table>
          <caption>
            The {data.events.length} most recent events (newest sequence {data.latestSequence})
          </caption>
          <thead>
            <tr>
              <th scope="col">Sequence</th>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Subject</th>
            </tr>
          </thead>
          <tbody>
            {[...data.events].reverse().map((e) => (
              <tr key={e.id}>
                <td>{e.sequence}</td>
                <td>
                  <When time={e.time} />
                </td>
                <td>{e.type}</td>
                <td>{e.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
