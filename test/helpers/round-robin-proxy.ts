import { createServer, request, type Server } from 'node:http';

/**
 * A load balancer in front of several Kehu instances, as production runs them: each request goes to
 * the next upstream in turn (round robin), with no session affinity. `served` records which upstream
 * answered each request, by its index.
 */
export class RoundRobinProxy {
  readonly served: number[] = [];
  private next = 0;
  private server?: Server;
  url = '';

  constructor(private readonly upstreams: string[]) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const index = this.next++ % this.upstreams.length;
      this.served.push(index);
      const target = new URL(req.url ?? '/', this.upstreams[index]);
      const upstream = request(target, { method: req.method, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
