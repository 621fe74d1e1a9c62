import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { toCloudEvent } from '../events/cloud-event.ts';
import type { RelayLogger } from '../events/relay.ts';
import { createRelay } from '../server.ts';
import { openStore } from '../store/open.ts';

type Output = (line: string) => void;

/** Resolves on SIGTERM or SIGINT. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

function jsonLogger(level: Config['logLevel']): RelayLogger {
  const rank = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 }[level];
  const line = (lvl: number, obj: object, msg: string) => {
    if (lvl >= rank) console.log(JSON.stringify({ level: lvl, time: Date.now(), ...obj, msg }));
  };
  return { info: (o, m) => line(30, o, m), warn: (o, m) => line(40, o, m), error: (o, m) => line(50, o, m) };
}

/** `scimd relay`: the outbox relay alone, for when serve runs with SCIMD_RELAY=off. */
export async function relay(config: Config, err: Output): Promise<number> {
  if (config.eventSinks.length === 0) {
    err('scimd: no event sinks configured: set SCIMD_EVENT_SINKS (docs/events.md)');
    return 2;
  }
  const store = await openStore(config.databaseUrl);
  await store.migrate();
  const log = jsonLogger(config.logLevel);
  const r = (await createRelay(config, store, log))!;
  r.start();
  log.info({ sinks: r.sinkNames }, 'scimd relay is delivering events');
  const signal = await untilSignal();
  log.info({ signal }, 'relay stopping');
  await r.stop();
  await store.close();
  return 0;
}

/** `scimd events tail [--tenant NAME] [--after N]`: prints events as they commit, one JSON per line. */
export async function tail(config: Config, args: readonly string[], out: Output, err: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { tenant: { type: 'string' }, after: { type: 'string' }, interval: { type: 'string' } },
  });
  if (values.after !== undefined && !/^\d+$/.test(values.after)) {
    err('usage: scimd events tail [--tenant NAME] [--after N]');
    return 1;
  }
  const store = await openStore(config.databaseUrl);
  await store.migrate();
  try {
    const tenants = values.tenant ? [await store.findTenantByName(values.tenant)] : await store.listTenants();
    if (tenants.some((t) => t === undefined)) {
      err(`scimd: tenant ${values.tenant} not found`);
      return 1;
    }
    const cursors = new Map<string, number>();
    // Without --after, only what commits from now on.
    for (const t of tenants) {
      let after = values.after !== undefined ? Number(values.after) : Number.MAX_SAFE_INTEGER;
      if (values.after === undefined) {
        after = 0;
        for (;;) {
          const page = await store.readEvents(t!.id, after, 1000);
          if (page.length === 0) break;
          after = page[page.length - 1]!.sequence;
        }
      }
      cursors.set(t!.id, after);
    }
    let stopped = false;
    void untilSignal().then(() => (stopped = true));
    const interval = Number(values.interval ?? 200);
    while (!stopped) {
      for (const [tenantId, after] of cursors) {
        const events = await store.readEvents(tenantId, after, 1000);
        for (const e of events) out(JSON.stringify(toCloudEvent(e)));
        if (events.length > 0) cursors.set(tenantId, events[events.length - 1]!.sequence);
      }
      await new Promise((r) => setTimeout(r, interval));
    }
    return 0;
  } finally {
    await store.close();
  }
}
