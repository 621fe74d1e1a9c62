import { createConnection } from 'node:net';

/** Whether something answers on 127.0.0.1:port (within 1 s). */
export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * `{ skip: message }` when the broker is not reachable and CI is not set; under CI=true nothing
 * is skipped (the test then fails on the connection, loudly).
 */
export async function brokerSkip(name: string, port: number): Promise<{ skip?: string }> {
  if (process.env['CI'] === 'true' || (await reachable(port))) return {};
  return { skip: `${name} not reachable at 127.0.0.1:${port}` };
}

export async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const suffix = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Runs a cleanup step, giving up after `ms` (a broker that stopped answering must not hang the suite). */
export async function bounded(step: () => Promise<unknown>, ms = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    step().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
