import type { CloudEvent } from '../cloud-event.ts';
import { encode, sinkName, type Publisher } from '../publisher.ts';

/**
 * MQTT: QoS 1 to `<prefix>/<tenant>/<type>` (`?prefix=`, default `scim`); `publish` resolves when
 * every PUBACK has arrived. The dots of the type stay: `scim/acme/scim.user.created`.
 */
export function mqttSink(url: URL): Publisher {
  const prefix = url.searchParams.get('prefix') ?? 'scim';
  const connectUrl = new URL(url.href);
  connectUrl.search = '';
  type Client = import('mqtt').MqttClient;
  let connecting: Promise<Client> | undefined;

  async function open(): Promise<Client> {
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(connectUrl.href, { connectTimeout: 5000, reconnectPeriod: 0, clean: true });
    client.on('error', () => {
      // Reported through the failing publish.
    });
    return client;
  }

  async function close() {
    const current = connecting;
    connecting = undefined;
    if (!current) return;
    try {
      await (await current).endAsync(true);
    } catch {
      // Never opened.
    }
  }

  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      connecting ??= open();
      const client = await connecting;
      if (!client.connected) {
        await close();
        throw new Error('MQTT connection lost');
      }
      await Promise.all(events.map((e) => client.publishAsync(`${prefix}/${e.tenant}/${e.type}`, encode(e), { qos: 1 })));
    },
    close,
  };
}
