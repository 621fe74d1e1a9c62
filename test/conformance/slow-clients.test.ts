import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../helpers/harness.ts';

/**
 * Slow clients (Slowloris and its kin): a connection that trickles its headers or its body, or
 * that idles after a request, is closed after the configured bound (docs/limits.md, "Slow
 * clients"), not after Node's defaults (60 s for the headers, checked every 30 s). The bounds here
 * are short: headers 1 s, request 2 s, keep-alive 1 s.
 */

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEP_ALIVE_MS = 1000;
/** Node's check beat (a quarter of the headers timeout here) plus a loaded machine's slack. */
const SLACK_MS = 1500;

interface Ended {
  /** ms from the connection to its close by the server. */
  readonly afterMs: number;
  /** What the server sent. */
  readonly received: string;
}

describe('slow clients are cut within the configured timeouts', () => {
  let h: Harness;
  let port: number;

  before(async () => {
    h = await startHarness({
      SCIMD_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      SCIMD_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      SCIMD_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
    });
    port = Number(new URL(await h.server.app.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  after(() => h.close());

  /** Opens a connection, hands it to `drive` (which writes slowly), and resolves when the server closes it. */
  function until(drive: (socket: Socket, closed: () => boolean) => Promise<void>): Promise<Ended> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let received = '';
      let closed = false;
      const socket = connect(port, '127.0.0.1');
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        closed = true;
        resolve({ afterMs: Date.now() - started, received });
      });
      socket.on('connect', () => drive(socket, () => closed).catch(reject));
    });
  }

  /** Writes `chunks` one by one, `gapMs` apart, while the connection is open; then waits. */
  const trickle = (chunks: readonly string[], gapMs: number) => async (socket: Socket, closed: () => boolean) => {
    for (const chunk of chunks) {
      if (closed()) return;
      socket.write(chunk);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  };

  it('headers sent one line at a time, never finished: 408 and closed after SCIMD_HEADERS_TIMEOUT_MS', async (t) => {
    const lines = ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: ${i}\r\n`)];
    const ended = await until(trickle(lines, 200));
    t.diagnostic(`slow headers cut after ${ended.afterMs} ms (SCIMD_HEADERS_TIMEOUT_MS=${HEADERS_MS})`);
    assert.ok(ended.afterMs >= HEADERS_MS - 50, `${ended.afterMs} ms`);
    assert.ok(ended.afterMs < HEADERS_MS + SLACK_MS, `${ended.afterMs} ms`);
    assert.match(ended.received, /^HTTP\/1\.1 408 /);
  });

  it('a body sent a byte at a time: 408 and closed after SCIMD_REQUEST_TIMEOUT_MS', async (t) => {
    // Authenticated: a request without a token is answered 401 before its body arrives.
    const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.tokenA}\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n`;
    const ended = await until(trickle([head, ...'{"userName":"slow"'.split('')], 200));
    t.diagnostic(`slow body cut after ${ended.afterMs} ms (SCIMD_REQUEST_TIMEOUT_MS=${REQUEST_MS})`);
    assert.ok(ended.afterMs >= REQUEST_MS - 50, `${ended.afterMs} ms`);
    assert.ok(ended.afterMs < REQUEST_MS + SLACK_MS, `${ended.afterMs} ms`);
    assert.match(ended.received, /^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed after SCIMD_KEEP_ALIVE_TIMEOUT_MS; a prompt client is served', async (t) => {
    let answeredAt = 0;
    const ended = await until(async (socket) => {
      socket.once('data', () => (answeredAt = Date.now()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    const idleMs = Date.now() - answeredAt;
    t.diagnostic(`idle keep-alive connection closed ${idleMs} ms after its answer (SCIMD_KEEP_ALIVE_TIMEOUT_MS=${KEEP_ALIVE_MS})`);
    assert.match(ended.received, /^HTTP\/1\.1 200 /);
    assert.match(ended.received, new RegExp(`\r\nkeep-alive: timeout=${KEEP_ALIVE_MS / 1000}\r\n`, 'i'));
    // Node closes it a second after the time it advertises (Keep-Alive: timeout=1), so that a
    // client that trusts the header never sends on a connection the server is closing.
    assert.ok(idleMs >= KEEP_ALIVE_MS - 50 && idleMs < KEEP_ALIVE_MS + 1000 + SLACK_MS, `${idleMs} ms`);
  });
});
