/**
 * The request log's writing thread (writer.ts starts it; the bundle builds it as
 * dist/request-log-thread.mjs): a store of its own on the server's database, which redacts, cuts
 * and appends each batch the event loop hands over, one at a time, and answers each with its id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/open.ts';
import { type Batch, writeBatch } from './batch.ts';

export type ToThread = { readonly id: number; readonly batch: Batch } | 'close';
export type FromThread =
  | { readonly id: number }
  | { readonly id: number; readonly failed: { name: string; message: string; code?: unknown } };

const port = parentPort!;
const store = await openStore((workerData as { databaseUrl: string }).databaseUrl, { secondary: true });
let turn = Promise.resolve();
port.on('message', (message: ToThread) => {
  turn = turn.then(async () => {
    if (message === 'close') {
      await store.close();
      port.close();
      return;
    }
    let answer: FromThread;
    try {
      await writeBatch(store, message.batch);
      answer = { id: message.id };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      answer = { id: message.id, failed: { name: e.name, message: e.message, code: (e as { code?: unknown }).code } };
    }
    port.postMessage(answer);
  });
});
