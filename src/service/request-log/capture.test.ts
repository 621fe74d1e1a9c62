import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureBuffer, type CapturedRequest, readCaptures } from './capture.ts';

const request = (overrides: Partial<CapturedRequest> = {}): CapturedRequest => ({
  tenantId: 'tenant-1',
  arrivedMs: 1_733_476_800_123.75,
  method: 'PATCH',
  path: '/Users/2819c223',
  query: '',
  status: 200,
  latencyMs: 3.25,
  requestId: 'req-1',
  tokenId: undefined,
  userAgent: '',
  resourceId: '2819c223',
  body: { Operations: [{ op: 'Replace', path: 'displayName', value: 'Zoë 𝄞 日本' }] },
  unparsedBody: undefined,
  response: '{"displayName":"Zoë 𝄞 日本"}',
  bearer: undefined,
  ...overrides,
});

describe('request log capture buffer', () => {
  it('gives back each request as appended, the body as its JSON text; absent and empty strings stay apart', () => {
    const buffer = new CaptureBuffer();
    const sent = [request(), request({ method: 'POST', body: undefined, unparsedBody: '{"userName": "x"', status: 400, tokenId: '' })];
    for (const r of sent) buffer.append(r);
    const { bytes, count } = buffer.take();
    assert.equal(count, 2);
    assert.equal(buffer.count, 0, 'the next batch starts empty');
    assert.deepEqual(
      [...readCaptures(bytes)],
      sent.map((r) => ({ ...r, body: r.body === undefined ? undefined : JSON.stringify(r.body) })),
    );
  });

  it('grows past its first size for a large response, the requests before it kept', () => {
    const buffer = new CaptureBuffer();
    const large = `{"Resources":[${'"é",'.repeat(100_000)}"end"]}`;
    buffer.append(request({ requestId: 'small' }));
    buffer.append(request({ requestId: 'large', response: large }));
    const read = [...readCaptures(buffer.take().bytes)];
    assert.deepEqual(
      read.map((r) => [r.requestId, r.response?.length]),
      [
        ['small', request().response!.length],
        ['large', large.length],
      ],
    );
    assert.equal(read[1]!.response, large);
  });

  it('short strings, ASCII or not, come back as they went in (the ASCII ones are copied without Buffer#write)', () => {
    const buffer = new CaptureBuffer();
    const sent = [
      request({ path: '/Users/é', query: 'filter=displayName eq "日本"', userAgent: 'Okta 𝄞', requestId: 'x'.repeat(128) }),
      request({ path: '/Users/\u007f', query: 'a'.repeat(129), userAgent: `${'a'.repeat(127)}é`, tokenId: '\u0000' }),
    ];
    for (const r of sent) buffer.append(r);
    assert.deepEqual(
      [...readCaptures(buffer.take().bytes)],
      sent.map((r) => ({ ...r, body: JSON.stringify(r.body) })),
    );
  });
});

describe('request log capture buffer: one allocation a batch', () => {
  it('a batch like the one before it fits the buffer it starts with: it is never copied into a larger one', (t) => {
    const allocations = t.mock.method(Buffer, 'allocUnsafeSlow');
    const buffer = new CaptureBuffer();
    // About 90 KB a batch, past the first buffer's size (64 KB), each request with a 1 KB response.
    const batch = Array.from({ length: 80 }, (_, i) => request({ requestId: `req-${i}`, response: `{"id":"${'x'.repeat(1000)}"}` }));
    for (const r of batch) buffer.append(r);
    const first = buffer.take();
    const before = allocations.mock.callCount();
    for (const r of batch) buffer.append(r);
    const second = buffer.take();
    assert.equal(second.bytes.length, first.bytes.length);
    assert.equal(allocations.mock.callCount() - before, 1, 'the second batch was written into the one buffer it was given');
    assert.deepEqual([...readCaptures(second.bytes)], [...readCaptures(first.bytes)]);
  });
});
