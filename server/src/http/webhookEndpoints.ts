import { Router, type RequestHandler } from 'express';
import { parseOrThrow } from '../../../shared/errors.js';
import {
  createWebhookEndpointRequestSchema,
  listWebhookDeliveriesQuerySchema,
  listWebhookEndpointsQuerySchema,
  rotateWebhookSecretRequestSchema,
  updateWebhookEndpointRequestSchema,
} from '../../../shared/webhooksOut.js';
import type { WebhookEndpoints } from '../webhooksOut/endpoints.js';

/**
 * Outgoing webhook endpoints (docs/webhooks-out.md), admin only: `guard` is the
 * admin check composed in candor.ts.
 */
export function webhookEndpointsRouter(deps: { endpoints: WebhookEndpoints; guard: RequestHandler }): Router {
  const { endpoints, guard } = deps;
  const router = Router();

  router.post('/webhook-endpoints', guard, async (req, res) => {
    const body = parseOrThrow(createWebhookEndpointRequestSchema, req.body, 'webhook endpoint');
    res.status(201).json(await endpoints.create(body));
  });

  router.get('/webhook-endpoints', guard, async (req, res) => {
    const q = parseOrThrow(listWebhookEndpointsQuerySchema, req.query, 'query');
    res.json(await endpoints.list({ limit: q.limit, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) }));
  });

  router.get('/webhook-endpoints/:id', guard, async (req, res) => {
    res.json(await endpoints.get(String(req.params.id)));
  });

  router.patch('/webhook-endpoints/:id', guard, async (req, res) => {
    const patch = parseOrThrow(updateWebhookEndpointRequestSchema, req.body, 'webhook endpoint update');
    res.json(await endpoints.update(String(req.params.id), patch));
  });

  router.delete('/webhook-endpoints/:id', guard, async (req, res) => {
    await endpoints.remove(String(req.params.id));
    res.status(204).end();
  });

  router.post('/webhook-endpoints/:id/rotate-secret', guard, async (req, res) => {
    const body = parseOrThrow(rotateWebhookSecretRequestSchema, req.body ?? {}, 'rotation');
    res.json(await endpoints.rotateSecret(String(req.params.id), body.graceMs));
  });

  router.get('/webhook-endpoints/:id/deliveries', guard, async (req, res) => {
    const q = parseOrThrow(listWebhookDeliveriesQuerySchema, req.query, 'query');
    res.json(
      await endpoints.deliveries(String(req.params.id), {
        limit: q.limit,
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      }),
    );
  });

  router.post('/webhook-endpoints/:id/deliveries/:deliveryId/replay', guard, async (req, res) => {
    res.status(202).json(await endpoints.replay(String(req.params.id), String(req.params.deliveryId)));
  });

  return router;
}
