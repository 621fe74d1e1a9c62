import { Worker } from 'node:worker_threads';
import type { RequestLogStore } from '../../store/ports/request-log.ts';
import { type Batch, writeBatch } from './batch.ts';
import type { FromThread, ToThread } from './thread.ts';

/** Where the request log's batches are written: on the event loop, or on a thread of its own. */
export interface BatchWriter {
  /** Settles once the batch is written, or rejects with why it was not. */
  write(batch: Batch): Promise<void>;
  /** After the last write has settled. */
  close(): Promise<void>;
}

/** On the event loop, through the server's own store (an in-memory database, or when the thread is gone). */
export function writerOnLoop(store: Pick<RequestLogStore, 'appendRequests'>): BatchWriter {
  return { write: (batch) => writeBatch(store, batch), close: async () => undefined };
}

/**
 * The thread: dist/request-log-thread.mjs beside the bundle (scripts/build.mjs); from the sources,
 * thread.ts through tsx, which a worker does not inherit from its parent on Node 20 (neither
 * `--import tsx` nor a hook registered in-process, as bin/scimd.js does, reaches it).
 */
function startThread(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./request-log-thread.mjs', import.meta.url), { workerData });
  const load = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) => tsImport(${JSON.stringify(new URL('./thread.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(load, { eval: true, workerData });
}

/**
 * On a thread of its own (thread.ts) with its own connection to `databaseUrl`: the redaction, the
 * INSERTs and their commit (on SQLite the WAL writes, on PostgreSQL the driver's encoding) leave
 * the event loop, which only copies each request into the batch and transfers it. If the thread
 * dies, the batch it was writing is lost (its write rejects) and `fallback` writes the next ones;
 * `onLost` hears why, when no write was waiting to report it.
 */
export function writerOnThread(databaseUrl: string, fallback: BatchWriter, onLost: (error: unknown) => void): BatchWriter {
  const thread = startThread({ databaseUrl });
  // Held only while a batch is in its hands: an idle thread never keeps the process alive.
  thread.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
  let next = 0;
  let alive = true;
  let closing = false;
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));

  thread.on('message', (answer: FromThread) => {
    const write = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) thread.unref();
    if ('failed' in answer) write?.reject(Object.assign(new Error(answer.failed.message), answer.failed));
    else write?.resolve();
  });
  const down = (error: unknown) => {
    if (!alive) return;
    alive = false;
    if (waiting.size === 0 && !closing) onLost(error);
    for (const write of waiting.values()) write.reject(error);
    waiting.clear();
  };
  thread.on('error', down);
  thread.on('exit', (code) => down(new Error(`the request log's thread exited with code ${code}`)));

  return {
    write(batch) {
      if (!alive || closing) return fallback.write(batch);
      const id = next++;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        thread.ref();
        const message: ToThread = { id, batch };
        thread.postMessage(message, [batch.bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      closing = true;
      if (alive) {
        thread.ref();
        thread.postMessage('close' satisfies ToThread);
        await exited;
      }
      await fallback.close();
    },
  };
}
