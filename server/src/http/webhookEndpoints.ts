import { Router, type RequestHandler } from 'express';
import { parseOrThrow } from '../../../shared/errors.js';
import { ROUTES } from '../../../shared/routes.js';
import {
  createWebhookEndpointRequestSchema,
  listWebhookDeliveriesQuerySchema,
  listWebhookEndpointsQuerySchema,
  rotateWebhookSecretRequestSchema,
  updateWebhookEndpointRequestSchema,
} from '../../../shared/webhooksOut.js';
import type { WebhookEndpoints } from '../webhooksOut/endpoints.js';
import { routeMounter } from './route.js';

/**
 * Outgoing webhook endpoints (docs/webhooks-out.md), admin only: every route is a
 * catalogue entry (shared/routes.ts) mounted with the admin guard composed in candor.ts.
 */
export function webhookEndpointsRouter(deps: { endpoints: WebhookEndpoints; adminGuard: RequestHandler }): Router {
  const { endpoints } = deps;
  const router = Router();
  const on = routeMounter(router, '/api', { admin: deps.adminGuard });

  on(ROUTES.createWebhookEndpoint, async (req, res) => {
    const body = parseOrThrow(createWebhookEndpointRequestSchema, req.body, 'webhook endpoint');
    // The signing secret is in this answer only: no cache may keep it.
    res.status(201).set('cache-control', 'no-store').json(await endpoints.create(body));
  });

  on(ROUTES.listWebhookEndpoints, async (req, res) => {
    const q = parseOrThrow(listWebhookEndpointsQuerySchema, req.query, 'query');
    res.json(await endpoints.list({ limit: q.limit, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) }));
  });

  on(ROUTES.getWebhookEndpoint, async (req, res) => {
    res.json(await endpoints.get(req.params.id));
  });

  on(ROUTES.updateWebhookEndpoint, async (req, res) => {
    const patch = parseOrThrow(updateWebhookEndpointRequestSchema, req.body, 'webhook endpoint update');
    res.json(await endpoints.update(req.params.id, patch));
  });

  on(ROUTES.deleteWebhookEndpoint, async (req, res) => {
    await endpoints.remove(req.params.id);
    res.status(204).end();
  });

  on(ROUTES.rotateWebhookSecret, async (req, res) => {
    // The body may be left out: the default grace period applies.
    const body = parseOrThrow(rotateWebhookSecretRequestSchema, req.body ?? {}, 'rotation');
    res.set('cache-control', 'no-store').json(await endpoints.rotateSecret(req.params.id, body.graceMs));
  });

  on(ROUTES.listWebhookDeliveries, async (req, res) => {
    const q = parseOrThrow(listWebhookDeliveriesQuerySchema, req.query, 'query');
    res.json(
      await endpoints.deliveries(req.params.id, {
        limit: q.limit,
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      }),
    );
  });

  on(ROUTES.replayWebhookDelivery, async (req, res) => {
    res.status(202).json(await endpoints.replay(req.params.id, req.params.deliveryId));
  });

  return router;
}
