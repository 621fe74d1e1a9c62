import { connect, createServer, type Server, type Socket } from 'node:net';

type Pair = readonly [client: Socket, upstream: Socket];

/**
 * A TCP proxy of the test's own in front of a shared server (PostgreSQL, a broker, a webhook
 * receiver): the test cuts what goes through it, as an outage or a dropped link would, without
 * touching the server that other worktrees' tests share.
 */
export class TcpProxy {
  #server: Server | undefined;
  readonly #pairs = new Set<Pair>();
  #stalled = false;
  #cutAfter: { readonly marker: Buffer; readonly done: () => void } | undefined;
  /** Delay of every server answer (ms): a link with latency, so that round trips can be counted in time. */
  latencyMs = 0;
  /** Connections accepted since start, cut ones included. */
  accepted = 0;
  port = 0;

  constructor(readonly target: { readonly host: string; readonly port: number }) {}

  /** Listens (again, on the same port after a stop). */
  async start(): Promise<void> {
    this.#server = createServer((client) => {
      this.accepted++;
      const upstream = connect(this.target.port, this.target.host);
      const pair: Pair = [client, upstream];
      this.#pairs.add(pair);
      for (const s of pair) {
        s.on('close', () => {
          this.#pairs.delete(pair);
          // One side gone: the other goes too, as when a link drops (cutAfter keeps the server's
          // side until the server has answered).
          client.destroy();
          if (!halfCut.has(upstream)) upstream.destroy();
        });
        s.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        upstream.write(chunk);
        const cut = this.#cutAfter;
        if (cut && chunk.includes(cut.marker)) {
          this.#cutAfter = undefined;
          halfCut.add(upstream);
          // The server's answer goes nowhere; the server notices the cut only then.
          upstream.once('data', () => upstream.destroy());
          client.destroy();
          cut.done();
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        // Answers arrive in order, each latencyMs late: every round trip costs at least that.
        if (this.latencyMs > 0) setTimeout(() => client.write(chunk), this.latencyMs);
        else client.write(chunk);
      });
      if (this.#stalled) for (const s of pair) s.pause();
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }

  /** Kills every established connection (mid-stream, no goodbye); new connections are still let through. */
  cut(): void {
    for (const pair of this.#pairs) for (const s of pair) s.destroy();
  }

  /**
   * The next bytes from a client that contain `marker` reach the server, then that client's
   * connection is cut: the server carries the request out and its answer is lost, as with a
   * connection reset on the way back. Resolves when it has cut.
   */
  cutAfter(marker: string): Promise<void> {
    return new Promise((done) => {
      this.#cutAfter = { marker: Buffer.from(marker), done };
    });
  }

  /**
   * Stops forwarding in both directions without closing anything, for connections open and new:
   * a network that drops packets, where nobody is told.
   */
  stall(): void {
    this.#stalled = true;
    for (const pair of this.#pairs) for (const s of pair) s.pause();
  }

  /** Forwards again after stall(): what was held back arrives late, as retransmitted packets would. */
  resume(): void {
    this.#stalled = false;
    for (const pair of this.#pairs) for (const s of pair) s.resume();
  }

  /** Kills every connection and refuses new ones until start(). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.cut();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** Server sides of connections cut by cutAfter, kept until the server answers. */
const halfCut = new WeakSet<Socket>();
