import { Router } from 'express';
import { ROUTES } from '../../../shared/routes.js';
import { routeMounter } from '../http/route.js';
import { buildAsyncApi } from './asyncapi.js';
import { renderDocsPage } from './docsPage.js';
import { buildOpenApi } from './openapi.js';

/** The documents are generated once, on first request (the catalogue cannot change while running). */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/**
 * GET /api/openapi.json and /api/asyncapi.json (mounted under /api, so the origin
 * check and rate limit apply) and GET /docs (the readable page, mounted at the root
 * ahead of the client's SPA fallback). docs/api.md.
 */
export function contractRouters(): { api: Router; page: Router } {
  const openapi = once(() => ROUTES.openApi.response.parse(buildOpenApi()));
  const asyncapi = once(() => ROUTES.asyncApi.response.parse(buildAsyncApi()));
  const page = once(() => renderDocsPage(openapi(), asyncapi()));

  const api = Router();
  const onApi = routeMounter(api, '/api');
  onApi(ROUTES.openApi, (_req, res) => {
    res.json(openapi());
  });
  onApi(ROUTES.asyncApi, (_req, res) => {
    res.json(asyncapi());
  });

  const docs = Router();
  routeMounter(docs, '')(ROUTES.docsPage, (_req, res) => {
    res.type('html').send(page());
  });
  return { api, page: docs };
}
