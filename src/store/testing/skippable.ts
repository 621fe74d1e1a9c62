import * as nodeTest from 'node:test';

/**
 * node:test's declarations, for suites that a missing server skips. A suite skipped whole
 * (`describe(name, { skip }, …)`) never runs its body, so node:test reports it as one skipped
 * suite and none of its tests: `npm test` would say "2 skipped" for hundreds of tests that did
 * not run. Declared inside `skipping(reason, …)` instead, every test is declared and reported
 * skipped with the reason, and no hook runs (the hooks would reach for the missing server).
 */

let current: string | undefined;

/** Declares what `declare` declares; when `reason` is set, every test in it skipped with the reason. */
export function skipping(reason: string | undefined, declare: () => void): void {
  const outer = current;
  current = reason || outer;
  try {
    declare();
  } finally {
    current = outer;
  }
}

type Fn = (...args: never[]) => unknown;

function hook<T extends Fn>(real: T): T {
  return ((...args: Parameters<T>) => (current ? undefined : real(...args))) as T;
}

export const it = ((name: string, ...rest: unknown[]) => {
  if (!current) return (nodeTest.it as (...a: unknown[]) => unknown)(name, ...rest);
  return nodeTest.it(name, { skip: current }, () => undefined);
}) as typeof nodeTest.it;

/** node:test's describe; the skip reason in force where it is declared holds for its body too. */
export const describe = ((name: string, ...rest: unknown[]) => {
  const reason = current;
  const body = rest.pop() as Fn;
  return (nodeTest.describe as (...a: unknown[]) => unknown)(name, ...rest, (...args: never[]) => {
    let result: unknown;
    skipping(reason, () => {
      result = body(...args);
    });
    return result;
  });
}) as typeof nodeTest.describe;

export const before = hook(nodeTest.before);
export const after = hook(nodeTest.after);
export const beforeEach = hook(nodeTest.beforeEach);
export const afterEach = hook(nodeTest.afterEach);
