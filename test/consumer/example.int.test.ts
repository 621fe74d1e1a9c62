import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createTestDatabase, postgresTestOptions } from '../../src/store/postgres/testing.ts';
import { bounded, brokerSkip, suffix, until } from '../events/brokers.ts';
import { groupBody, startHarness, userBody } from '../helpers/harness.ts';
import { listening } from './copy.ts';

const root = new URL('../..', import.meta.url).pathname;

describe('examples/people-directory: PostgreSQL people and groups from RabbitMQ', async () => {
  const rabbit = await brokerSkip('RabbitMQ', 5672);
  const postgres = await postgresTestOptions();
  it('a user and a nested group made through SCIM appear in GET /people', rabbit.skip ? rabbit : postgres, async () => {
    // The example imports 'scimd/consumer', which is the bundle: build it as `npm run example:…` does.
    execFileSync(process.execPath, [`${root}scripts/build.mjs`]);
    const { startPeopleDirectory } = await import('../../examples/people-directory/service.ts');
    const exchange = `people.test.${suffix()}`;
    const queue = `people-test-${suffix()}`;
    const sink = `amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}&queue=${queue}`;
    const h = await startHarness({ SCIMD_EVENT_SINKS: sink }, { server: { relay: { pollMs: 20 } } });
    const db = await createTestDatabase();
    let directory: Awaited<ReturnType<typeof startPeopleDirectory>> | undefined;
    try {
      directory = await startPeopleDirectory({
        scimUrl: await listening(h),
        scimToken: h.tokenA,
        tenant: 'acme',
        rabbitUrl: sink,
        databaseUrl: db.url,
        port: 0,
      });
      const user = (await h.request('POST', '/Users', { body: userBody('people@example.com') })).body.id;
      const team = (await h.request('POST', '/Groups', { body: groupBody('Team', [user]) })).body.id;
      const org = (await h.request('POST', '/Groups', { body: groupBody('Org', [team]) })).body.id;
      let people: { user_name: string; groups: { id: string; name: string; type: string }[] }[] = [];
      await until(
        async () => {
          people = (await (await fetch(directory!.url)).json()) as typeof people;
          return people.length === 1 && people[0]!.groups.length === 2;
        },
        15_000,
        'the person and both groups in GET /people',
      );
      assert.equal(people[0]!.user_name, 'people@example.com');
      assert.deepEqual(people[0]!.groups, [
        { id: org, name: 'Org', type: 'indirect' },
        { id: team, name: 'Team', type: 'direct' },
      ]);
    } finally {
      await bounded(() => directory?.stop() ?? Promise.resolve());
      await bounded(() => h.close());
      await bounded(() => db.drop());
      await bounded(async () => {
        const amqp = await import('amqplib');
        const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
        const ch = await conn.createChannel();
        await ch.deleteQueue(queue);
        await ch.deleteExchange(exchange);
        await conn.close();
      });
    }
  });
});
