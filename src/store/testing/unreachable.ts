import { createConnection } from 'node:net';

/**
 * Why nothing answers at host:port — the connection was refused, or not accepted within `ms` —
 * or undefined when something accepts it; any other failure (a host that does not resolve, a
 * network error) rejects. The test suites skip (outside CI) only for these two reasons: a server
 * that answers and then refuses the test (bad login, no permission, a database error) fails the
 * run instead of passing for a skip.
 */
export function unreachable(host: string, port: number, ms = 2000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(ms, () => done(`no answer within ${ms} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === 'ECONNREFUSED') resolve('connection refused');
      else reject(error);
    });
  });
}
