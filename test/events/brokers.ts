import type { CloudEvent } from '../../src/events/cloud-event.ts';
import { unreachable } from '../../src/store/testing/unreachable.ts';

/**
 * `{ skip: message }` when nothing answers on the broker's port (refused or timed out) and CI is
 * not set; under CI=true nothing is skipped (the test then fails on the connection, loudly).
 */
export async function brokerSkip(name: string, port: number): Promise<{ skip?: string }> {
  if (process.env['CI'] === 'true') return {};
  const why = await unreachable('127.0.0.1', port, 1000);
  return why === undefined ? {} : { skip: `${name} not reachable at 127.0.0.1:${port} (${why})` };
}

/**
 * Waits for `check`. `failures` are the assertion errors a broker's callbacks collected
 * (`checked`): the first one is thrown as soon as it exists, with the value that failed, instead
 * of the wait running into its timeout.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
  failures: readonly unknown[] = [],
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (failures.length > 0) throw failures[0];
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A broker callback whose assertions are kept in `failures` for `until` to throw: an exception
 * thrown inside a client library's callback is lost (or kills the process), never failing the test.
 */
export function checked<A extends unknown[]>(failures: unknown[], callback: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      callback(...args);
    } catch (error) {
      failures.push(error);
    }
  };
}

export const suffix = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Runs a cleanup step, giving up after `ms` (a broker that stopped answering must not hang the suite). */
export async function bounded(step: () => Promise<unknown>, ms = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    step().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

export const AMQP = 'amqp://guest:guest@127.0.0.1:5672';

/** A queue bound to `exchange` collecting every event of every tenant, in arrival order. */
export async function amqpConsumer(exchange: string) {
  const amqp = await import('amqplib');
  const conn = await amqp.connect(AMQP);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, exchange, '#');
  const received: CloudEvent[] = [];
  await ch.consume(q.queue, (m) => m && received.push(JSON.parse(m.content.toString()) as CloudEvent), { noAck: true });
  return {
    received,
    close: async () => {
      await bounded(() => ch.deleteExchange(exchange));
      await bounded(() => conn.close());
      // If the broker stopped answering, the socket would keep this process alive.
      (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    },
  };
}
