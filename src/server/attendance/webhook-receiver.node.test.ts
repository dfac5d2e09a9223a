/**
 * Test support for the attendance tests (no tests of its own): a real local
 * HTTP server that records every request it gets and answers as it is told.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../../test/wait-for.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with a request: answer with a status, or never answer. */
export type Reply = number | 'hang' | ((response: ServerResponse) => void);

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Waits (guarded) until `count` requests have come. */
  waitForRequests(count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port; `replies` answers the requests in turn, the last one repeating. */
export async function startReceiver(replies: Reply[] = [204]): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies[Math.min(received.length - 1, replies.length - 1)] ?? 204;
      if (reply === 'hang') return;
      if (typeof reply === 'function') reply(response);
      else response.writeHead(reply).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/attendance`,
    received,
    waitForRequests: (count) => waitFor(() => (received.length >= count ? received : undefined), `${count} webhook requests`, 8000, 10),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL nobody listens on (a port that was free a moment ago). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hooks/attendance`;
}
