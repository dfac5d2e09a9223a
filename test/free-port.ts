/**
 * A TCP port free on loopback right now: `wanted` when it is free, else (or
 * with 0) one the system picks. For servers whose URL must be known before they
 * start (an LTI tool's public URL goes into its own configuration).
 */
import { createServer } from 'node:net';

export function freePort(wanted = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => {
      if (wanted === 0) reject(error);
      else resolve(freePort(0));
    });
    probe.listen(wanted, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : wanted;
      probe.close(() => resolve(port));
    });
  });
}
