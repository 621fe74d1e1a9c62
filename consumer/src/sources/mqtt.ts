import { parseEvent, type ScimEvent } from '../events.ts';
import { redact, type Source, type SourceOptions } from './source.ts';

/**
 * MQTT, the sink URL of SCIMD_EVENT_SINKS (`mqtt://user:pass@host:1883?prefix=scim`): QoS 1 on
 * `<prefix>/<tenant>/#` in a persistent session (client id: the subscription name, clean: false),
 * so the broker keeps messages while the consumer is away. The client acknowledges a message when
 * it arrives (mqtt.js), before the batch commits: a message lost to a crash in between is a gap
 * the consumer repairs from the feed, at the next event or its next tail check.
 */
export function mqttSource(url: URL, options: SourceOptions): Source {
  const prefix = url.searchParams.get('prefix') ?? 'scim';
  const connectUrl = new URL(url.href);
  connectUrl.search = '';
  let client: import('mqtt').MqttClient | undefined;

  return {
    name: redact(url),
    async start(tenant, deliver) {
      const mqtt = await import('mqtt');
      let buffer: ScimEvent[] = [];
      let timer: NodeJS.Timeout | undefined;
      let chain = Promise.resolve();
      const flush = () => {
        clearTimeout(timer);
        timer = undefined;
        const batch = buffer;
        buffer = [];
        if (batch.length === 0) return;
        chain = chain.then(async () => {
          try {
            await deliver(batch);
          } catch (error) {
            options.log('could not apply a batch from MQTT; the feed repairs it', error);
          }
        });
      };
      client = await mqtt.connectAsync(connectUrl.href, {
        clientId: options.subscription,
        clean: false,
        reconnectPeriod: 500,
      });
      client.on('message', (_topic, payload) => {
        try {
          buffer.push(parseEvent(payload));
        } catch {
          options.log('dropped a message that is not a scimd event');
          return;
        }
        if (buffer.length >= options.batchSize) flush();
        else timer ??= setTimeout(flush, 5);
      });
      client.on('error', (error) => options.log('MQTT error', error));
      await client.subscribeAsync(`${prefix}/${tenant}/#`, { qos: 1 });
    },
    async stop() {
      await client?.endAsync(true).catch(() => undefined);
    },
  };
}
