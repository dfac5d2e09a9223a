// The demo's own routes, mounted in front of the room server by `npm start`:
// the demo pages at /, the built package at /dist/, and a DEVELOPMENT-ONLY
// token signer. A real deployment signs tokens in its own backend, after its
// own login; never expose a signer like this one.
import express from 'express';
import { join } from 'node:path';

export function mountDemo(app, { root, secret }) {
  app.use('/dist', express.static(join(root, 'dist'), { index: false }));
  app.use(express.static(join(root, 'demo'), { index: 'index.html', extensions: ['html'] }));

  // Whether the server runs with a secret, so the room page knows to fetch a token.
  app.get('/demo/config.json', (_req, res) => {
    res.json({ tokens: Boolean(secret) });
  });

  // DEVELOPMENT ONLY: signs a join token for whatever the page asks.
  app.get('/demo/dev-token', async (req, res) => {
    if (!secret) {
      res.status(404).json({ error: 'The server runs without a secret: no token needed.' });
      return;
    }
    const { signJoinToken } = await import(join(root, 'dist/server/index.js'));
    const room = String(req.query.room ?? '');
    const name = String(req.query.name ?? '');
    const role = req.query.role === 'tutor' ? 'tutor' : 'student';
    const sub = String(req.query.userId ?? '');
    try {
      const token = await signJoinToken({ room, name, role, sub }, secret, { expiresIn: '2h' });
      res.json({ token });
    } catch (error) {
      res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}
