/**
 * WebKit for the end-to-end suite: Debian's WebKitGTK MiniBrowser driven by
 * its WebDriver (`WebKitWebDriver`, package webkit2gtk-driver) over the plain
 * W3C WebDriver protocol, on a virtual X display. Its camera and microphone
 * are WebKit's mock capture devices. This build has no RTCPeerConnection,
 * which makes it a real browser without WebRTC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../test/free-port.js';
import { delay } from '../test/wait-for.js';

export const MINIBROWSER = process.env['MINIBROWSER_BIN'] ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

interface WebDriverReply {
  value: unknown;
}

export class WebKitDriver {
  private constructor(
    private readonly driver: ChildProcess,
    private readonly base: string,
    private readonly sessionId: string,
  ) {}

  /** Starts the driver on a free loopback port and opens a MiniBrowser on `display`. */
  static async launch(display: string): Promise<WebKitDriver> {
    const port = await freePort();
    const driver = spawn('WebKitWebDriver', [`--port=${port}`, '--host=local'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DISPLAY: display },
    });
    let output = '';
    driver.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    for (;;) {
      if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${String(driver.exitCode)}): ${output}`);
      const ready = await fetch(`${base}/status`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() - started > 15_000) {
        driver.kill('SIGKILL');
        throw new Error(`WebKitWebDriver did not start: ${output}`);
      }
      await delay(100);
    }
    try {
      const reply = await command(base, 'POST', '/session', {
        capabilities: {
          alwaysMatch: {
            browserName: 'MiniBrowser',
            'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--enable-mock-capture-devices=true'] },
          },
        },
      });
      const sessionId = (reply as { sessionId?: string }).sessionId;
      if (!sessionId) throw new Error(`no WebDriver session: ${JSON.stringify(reply)}`);
      return new WebKitDriver(driver, base, sessionId);
    } catch (error) {
      driver.kill('SIGKILL');
      throw error;
    }
  }

  async goto(url: string): Promise<void> {
    await command(this.base, 'POST', `/session/${this.sessionId}/url`, { url });
  }

  /** Runs `body` (a function body; `arguments` holds `args`) in the page and returns its result. */
  async evaluate<T>(body: string, ...args: unknown[]): Promise<T> {
    return (await command(this.base, 'POST', `/session/${this.sessionId}/execute/sync`, { script: body, args })) as T;
  }

  async close(): Promise<void> {
    await command(this.base, 'DELETE', `/session/${this.sessionId}`).catch(() => undefined);
    const running = (): boolean => this.driver.exitCode === null && this.driver.signalCode === null;
    if (!running()) return;
    const exited = new Promise<void>((resolve) => this.driver.once('exit', () => resolve()));
    this.driver.kill('SIGTERM');
    await Promise.race([exited, delay(5000)]);
    if (running()) this.driver.kill('SIGKILL');
  }
}

async function command(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const reply = (await response.json()) as WebDriverReply;
  if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${response.status} ${JSON.stringify(reply.value)}`);
  return reply.value;
}
