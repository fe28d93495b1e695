// A TCP proxy in front of redis-server that holds each answer for `delayMs`: Redis "1 ms
// away" on one machine. Only answers are delayed (commands go through at once), so a round
// trip costs the delay once; Node's timers have millisecond resolution, so 1 ms is the
// smallest delay it can add.
import net from 'node:net';

export interface DelayProxy {
  port: number;
  close(): Promise<void>;
}

export function delayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    // As Redis and node-redis do on their own sockets: without it, Nagle's algorithm holds a
    // small write behind an unacknowledged one, and the delayed ACK adds 40 ms now and then.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('data', (c) => upstream.write(c));
    upstream.on('data', (c) => setTimeout(() => client.writable && client.write(c), delayMs));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
