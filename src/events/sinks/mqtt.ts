import type { CloudEvent } from '../cloud-event.ts';
import { encode, type Publisher, sinkName } from '../publisher.ts';
import { lazyConnection } from './lazy-connection.ts';

/**
 * MQTT: QoS 1 to `<prefix>/<tenant>/<type>` (`?prefix=`, default `scim`); `publish` resolves when
 * every PUBACK has arrived. The dots of the type stay: `scim/acme/scim.user.created`.
 */
export function mqttSink(url: URL): Publisher {
  const prefix = url.searchParams.get('prefix') ?? 'scim';
  const connectUrl = new URL(url.href);
  connectUrl.search = '';
  type Client = import('mqtt').MqttClient;

  async function open(): Promise<Client> {
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(connectUrl.href, { connectTimeout: 5000, reconnectPeriod: 0, clean: true });
    client.on('error', () => {
      // Reported through the failing publish.
    });
    // Without reconnects, mqtt.js keeps QoS 1 publishes waiting for their PUBACK on a connection
    // that is gone, and the relay with them. Ending the client fails them ("Connection closed"):
    // the relay then retries the batch on a new connection.
    client.on('close', () => client.end(true));
    return client;
  }

  const connection = lazyConnection(open, (c) => c.endAsync(true));
  const close = () => connection.close();

  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      const client = await connection.get();
      if (!client.connected) {
        await close();
        throw new Error('MQTT connection lost');
      }
      await Promise.all(events.map((e) => client.publishAsync(`${prefix}/${e.tenant}/${e.type}`, encode(e), { qos: 1 })));
    },
    close,
  };
}
