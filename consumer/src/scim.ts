import { type ScimEvent, sequenceOf } from './events.ts';

/** Where the consumer reads scimd: the tenant's SCIM base URL and one of its bearer tokens. */
export interface ScimConnection {
  /** e.g. `https://scim.example.com/scim/v2`. */
  readonly url: string;
  readonly token: string;
}

export class ScimRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ScimRequestError';
  }
}

/** The three reads a consumer needs from scimd: the position, a snapshot, and the feed. */
export function scimClient(connection: ScimConnection) {
  const base = connection.url.replace(/\/+$/, '');
  async function get(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${connection.token}`, accept: 'application/scim+json, application/json' },
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new ScimRequestError(response.status, `GET ${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  return {
    /** GET /Events/position: every change committed before the call has a sequence at most this. */
    async position(): Promise<number> {
      return Number((await get('/Events/position'))['sequence']);
    },
    /** GET /Events: the tenant's events after `after`, in sequence order, at most `count`. */
    async events(after: number, count: number): Promise<ScimEvent[]> {
      const page = await get(`/Events?after=${after}&count=${count}`);
      return (page['events'] as ScimEvent[]).filter((e) => sequenceOf(e) > after);
    },
    /** Every resource of an endpoint, by RFC 9865 cursor pages (stable under concurrent writes). */
    async all(endpoint: 'Users' | 'Groups', pageSize = 1000): Promise<Record<string, unknown>[]> {
      const out: Record<string, unknown>[] = [];
      let cursor = '';
      for (;;) {
        const page = await get(`/${endpoint}?count=${pageSize}&cursor=${encodeURIComponent(cursor)}`);
        out.push(...((page['Resources'] as Record<string, unknown>[] | undefined) ?? []));
        if (typeof page['nextCursor'] !== 'string') return out;
        cursor = page['nextCursor'];
      }
    },
  };
}

export type ScimClient = ReturnType<typeof scimClient>;
