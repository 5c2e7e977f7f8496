import { z } from 'zod';
import { clientSessionIdSchema, conversationIdSchema, objectIdHexSchema } from './ids.js';

/**
 * A verified webhook as stored (collection `webhook_events`) BEFORE it is
 * processed, so a crash while processing never loses it and a redelivery is a no-op.
 */

/** Event id when the sender gives one, else `${conversation_id}:${type}`. */
export const webhookDedupeKeySchema = z.string().min(1).max(300);

export const webhookOutcomeSchema = z.strictObject({
  result: z.enum(['linked', 'orphaned', 'ambiguous', 'ignored', 'failed']),
  clientSessionId: clientSessionIdSchema.optional(),
  detail: z.string().max(2000).optional(),
});
export type WebhookOutcome = z.infer<typeof webhookOutcomeSchema>;

export const webhookEventSchema = z.strictObject({
  id: objectIdHexSchema,
  dedupeKey: webhookDedupeKeySchema,
  type: z.string().min(1).max(100),
  conversationId: conversationIdSchema.optional(),
  /** The verified body as parsed JSON; external shape, kept whole (see ELEVENLABS.md). */
  payload: z.record(z.string(), z.unknown()),
  receivedAt: z.date(),
  processedAt: z.date().optional(),
  outcome: webhookOutcomeSchema.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const storeWebhookEventInputSchema = webhookEventSchema.pick({
  dedupeKey: true,
  type: true,
  conversationId: true,
  payload: true,
  receivedAt: true,
});
export type StoreWebhookEventInput = z.infer<typeof storeWebhookEventInputSchema>;
