import type { Publisher } from '../publisher.ts';

/** The URL schemes SCIMD_EVENT_SINKS accepts (docs/events.md, Sinks). */
export const SINK_SCHEMES = ['amqp:', 'amqps:', 'nats:', 'redis:', 'rediss:', 'mqtt:', 'mqtts:', 'http:', 'https:'] as const;

/**
 * A publisher for one sink URL. Broker clients are imported lazily, on the first publish, so an
 * installation that uses none of them never loads them.
 */
export async function createSink(raw: string): Promise<Publisher> {
  const url = new URL(raw);
  switch (url.protocol) {
    case 'amqp:':
    case 'amqps:':
      return (await import('./amqp.ts')).amqpSink(url);
    case 'nats:':
      return (await import('./nats.ts')).natsSink(url);
    case 'redis:':
    case 'rediss:':
      return (await import('./redis.ts')).redisSink(url);
    case 'mqtt:':
    case 'mqtts:':
      return (await import('./mqtt.ts')).mqttSink(url);
    case 'http:':
    case 'https:':
      return (await import('./webhook.ts')).webhookSink(url);
    default:
      throw new Error(`unsupported event sink ${url.protocol}// (use one of ${SINK_SCHEMES.join(' ')})`);
  }
}
