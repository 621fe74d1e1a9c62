import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeOrderedId } from './time-ordered-id.ts';

describe('the ids of resources and events', () => {
  it('are UUIDs of version 7 (RFC 9562 §5.7): the time in milliseconds in the first 48 bits, the variant of RFC 9562', () => {
    const at = Date.UTC(2026, 11, 6, 12, 0, 0, 123);
    const id = timeOrderedId(at);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
    for (const time of [at + 1, at, 0, at]) assert.equal(Number.parseInt(timeOrderedId(time).replace('-', '').slice(0, 12), 16), time);
  });

  it('differ within one millisecond, and sort by their time across milliseconds', () => {
    const at = Date.now();
    const ids = Array.from({ length: 1000 }, () => timeOrderedId(at));
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(timeOrderedId(at) < timeOrderedId(at + 1));
  });
});
