import type { ScimClient } from '../scim.ts';
import type { Source, SourceOptions } from './source.ts';

export interface SourceSettings extends SourceOptions {
  /** Webhooks: where to listen, when not the sink URL's host and port. */
  readonly listen?: { readonly host: string; readonly port: number };
  /** The feed: how often an idle consumer asks (ms). */
  readonly pollMs?: number;
}

/** A source from a sink URL of SCIMD_EVENT_SINKS, or `feed` for scimd's built-in feed. */
export async function createSource(spec: string, client: ScimClient, settings: SourceSettings): Promise<Source> {
  if (spec === 'feed') return (await import('./feed.ts')).feedSource(client, settings);
  const url = new URL(spec);
  switch (url.protocol) {
    case 'amqp:':
    case 'amqps:':
      return (await import('./amqp.ts')).amqpSource(url, settings);
    case 'nats:':
      return (await import('./nats.ts')).natsSource(url, settings);
    case 'redis:':
    case 'rediss:':
      return (await import('./redis.ts')).redisSource(url, settings);
    case 'mqtt:':
    case 'mqtts:':
      return (await import('./mqtt.ts')).mqttSource(url, settings);
    case 'http:':
    case 'https:':
      return (await import('./webhook.ts')).webhookSource(url, settings);
    default:
      throw new Error(`unsupported source ${url.protocol}// (a sink URL of SCIMD_EVENT_SINKS, or "feed")`);
  }
}
