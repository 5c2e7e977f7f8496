import { z } from 'zod';

/**
 * The events Candor sends to registered webhook endpoints (docs/webhooks-out.md).
 * A leaf module (zod only): interview.ts stores outbox entries of these types,
 * webhooksOut.ts describes the endpoints, deliveries and payloads.
 */
export const WEBHOOK_EVENT_TYPES = ['interview.completed', 'evaluation.ready', 'voice.linked', 'voice.orphaned', 'interview.abandoned'] as const;
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** Server-generated (crypto.randomUUID) when the state change is written; sent as `webhook-id` on every attempt. */
export const webhookEventIdSchema = z.uuid();
