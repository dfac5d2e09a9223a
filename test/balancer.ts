/**
 * A TCP load balancer for the tests of rooms shared between server
 * processes, as nginx or HAProxy would be in front of them: each connection
 * goes to the first backend that accepts it, in the balancer's order of
 * preference (or, with `rotate`, starting from the next backend in turn); a
 * process that is down (connection refused) is passed over. Loopback only.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Balancer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Which backend port took each connection, in order. */
  readonly routed: number[];
  close(): Promise<void>;
}

export async function startBalancer(backendPorts: number[], options: { rotate?: boolean } = {}): Promise<Balancer> {
  const routed: number[] = [];
  let turn = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    client.pause();
    const first = options.rotate ? turn++ % backendPorts.length : 0;
    const tryBackend = (tries: number): void => {
      const port = tries < backendPorts.length ? backendPorts[(first + tries) % backendPorts.length] : undefined;
      if (port === undefined) {
        client.destroy();
        return;
      }
      const upstream = connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('error', () => {
        upstream.destroy();
        if (!connected) tryBackend(tries + 1);
      });
      upstream.once('connect', () => {
        connected = true;
        routed.push(port);
        open.add(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        client.on('close', () => {
          open.delete(client);
          upstream.destroy();
        });
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    port,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
