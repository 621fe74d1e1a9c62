import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKPOINT_STRIDE, IndexPositions } from './index-positions.ts';

const key = (rowKey: number) => ({ sortValue: `v${rowKey}`, rowKey });

describe('index positions (RFC 7644 §3.4.2.4 paging without OFFSET)', () => {
  it('a write of the tenant drops what was remembered of it, and a read that started before the write keeps nothing', () => {
    const positions = new IndexPositions();
    const before = positions.generation('t');
    positions.start('t', 'list', before, 1000).rememberPageEnd(100, key(7));
    assert.deepEqual(positions.find('t', 'list', before)?.nearest(100), { position: 100, key: key(7) });
    positions.written('t');
    assert.equal(positions.find('t', 'list', positions.generation('t')), undefined);
    // A read that took the old generation and finishes after the write: its record is not kept.
    positions.start('t', 'list', before, 999).rememberPageEnd(100, key(8));
    assert.equal(positions.find('t', 'list', positions.generation('t')), undefined);
  });

  it("another tenant's writes leave a tenant's positions alone", () => {
    const positions = new IndexPositions();
    positions.start('a', 'list', 0, 1000).rememberPageEnd(100, key(7));
    positions.written('b');
    assert.equal(positions.find('a', 'list', 0)?.total, 1000);
    assert.equal(positions.find('b', 'list', positions.generation('b')), undefined);
  });

  it('what was counted is trusted for maxAgeMs only (writes of other processes are not seen)', () => {
    let now = 0;
    const positions = new IndexPositions({ maxLists: 4, maxPageEnds: 4, maxAgeMs: 30_000 }, () => now);
    positions.start('t', 'list', 0, 1000);
    now = 30_000;
    assert.equal(positions.find('t', 'list', 0)?.total, 1000);
    now = 30_001;
    assert.equal(positions.find('t', 'list', 0), undefined);
  });

  it('holds at most maxLists lists and maxPageEnds page ends, dropping the least recently used', () => {
    const positions = new IndexPositions({ maxLists: 2, maxPageEnds: 2, maxAgeMs: 30_000 });
    positions.start('t', 'a', 0, 10);
    positions.start('t', 'b', 0, 10);
    positions.find('t', 'a', 0);
    positions.start('t', 'c', 0, 10);
    assert.equal(positions.find('t', 'b', 0), undefined);
    assert.ok(positions.find('t', 'a', 0));
    const list = positions.find('t', 'c', 0)!;
    for (const end of [100, 200, 300]) list.rememberPageEnd(end, key(end));
    assert.deepEqual(list.nearest(150), { position: 0 }, 'the oldest page end went');
    assert.deepEqual(list.nearest(250), { position: 200, key: key(200) });
  });

  it('the nearest known row before an offset: a page end, else the checkpoint before it', () => {
    const list = new IndexPositions().start('t', 'list', 0, 10 * CHECKPOINT_STRIDE);
    list.setCheckpoints([key(1), key(2), key(3)]);
    list.rememberPageEnd(CHECKPOINT_STRIDE + 7, key(99));
    assert.deepEqual(list.nearest(CHECKPOINT_STRIDE - 1), { position: 0 });
    assert.deepEqual(list.nearest(CHECKPOINT_STRIDE), { position: CHECKPOINT_STRIDE, key: key(1) });
    assert.deepEqual(list.nearest(CHECKPOINT_STRIDE + 10), { position: CHECKPOINT_STRIDE + 7, key: key(99) });
    assert.deepEqual(list.nearest(2 * CHECKPOINT_STRIDE + 1), { position: 2 * CHECKPOINT_STRIDE, key: key(2) });
    assert.deepEqual(list.nearest(9 * CHECKPOINT_STRIDE), { position: 3 * CHECKPOINT_STRIDE, key: key(3) }, 'past the last checkpoint');
  });
});
