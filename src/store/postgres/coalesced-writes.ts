import type { Socket } from 'node:net';
import type pg from 'pg';

/**
 * What a client writes to its socket in one turn of the event loop goes out as one write. pg
 * writes each protocol message on its own (Bind, Execute and Sync of a prepared statement are
 * three), and each write on a loopback or LAN socket is a system call that wakes the backend: a
 * PATCH's two round trips were about five writes. Corked until the turn's check phase, the
 * messages of every statement a request (or several) asked for in that turn leave together.
 */
export function coalesceWrites(client: pg.Client): void {
  const stream = (client as unknown as { connection: { stream: Socket } }).connection.stream;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const release = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(release);
    }
    return write(...args);
  }) as Socket['write'];
}
