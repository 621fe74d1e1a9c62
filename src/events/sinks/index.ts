import { SINK_SCHEMES } from '../../config/config.ts';
import type { Publisher } from '../publisher.ts';
import type { SetSigner } from '../set/keys.ts';

export interface SinkDependencies {
  /** The SET signer, for set+http(s) sinks; loaded only when one is configured. */
  readonly setSigner?: () => Promise<SetSigner>;
}

/**
 * A publisher for one sink URL. Broker clients are imported lazily, on the first publish, so an
 * installation that uses none of them never loads them.
 */
export async function createSink(raw: string, deps: SinkDependencies = {}): Promise<Publisher> {
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
    case 'set+http:':
    case 'set+https:': {
      if (!deps.setSigner) throw new Error(`the SET sink ${url.protocol}// needs a signer`);
      return (await import('./set-push.ts')).setPushSink(url, await deps.setSigner());
    }
    default:
      throw new Error(`unsupported event sink ${url.protocol}// (use one of ${SINK_SCHEMES.join(' ')})`);
  }
}
