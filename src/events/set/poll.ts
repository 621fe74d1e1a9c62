import type { OutboxStore } from '../../store/ports/outbox.ts';
import type { SetAcknowledgement, SetPollStore } from '../../store/ports/set-poll.ts';
import { toCloudEvent } from '../cloud-event.ts';
import { securityEventClaims } from './claims.ts';
import type { SetSigner } from './keys.ts';

/** An invalid poll request: answered 400 with the RFC 8935 §2.3 error body `{err, description}`. */
export class SetPollError extends Error {
  readonly err = 'invalid_request';
}

export interface SetPollRequest {
  /** Undefined: as many as the server gives at once (maxResults). 0: acknowledge only. */
  readonly maxEvents: number | undefined;
  readonly returnImmediately: boolean;
  /** `ack` and `setErrs`, in that order. */
  readonly acknowledgements: readonly SetAcknowledgement[];
}

export interface SetPollResponse {
  /** jti → the SET (compact JWS). */
  readonly sets: Record<string, string>;
  readonly moreAvailable: boolean;
}

/** RFC 8936 §2.1: the poll request's members, checked; anything malformed is invalid_request. */
export function parsePollRequest(body: unknown): SetPollRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SetPollError('the poll request must be a JSON object');
  const { maxEvents, returnImmediately, ack, setErrs } = body as Record<string, unknown>;
  if (maxEvents !== undefined && !(Number.isInteger(maxEvents) && (maxEvents as number) >= 0)) {
    throw new SetPollError('maxEvents must be a non-negative integer');
  }
  if (returnImmediately !== undefined && typeof returnImmediately !== 'boolean')
    throw new SetPollError('returnImmediately must be a boolean');
  if (ack !== undefined && !(Array.isArray(ack) && ack.every((jti) => typeof jti === 'string'))) {
    throw new SetPollError('ack must be an array of jti strings');
  }
  if (setErrs !== undefined && (typeof setErrs !== 'object' || setErrs === null || Array.isArray(setErrs))) {
    throw new SetPollError('setErrs must be an object whose keys are jti values');
  }
  const errors = Object.entries((setErrs ?? {}) as Record<string, unknown>).map(([jti, error]): SetAcknowledgement => {
    const { err, description } = (error ?? {}) as Record<string, unknown>;
    if (typeof err !== 'string' || (description !== undefined && typeof description !== 'string')) {
      throw new SetPollError(`setErrs["${jti}"] must be {"err": string, "description": string}`);
    }
    return { jti, err, ...(description !== undefined ? { description } : {}) };
  });
  return {
    maxEvents: maxEvents as number | undefined,
    returnImmediately: returnImmediately === true,
    acknowledgements: [...((ack ?? []) as string[]).map((jti) => ({ jti })), ...errors],
  };
}

export interface SetPollerDeps {
  readonly store: OutboxStore & SetPollStore;
  readonly signer: SetSigner;
  /** Calls the listener when this process committed events; returns the unsubscribe function. */
  readonly subscribe: (listener: () => void) => () => void;
  /** The most SETs one response carries (maxEvents above it is capped; moreAvailable tells). */
  readonly maxEvents: number;
  /** How long a long poll waits for an event before answering with no SETs. */
  readonly waitMs: number;
  /** How often a waiting long poll looks for events another process committed. */
  readonly recheckMs?: number;
  readonly clock: () => Date;
  readonly onSetErrors?: (tenantId: string, errors: readonly SetAcknowledgement[]) => void;
}

/**
 * RFC 8936 poll delivery: one stream per tenant, straight from the outbox. Acknowledgements are
 * recorded first; then the oldest unacknowledged SETs are returned (again and again, until
 * acknowledged). Without `returnImmediately` an empty answer waits (long poll) up to `waitMs`.
 */
export function createSetPoller(deps: SetPollerDeps) {
  const { store, signer } = deps;
  const recheckMs = deps.recheckMs ?? 1000;

  async function acknowledge(tenantId: string, acknowledgements: readonly SetAcknowledgement[]) {
    if (acknowledgements.length === 0) return;
    await store.acknowledgeSets(tenantId, acknowledgements, deps.clock().toISOString());
    const errors = acknowledgements.filter((a) => a.err !== undefined);
    if (errors.length > 0) deps.onSetErrors?.(tenantId, errors);
  }

  /** Up to `limit` SETs, and whether more wait; events RFC 9967 has no SET for are acknowledged away. */
  async function read(tenantId: string, audience: string, limit: number): Promise<SetPollResponse> {
    for (;;) {
      const records = await store.unacknowledgedSets(tenantId, limit + 1);
      const sets: Record<string, string> = {};
      const skipped: SetAcknowledgement[] = [];
      for (const record of records.slice(0, limit)) {
        const claims = securityEventClaims(toCloudEvent(record), audience);
        if (claims) sets[claims.jti] = await signer.sign(claims);
        else skipped.push({ jti: record.id });
      }
      if (skipped.length === 0) return { sets, moreAvailable: records.length > limit };
      await store.acknowledgeSets(tenantId, skipped, deps.clock().toISOString());
    }
  }

  /** Resolves when this process commits events, on a recheck tick, at `deadline`, or on `signal`. */
  function waitForEvents(deadline: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(recheckMs, deadline - Date.now())));
      const unsubscribe = deps.subscribe(done);
      signal.addEventListener('abort', done);
    });
  }

  return {
    async poll(tenantId: string, audience: string, request: SetPollRequest, signal: AbortSignal): Promise<SetPollResponse> {
      await acknowledge(tenantId, request.acknowledgements);
      const limit = Math.min(request.maxEvents ?? deps.maxEvents, deps.maxEvents);
      if (limit === 0) {
        // Acknowledge-only (RFC 8936 §2.4): no SETs, but say whether some wait.
        return { sets: {}, moreAvailable: (await store.unacknowledgedSets(tenantId, 1)).length > 0 };
      }
      const deadline = Date.now() + deps.waitMs;
      for (;;) {
        const response = await read(tenantId, audience, limit);
        if (Object.keys(response.sets).length > 0 || request.returnImmediately || Date.now() >= deadline || signal.aborted) return response;
        await waitForEvents(deadline, signal);
      }
    },
  };
}

export type SetPoller = ReturnType<typeof createSetPoller>;
