import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import { AppError } from '../../../shared/errors.js';
import { conversationIdSchema } from '../../../shared/ids.js';
import { ROUTES } from '../../../shared/routes.js';
import { webhookEnvelopeSchema } from '../../../shared/voice.js';
import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import type { VoiceLinker } from '../voice/linker.js';
import type { WebhookVerifier } from '../voice/webhookVerifier.js';
import { routeMounter } from './route.js';

export interface WebhooksRouterDeps {
  repo: Repository;
  verifier: WebhookVerifier;
  linker: VoiceLinker;
  logger: Logger;
  maxBytes: number;
  now: () => Date;
}

/**
 * `POST /webhooks/elevenlabs` — mounted outside /api with its own raw body
 * parser (the signature covers the exact bytes). Verified -> stored (unique
 * dedupe key) -> 200 -> processed. Bad or stale signature: 401, nothing stored.
 * Over WEBHOOK_MAX_BYTES: 413. A duplicate is acknowledged and changes nothing;
 * an unknown type is stored, acknowledged and ignored. Events whose processing
 * a crash interrupted are processed by the start-up sweep.
 */
export function webhooksRouter(deps: WebhooksRouterDeps): Router {
  const { repo, verifier, linker, logger } = deps;
  const router = Router();
  // The signature is the party's credential; it covers the raw bytes, so the handler verifies it.
  routeMounter(router, '')(ROUTES.elevenLabsWebhook, { before: [express.raw({ type: () => true, limit: deps.maxBytes })] }, async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const verified = await verifier.verify(raw, req.get('elevenlabs-signature'));
    const envelope = webhookEnvelopeSchema.safeParse(verified);
    if (!envelope.success) throw new AppError('VALIDATION', 'Webhook body must be a JSON object with a string "type"');
    const { type } = envelope.data;
    const data = envelope.data.data;
    const rawCid = typeof data === 'object' && data !== null ? (data as { conversation_id?: unknown }).conversation_id : undefined;
    const conversationId = conversationIdSchema.safeParse(rawCid).success ? (rawCid as string) : undefined;
    const dedupeKey = conversationId ? `${conversationId}:${type}` : `sha256:${createHash('sha256').update(raw).digest('hex')}:${type}`.slice(0, 300);
    const stored = await repo.storeWebhookEvent({
      dedupeKey,
      type,
      ...(conversationId ? { conversationId } : {}),
      payload: envelope.data as Record<string, unknown>,
      receivedAt: deps.now(),
    });
    logger.info('webhook received', { type, conversationId, bytes: raw.length, duplicate: !stored.stored });
    res.status(200).json({ received: true, duplicate: !stored.stored });
    if (stored.stored) {
      linker.processEvent(stored.event).catch((err: unknown) => logger.error('webhook processing failed; the start-up sweep retries it', { webhookEventId: stored.event.id, err }));
    }
  });
  return router;
}
