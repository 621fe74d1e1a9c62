import { type Command, Option } from 'commander';
import type { Config } from '../config/config.ts';
import { type EventContract, toCloudEvent } from '../events/cloud-event.ts';
import type { RelayLogger } from '../events/relay.ts';
import { createRelay } from '../server.ts';
import type { Store } from '../store/ports/store.ts';
import { type Cli, wholeNumber } from './cli.ts';
import { openDatabase } from './database.ts';
import type { Io } from './output.ts';

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

/** `scimd relay` and `scimd events tail`. */
export function registerEventCommands(program: Command, cli: Cli): void {
  program
    .command('relay')
    .description('deliver outbox events to SCIMD_EVENT_SINKS without serving the API (for serve with SCIMD_RELAY=off)')
    .action(cli.action(async ({ config, io }) => relay(config, io)));

  program
    .command('events')
    .description('follow the events of the outbox')
    .command('tail')
    .description('print events as they commit, one CloudEvent JSON per line, until interrupted')
    .option('--tenant <NAME>', "only this tenant's events (default: every tenant)")
    .option('--after <N>', 'start after this sequence number (default: only what commits from now on)', wholeNumber)
    .addOption(new Option('--interval <MS>', 'how often to poll').default(200).argParser(wholeNumber).hideHelp())
    .action(
      cli.withStore<{ tenant?: string; after?: number; interval: number }>('read', async ({ config, store, io }, options) =>
        tail(store, options, config.eventContract, io),
      ),
    );
}

async function relay(config: Config, io: Io): Promise<number> {
  if (config.eventSinks.length === 0) {
    io.err('scimd: no event sinks configured: set SCIMD_EVENT_SINKS (docs/events.md)');
    return 2;
  }
  const { store } = await openDatabase(config.databaseUrl, 'write', io.err);
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

async function tail(
  store: Store,
  options: { tenant?: string; after?: number; interval: number },
  contract: EventContract,
  io: Io,
): Promise<number> {
  const tenants = options.tenant ? [await store.findTenantByName(options.tenant)] : await store.listTenants();
  if (tenants.some((t) => t === undefined)) {
    io.err(`scimd: tenant ${options.tenant} not found`);
    return 1;
  }
  const cursors = new Map<string, number>();
  for (const t of tenants) {
    let after = options.after ?? 0;
    // Without --after, only what commits from now on.
    if (options.after === undefined) {
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
  while (!stopped) {
    for (const [tenantId, after] of cursors) {
      const events = await store.readEvents(tenantId, after, 1000);
      for (const e of events) io.out(JSON.stringify(toCloudEvent(e, contract)));
      if (events.length > 0) cursors.set(tenantId, events[events.length - 1]!.sequence);
    }
    await new Promise((r) => setTimeout(r, options.interval));
  }
  return 0;
}
