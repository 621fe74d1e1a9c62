/**
 * The order in which a bulk request's operations run (RFC 7644 §3.7: a service provider may
 * reorder operations as long as the client's intent is preserved). Operations keep the client's
 * order except that an operation referring to a bulkId runs after the POST that defines it, so
 * forward references work. Operations on a cycle of references cannot be ordered: they are
 * reported in `cyclic` (each with the members of its cycle) and placed where the cycle blocks.
 */
export interface Schedule {
  /** Every operation index exactly once. */
  readonly order: readonly number[];
  /** Operation index → the indices of the cycle it is on (itself included), ascending. */
  readonly cyclic: ReadonlyMap<number, readonly number[]>;
}

/** `dependsOn[i]`: the indices of the operations operation i must follow. */
export function scheduleOperations(dependsOn: readonly (readonly number[])[]): Schedule {
  const count = dependsOn.length;
  const waitingOn = dependsOn.map((deps) => new Set(deps).size);
  const dependents: number[][] = dependsOn.map(() => []);
  dependsOn.forEach((deps, i) => new Set(deps).forEach((d) => dependents[d]!.push(i)));

  const queued = new Array<boolean>(count).fill(false);
  const ready = new MinQueue();
  const enqueue = (i: number) => {
    if (queued[i]) return;
    queued[i] = true;
    ready.push(i);
  };
  for (let i = 0; i < count; i++) if (waitingOn[i] === 0) enqueue(i);

  const order: number[] = [];
  const cyclic = new Map<number, readonly number[]>();
  while (order.length < count) {
    if (ready.size === 0) {
      // Everything left waits on something left: release the cycles, their dependents follow.
      const left = [...Array(count).keys()].filter((i) => !queued[i]);
      for (const cycle of cyclesAmong(left, dependsOn)) {
        for (const i of cycle) {
          cyclic.set(i, cycle);
          enqueue(i);
        }
      }
    }
    const next = ready.pop();
    order.push(next);
    for (const d of dependents[next]!) if (--waitingOn[d]! === 0) enqueue(d);
  }
  return { order, cyclic };
}

/**
 * The strongly connected components among `nodes` that contain a cycle (more than one node, or one
 * that depends on itself): Tarjan's algorithm, iterative so that a long chain cannot overflow the stack.
 */
function cyclesAmong(nodes: readonly number[], dependsOn: readonly (readonly number[])[]): number[][] {
  const inScope = new Set(nodes);
  const indexOf = new Map<number, number>();
  const lowLink = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const cycles: number[][] = [];
  let counter = 0;
  const edgesOf = (node: number) => dependsOn[node]!.filter((d) => inScope.has(d));
  for (const root of nodes) {
    if (indexOf.has(root)) continue;
    const work: Array<{ node: number; edges: number[]; next: number }> = [{ node: root, edges: edgesOf(root), next: 0 }];
    indexOf.set(root, counter);
    lowLink.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.edges.length) {
        const to = frame.edges[frame.next++]!;
        if (!indexOf.has(to)) {
          indexOf.set(to, counter);
          lowLink.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edges: edgesOf(to), next: 0 });
        } else if (onStack.has(to)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, indexOf.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) !== indexOf.get(frame.node)) continue;
      const component: number[] = [];
      let member: number;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || dependsOn[frame.node]!.includes(frame.node)) cycles.push(component.sort((a, b) => a - b));
    }
  }
  return cycles;
}

/** A binary min-heap of operation indices: the lowest ready index runs first (the client's order). */
class MinQueue {
  readonly #heap: number[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(value: number): void {
    const heap = this.#heap;
    heap.push(value);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= value) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = value;
  }

  pop(): number {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
        if (heap[child]! >= last) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
