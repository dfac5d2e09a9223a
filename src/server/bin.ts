#!/usr/bin/env node
/**
 * The `live-session-server` command. The server's packages (express, peer, ws,
 * jose) are optional peer dependencies, so a browser-only app does not install
 * them; without them, this says what to install instead of a module error.
 */
const SERVER_PACKAGES = ['express', 'peer', 'ws', 'jose'];

try {
  await import('./cli.js');
} catch (error) {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const missing = SERVER_PACKAGES.find((name) => message.includes(`'${name}'`));
  if (code === 'ERR_MODULE_NOT_FOUND' && missing) {
    process.stderr.write(
      `live-session-server: the server needs packages that are not installed (${missing} is missing).\n` +
        `Install them next to live-session:  npm install ${SERVER_PACKAGES.join(' ')}\n`,
    );
    process.exit(1);
  }
  throw error;
}
