import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCoreRegistry } from '../../schema/registry.ts';
import { openStore } from '../../store/open.ts';
import type { RequestLogEntry } from '../../store/ports/request-log.ts';
import type { Store } from '../../store/ports/store.ts';
import type { Batch } from './batch.ts';
import { CaptureBuffer, type CapturedRequest } from './capture.ts';
import { secretNamesOf } from './redact.ts';
import { writerOnLoop, writerOnThread } from './writer.ts';

const SECRETS = [...secretNamesOf(createCoreRegistry())];

const captured = (tenantId: string, n: number, overrides: Partial<CapturedRequest> = {}): CapturedRequest => ({
  tenantId,
  arrivedMs: Date.parse('2026-12-06T09:00:00.000Z') + n,
  method: 'POST',
  path: '/Users',
  query: '',
  status: 201,
  latencyMs: 1.5,
  requestId: `req-${n}`,
  tokenId: 'tok_1',
  userAgent: 'Okta SCIM Client 1.0.0',
  resourceId: `user-${n}`,
  body: { userName: `u${n}@example.com`, password: 'hunter2-the-password', name: { givenName: 'Zoë' } },
  unparsedBody: undefined,
  response: `{"id":"user-${n}","userName":"u${n}@example.com"}`,
  bearer: 'the-bearer-token-of-the-request',
  ...overrides,
});

function batchOf(requests: readonly CapturedRequest[]): Batch {
  const buffer = new CaptureBuffer();
  for (const r of requests) buffer.append(r);
  assert.equal(buffer.count, requests.length);
  const secrets = Object.fromEntries(requests.map((r) => [r.tenantId, SECRETS]));
  return { bytes: buffer.take().bytes, secrets, maxBodyBytes: 16384 };
}

/** docs/console.md "Written off the request's path": the batches go to a thread with a connection of its own. */
describe('request log writer', () => {
  let dir: string;
  let url: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scimd-request-log-'));
    url = `sqlite:${join(dir, 'scimd.db')}`;
    store = await openStore(url);
    await store.migrate();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entriesOf = async (tenantId: string) => store.listRequests({ tenantId, limit: 100 });

  it('writes a batch on its thread, redacted, in the order captured, each request as the event loop would have written it', async () => {
    const requests = [
      captured('t-thread', 1),
      captured('t-thread', 2, { method: 'GET', body: undefined, query: 'filter=userName%20eq%20%22x%22' }),
    ];
    const onThread = writerOnThread(url, writerOnLoop(store), (error) => assert.fail(String(error)));
    await onThread.write(batchOf(requests));
    await onThread.close();
    await writerOnLoop(store).write(batchOf(requests.map((r) => ({ ...r, tenantId: 't-loop' }))));

    const strip = ({ seq: _seq, tenantId: _tenant, ...rest }: RequestLogEntry & { seq: number }) => rest;
    const threaded = await entriesOf('t-thread');
    assert.deepEqual(
      threaded.map((e) => [e.method, e.time, e.requestId]),
      [
        ['GET', '2026-12-06T09:00:00.002Z', 'req-2'],
        ['POST', '2026-12-06T09:00:00.001Z', 'req-1'],
      ],
    );
    const create = threaded[1]!;
    assert.equal(create.requestBody, '{"userName":"u1@example.com","password":"[redacted]","name":{"givenName":"Zoë"}}');
    assert.equal(create.client, 'okta');
    assert.ok(!JSON.stringify(threaded).includes('hunter2') && !JSON.stringify(threaded).includes('the-bearer-token'));
    assert.deepEqual(threaded.map(strip), (await entriesOf('t-loop')).map(strip));
  });

  it('survives a thread that dies: the batch in its hands is lost (its write fails), the next ones are written on the event loop', async () => {
    const lost: unknown[] = [];
    // A database the thread cannot open: it fails as it starts, as it would crash at any other time.
    const broken = writerOnThread(`sqlite:${join(dir, 'scimd.db', 'x.db')}`, writerOnLoop(store), (error) => lost.push(error));
    await assert.rejects(broken.write(batchOf([captured('t-crash', 1)])));
    await broken.write(batchOf([captured('t-crash', 2)]));
    await broken.close();
    assert.deepEqual(
      (await entriesOf('t-crash')).map((e) => e.requestId),
      ['req-2'],
    );
    assert.equal(lost.length, 0, 'reported through the write that failed');
  });
});
