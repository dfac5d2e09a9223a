/** The baselines' signalling: a bare PeerJS server (npm `peer`, no rooms) on a free loopback port. */
import { createServer } from 'node:http';
import express from 'express';
import { ExpressPeerServer } from 'peer';

export interface BarePeerServer {
  port: number;
  close(): Promise<void>;
}

export async function startBarePeerServer(): Promise<BarePeerServer> {
  const app = express();
  const http = createServer(app);
  const peer = ExpressPeerServer(http, { path: '/' });
  peer.on('error', () => undefined);
  app.use('/', peer);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => {
          resolve();
        });
      }),
  };
}
