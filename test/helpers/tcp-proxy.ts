import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy of the test's own in front of a shared server (PostgreSQL, a broker, a webhook
 * receiver): the test cuts what goes through it, as an outage or a dropped link would, without
 * touching the server that other worktrees' tests share.
 */
export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  /** Connections accepted since start, cut ones included. */
  accepted = 0;
  port = 0;

  constructor(readonly target: { readonly host: string; readonly port: number }) {}

  /** Listens (again, on the same port after a stop). */
  async start(): Promise<void> {
    this.#server = createServer((client) => {
      this.accepted++;
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => {
          this.#sockets.delete(s);
          // One side gone: the other goes too, as when a link drops.
          client.destroy();
          upstream.destroy();
        });
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }

  /** Kills every established connection (mid-stream, no goodbye); new connections are still let through. */
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }

  /** Kills every connection and refuses new ones until start(). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.cut();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
