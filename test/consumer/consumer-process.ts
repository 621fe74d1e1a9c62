// A consumer as its own process, for tests that SIGKILL it: the copy lives in CONSUMER_TARGET
// (a SQLite file, or postgres://…), the events come from CONSUMER_SOURCE. Prints one line per
// committed batch ("at <position>") so that the test can see it move.
import { Consumer, postgresTarget, sqliteTarget } from '../../consumer/index.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const targetUrl = env('CONSUMER_TARGET');
const target = targetUrl.startsWith('postgres') ? await postgresTarget(targetUrl) : await sqliteTarget(targetUrl);
const consumer = new Consumer({
  scim: { url: env('CONSUMER_SCIM_URL'), token: env('CONSUMER_SCIM_TOKEN') },
  tenant: env('CONSUMER_TENANT'),
  target,
  source: env('CONSUMER_SOURCE'),
  subscription: env('CONSUMER_SUBSCRIPTION'),
  checkEveryMs: Number(process.env['CONSUMER_CHECK_MS'] ?? 1000),
  onCommit: ({ to }) => console.log(`at ${to}`),
  logger: { info: (m, d) => console.log(m, JSON.stringify(d ?? {})), warn: (m, d) => console.log(m, JSON.stringify(d ?? {})) },
});
// scimd may be restarting when the consumer starts: try again until it answers.
for (let attempt = 0; ; attempt++) {
  try {
    await consumer.start();
    break;
  } catch (error) {
    if (attempt > 100) throw error;
    console.log('start failed, retrying', String(error));
    await new Promise((r) => setTimeout(r, 200));
  }
}
console.log('consumer started');
process.once(
  'SIGTERM',
  () =>
    void consumer
      .stop()
      .then(() => target.close())
      .then(() => process.exit(0)),
);
