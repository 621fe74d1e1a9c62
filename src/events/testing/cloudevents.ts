import { HTTP, CloudEvent as SdkCloudEvent } from 'cloudevents';
import { sequenceOf } from '../cloud-event.ts';

/**
 * The reasons an event is not what CloudEvents 1.0 and the extensions scimd documents ask for;
 * empty when it is. The spec's own attributes are checked by the `cloudevents` SDK (strict
 * construction validates them); the sequence extension, which the SDK does not know, here: a
 * non-empty string (https://github.com/cloudevents/spec/blob/main/cloudevents/extensions/sequence.md).
 */
export function cloudEventErrors(event: unknown): string[] {
  const errors: string[] = [];
  try {
    new SdkCloudEvent(event as Record<string, unknown>).validate();
  } catch (error) {
    errors.push(`CloudEvents SDK: ${error instanceof Error ? error.message : String(error)}`);
  }
  const e = event as Record<string, unknown>;
  if (typeof e['sequence'] !== 'string' || e['sequence'] === '')
    errors.push(`sequence extension: ${JSON.stringify(e['sequence'])} is not a non-empty string`);
  if (typeof e['tenant'] !== 'string' || e['tenant'] === '')
    errors.push(`tenant extension: ${JSON.stringify(e['tenant'])} is not a non-empty string`);
  return errors;
}

/**
 * Throws unless every event is valid (cloudEventErrors) and, per tenant, comparing `sequence` as
 * strings orders the events as their numbers do: what the sequence extension promises a receiver.
 */
export function assertCloudEvents(events: readonly unknown[]): void {
  const problems = events.flatMap((e) => cloudEventErrors(e).map((p) => `${(e as { id?: string }).id}: ${p}`));
  const byTenant = new Map<string, { sequence: string }[]>();
  for (const e of events as { tenant: string; sequence: string }[]) {
    let list = byTenant.get(e.tenant);
    if (!list) byTenant.set(e.tenant, (list = []));
    list.push(e);
  }
  for (const [tenant, list] of byTenant) {
    const byString = [...list].sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
    const byNumber = [...list].sort((a, b) => sequenceOf(a) - sequenceOf(b));
    if (byString.some((e, i) => e !== byNumber[i])) problems.push(`${tenant}: string order of sequence is not numeric order`);
  }
  if (problems.length > 0) throw new Error(`invalid CloudEvents:\n  ${problems.join('\n  ')}`);
}

/** A webhook request read as the CloudEvents SDK's HTTP binding reads it (structured mode). */
export function fromHttp(headers: Record<string, string | string[] | undefined>, body: string): Record<string, unknown> {
  const event = HTTP.toEvent({ headers, body });
  if (Array.isArray(event)) throw new Error('a webhook request carries one event, not a batch');
  // Through JSON: the SDK's object also holds the attributes it knows of as undefined.
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}
