import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { BIN, freePort, runCli, startServe, tempDatabaseUrl } from '../cli/process.ts';
import { userBody } from '../helpers/harness.ts';
import { until } from './brokers.ts';

describe('SCIMD_EVENT_SINKS, SCIMD_RELAY, SCIMD_EVENT_RETENTION', () => {
  it('accepts the documented sink URLs and refuses the rest with one clear message', () => {
    const config = loadConfig({
      SCIMD_EVENT_SINKS: 'amqp://guest:guest@h:5672 , nats://h:4222,redis://h,mqtt://h,https://x.example/hook#secret=abc',
    });
    assert.equal(config.eventSinks.length, 5);
    assert.equal(config.relayInServe, true);
    assert.deepEqual(loadConfig({}).eventSinks, []);
    assert.throws(
      () => loadConfig({ SCIMD_EVENT_SINKS: 'kafka://h:9092' }),
      (e) => e instanceof ConfigError && /unsupported scheme kafka:/.test(e.message),
    );
    assert.throws(() => loadConfig({ SCIMD_EVENT_SINKS: 'https://x.example/hook' }), /needs a signing secret/);
    assert.throws(() => loadConfig({ SCIMD_RELAY: 'maybe' }), /SCIMD_RELAY must be on or off/);
    assert.equal(loadConfig({ SCIMD_RELAY: 'off' }).relayInServe, false);
    assert.equal(loadConfig({ SCIMD_EVENT_RETENTION: '3600' }).eventRetentionSeconds, 3600);
  });
});

describe('scimd events tail and scimd relay', () => {
  it('relay without sinks exits 2 with a message', async () => {
    const r = await runCli(['relay'], { SCIMD_DATABASE_URL: tempDatabaseUrl() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SCIMD_EVENT_SINKS/);
  });

  it('events tail --tenant default --after 0 prints every event, then new ones as they commit', async () => {
    const token = 'tail-token-0123456789abcdef';
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: token };
    const served = await startServe(env, freePort());
    const post = (name: string) =>
      fetch(`${served.url}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(userBody(name)),
      });
    let child: ReturnType<typeof spawn> | undefined;
    try {
      assert.equal((await post('tail1@example.com')).status, 201);
      child = spawn(process.execPath, [BIN, 'events', 'tail', '--tenant', 'default', '--after', '0'], { env: { ...process.env, ...env } });
      const closed = new Promise((r) => child!.once('close', r));
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const lines = () => out.split('\n').filter((l) => l.startsWith('{'));
      // A cold start of the CLI compiles TypeScript: on a loaded machine that takes a while.
      await until(() => lines().length >= 1, 30_000, 'the first event');
      assert.equal((await post('tail2@example.com')).status, 201);
      await until(() => lines().length >= 2, 30_000, 'the second event');
      child.kill('SIGTERM');
      await closed;
      const events = lines().map((l) => JSON.parse(l) as { sequence: string; type: string });
      events.forEach(assertValidEvent);
      assert.deepEqual(
        events.map((e) => [Number(e.sequence), e.type]),
        [
          [1, 'scim.user.created'],
          [2, 'scim.user.created'],
        ],
      );
    } finally {
      // A failed wait must not leave `events tail` running: it would keep the test process alive.
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await served.stop();
    }
  });
});
