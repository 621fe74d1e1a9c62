import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scheduleOperations } from './order.ts';

describe('rfc7644 §3.7 bulk operation order', () => {
  it('keeps the client order when nothing refers forward', () => {
    assert.deepEqual(scheduleOperations([[], [0], [], [1, 2]]), { order: [0, 1, 2, 3], cyclic: new Map() });
  });

  it('runs a referenced POST before the operations referring to it, and the rest in client order', () => {
    // 0 refers to 2, 1 refers to 3 which refers to 2.
    assert.deepEqual(scheduleOperations([[2], [3], [], [2], []]).order, [2, 0, 3, 1, 4]);
  });

  it('reports each cycle where it blocks, with its members; dependents of a cycle follow it', () => {
    // 1 ↔ 2 is a cycle, 3 depends on it, 4 refers to itself, 0 and 5 are free.
    const { order, cyclic } = scheduleOperations([[], [2], [1], [1], [4], []]);
    assert.deepEqual(order, [0, 5, 1, 2, 3, 4]);
    assert.deepEqual(
      [...cyclic].sort(([a], [b]) => a - b),
      [
        [1, [1, 2]],
        [2, [1, 2]],
        [4, [4]],
      ],
    );
  });

  it('orders a long chain of forward references without recursion limits', () => {
    const count = 5000;
    const dependsOn = Array.from({ length: count }, (_, i) => (i < count - 1 ? [i + 1] : []));
    const { order, cyclic } = scheduleOperations(dependsOn);
    assert.equal(order[0], count - 1);
    assert.equal(order[count - 1], 0);
    assert.equal(cyclic.size, 0);
    const ring = Array.from({ length: count }, (_, i) => [(i + 1) % count]);
    assert.equal(scheduleOperations(ring).cyclic.size, count);
  });
});
