import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/**
 * Serves the built React client (vite build -> dist/client). Paths that are
 * not files fall back to index.html so client-side routes survive a reload.
 * Returns null when the client was not built (e.g. `npm run dev` serves it
 * through Vite instead).
 */
/** Client-side routes: every path outside the API, the webhooks and socket.io gets index.html. */
export const CLIENT_FALLBACK = /^\/(?!api\/|webhooks\/|socket\.io\/).*/;

export function staticClientRouter(clientDir: string): Router | null {
  const indexFile = path.join(clientDir, 'index.html');
  if (!fs.existsSync(indexFile)) return null;
  const router = Router();
  router.use(express.static(clientDir, { index: false, maxAge: '1h', immutable: false }));
  router.get(CLIENT_FALLBACK, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
