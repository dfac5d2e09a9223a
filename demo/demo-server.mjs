// The demo's own routes, mounted in front of the room server by `npm start`:
// the demo pages at /, the built package at /dist/, and a DEVELOPMENT-ONLY
// token signer, off unless asked for. A real deployment signs tokens in its
// own backend, after its own login; never expose a signer like this one: it
// hands a tutor token for any room to anyone who can reach it.
import express from 'express';
import { join } from 'node:path';

/**
 * Whether the development token signer may run, from the command line and the
 * environment. It is off by default, on only with `--dev-tokens` or
 * `LIVE_SESSION_DEV_TOKENS=1`, and refused outright under `NODE_ENV=production`.
 *
 * @returns {{ devTokens: boolean, error?: string, note?: string }}
 */
export function devTokenSetting({ flag, env, secret }) {
  const asked = flag === true || env.LIVE_SESSION_DEV_TOKENS === '1' || env.LIVE_SESSION_DEV_TOKENS === 'true';
  if (!asked) return { devTokens: false };
  if (env.NODE_ENV === 'production') {
    return {
      devTokens: false,
      error:
        'refusing to start: --dev-tokens (LIVE_SESSION_DEV_TOKENS) signs a tutor token for anyone, ' +
        'and NODE_ENV is "production". Sign tokens in your own backend instead.',
    };
  }
  if (!secret) {
    return { devTokens: false, note: 'no secret set (open mode): no tokens are needed, so --dev-tokens changes nothing.' };
  }
  return { devTokens: true };
}

/** The loud lines printed at start while the development signer is on. */
export function devTokenBanner(url) {
  const line = '!'.repeat(78);
  return [
    line,
    '!! DEVELOPMENT TOKEN SIGNER ON (--dev-tokens / LIVE_SESSION_DEV_TOKENS).',
    `!! ${url}demo/dev-token signs a join token, TUTOR included, for anyone who`,
    '!! can reach this server. For trying the demo on your own machine only;',
    '!! never on a server that others can reach. Every token it signs is logged.',
    line,
  ].join('\n');
}

/**
 * Mounts the demo pages, `/dist/`, `/demo/config.json` and `/demo/dev-token`.
 * `devTokens` must be true, and a secret set, for the signer to answer.
 */
export function mountDemo(app, { root, secret, devTokens = false, warn = (line) => console.error(line) }) {
  const signer = Boolean(secret) && devTokens === true;
  app.use('/dist', express.static(join(root, 'dist'), { index: false }));
  app.use(express.static(join(root, 'demo'), { index: 'index.html', extensions: ['html'] }));

  // Whether the server runs with a secret, and whether the demo may fetch a token.
  app.get('/demo/config.json', (_req, res) => {
    res.json({ tokens: Boolean(secret), devTokens: signer });
  });

  // DEVELOPMENT ONLY, and only when asked for: signs a join token for whatever the page asks.
  app.get('/demo/dev-token', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!secret) {
      res.status(404).json({ error: 'The server runs without a secret: no token needed.' });
      return;
    }
    if (!signer) {
      res.status(404).json({
        error: 'The development token signer is off. Tokens come from your backend (see docs/embedding-lms.md); ' +
          'to try the demo with a secret on your own machine, start it with --dev-tokens.',
      });
      return;
    }
    const { signJoinToken } = await import(join(root, 'dist/server/index.js'));
    const room = String(req.query.room ?? '');
    const name = String(req.query.name ?? '');
    const role = req.query.role === 'tutor' ? 'tutor' : 'student';
    const sub = String(req.query.userId ?? '');
    try {
      const token = await signJoinToken({ room, name, role, sub }, secret, { expiresIn: '2h' });
      warn(`live-session demo: DEVELOPMENT token signed: role=${role} room=${JSON.stringify(room)} user=${JSON.stringify(sub.slice(0, 128))} for ${req.socket.remoteAddress ?? '?'}`);
      res.json({ token });
    } catch (error) {
      res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}
