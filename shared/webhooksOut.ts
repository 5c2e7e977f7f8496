import { z } from 'zod';
import { candidateIdSchema, clientSessionIdSchema, conversationIdSchema, objectIdHexSchema, openingIdSchema } from './ids.js';
import { candidateNameSchema, endedBySchema, evaluationStatusSchema, interviewModeSchema, interviewStatusSchema, linkedBySchema, roleIdSchema } from './interview.js';
import { webhookEventIdSchema, webhookEventTypeSchema } from './webhookEventTypes.js';

export { WEBHOOK_EVENT_TYPES, webhookEventIdSchema, webhookEventTypeSchema, type WebhookEventType } from './webhookEventTypes.js';

/**
 * Outgoing webhooks (docs/webhooks-out.md): endpoints recruiters register,
 * deliveries (one per event x endpoint, with every attempt), and the versioned
 * payload, signed per the Standard Webhooks spec.
 */

// ---- payload -----------------------------------------------------------------

export const WEBHOOK_PAYLOAD_VERSION = 'v1';
const isoDateTime = z.iso.datetime({ offset: true });
const score = z.number().min(0).max(10);

/** Links a receiver follows with a recruiter credential (the export is built by GET /api/sessions/:id/export). */
export const webhookLinksSchema = z.strictObject({
  session: z.url(),
  export: z.strictObject({ json: z.url(), md: z.url(), pdf: z.url() }),
});

export const webhookEvaluationSchema = z.strictObject({
  status: evaluationStatusSchema,
  overall: score.nullable(),
  summary: z.string().max(8000).nullable(),
  strengths: z.array(z.string().max(1000)).max(20),
  concerns: z.array(z.string().max(1000)).max(20),
  competencies: z.array(z.strictObject({ name: z.string().min(1).max(120), score })).max(40),
  completedAt: isoDateTime.nullable(),
});

/** Version 1 of the body every delivery carries. New fields make a new version; v1 never changes shape. */
export const webhookPayloadV1Schema = z.strictObject({
  version: z.literal('v1'),
  type: webhookEventTypeSchema,
  /** The `webhook-id` header: one per event, the same on every retry and replay (dedupe on it). */
  eventId: webhookEventIdSchema,
  /** When the state change happened (not when this attempt was made). */
  timestamp: isoDateTime,
  data: z.strictObject({
    sessionId: objectIdHexSchema,
    clientSessionId: clientSessionIdSchema,
    openingId: openingIdSchema.nullable(),
    conversationId: conversationIdSchema.nullable(),
    candidate: z.strictObject({ name: candidateNameSchema.nullable(), id: candidateIdSchema.nullable() }),
    role: roleIdSchema,
    mode: interviewModeSchema,
    /** The session's status the event reports (for evaluation.ready: its status when the evaluation finished). */
    status: interviewStatusSchema,
    endedBy: endedBySchema.nullable(),
    startedAt: isoDateTime.nullable(),
    endedAt: isoDateTime.nullable(),
    /** Voice only: how the call was linked; for voice.orphaned the sessions that could own it. */
    voice: z.strictObject({ linkedBy: linkedBySchema.nullable(), candidates: z.array(clientSessionIdSchema).max(50) }).nullable(),
    /** Per-answer scores of the progressive assessment (0..10) and their mean. */
    scores: z.strictObject({
      answers: z.array(z.strictObject({ questionId: z.string().min(1).max(128), score })).max(100),
      average: score.nullable(),
    }),
    evaluation: webhookEvaluationSchema.nullable(),
    links: webhookLinksSchema,
  }),
});
export type WebhookPayloadV1 = z.infer<typeof webhookPayloadV1Schema>;

/** Every payload version Candor has sent; a receiver parses with this and switches on `version`. */
export const webhookPayloadSchema = z.discriminatedUnion('version', [webhookPayloadV1Schema]);
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

// ---- endpoints ---------------------------------------------------------------

/** `whsec_` + base64 of 32 random bytes (Standard Webhooks); shown once, at creation and rotation. */
export const webhookSecretSchema = z.string().regex(/^whsec_[A-Za-z0-9+/]{40,88}={0,2}$/, 'not a whsec_ signing secret');

export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }))
  .refine((u) => {
    const url = new URL(u);
    return url.username === '' && url.password === '';
  }, 'must not carry a user name or password (put credentials in a query parameter or use the signature)');

const eventsSchema = z
  .array(webhookEventTypeSchema)
  .min(1)
  .max(5)
  .refine((e) => new Set(e).size === e.length, 'events must not repeat');

/** POST /api/webhook-endpoints */
export const createWebhookEndpointRequestSchema = z.strictObject({
  url: webhookUrlSchema,
  events: eventsSchema,
  /** Only events of sessions of this opening; absent = every session. */
  openingId: objectIdHexSchema.optional(),
  enabled: z.boolean().optional(),
});
export type CreateWebhookEndpointRequest = z.infer<typeof createWebhookEndpointRequestSchema>;

/** PATCH /api/webhook-endpoints/:id — `openingId: null` removes the filter; enabling clears a 410's disable. */
export const updateWebhookEndpointRequestSchema = z
  .strictObject({
    url: webhookUrlSchema.optional(),
    events: eventsSchema.optional(),
    openingId: objectIdHexSchema.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'nothing to change');
export type UpdateWebhookEndpointRequest = z.infer<typeof updateWebhookEndpointRequestSchema>;

export const SECRET_GRACE_MAX_MS = 7 * 24 * 3_600_000;

/** POST /api/webhook-endpoints/:id/rotate-secret — the old secret stays valid for `graceMs` (default WEBHOOK_SECRET_GRACE_MS). */
export const rotateWebhookSecretRequestSchema = z.strictObject({
  graceMs: z.number().int().min(0).max(SECRET_GRACE_MAX_MS).optional(),
});

export const endpointDisabledReasonSchema = z.enum(['manual', 'gone']);

/** One signing secret as stored; the newest is last. `previousValidUntil`: until when the one before it still signs. */
export const storedSecretSchema = z.object({
  value: webhookSecretSchema,
  createdAt: z.date(),
  previousValidUntil: z.date().optional(),
});

/** Stored shape (collection `webhook_endpoints`). */
export const webhookEndpointSchema = z.strictObject({
  id: objectIdHexSchema,
  url: z.string().max(2048),
  events: z.array(webhookEventTypeSchema),
  openingId: objectIdHexSchema.optional(),
  enabled: z.boolean(),
  disabledReason: endpointDisabledReasonSchema.optional(),
  disabledAt: z.date().optional(),
  /** At most two: the current one last, the previous one before it (kept while in its grace period). */
  secrets: z.array(storedSecretSchema).min(1).max(2),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** What the API shows of an endpoint: never a secret (except once, in the create/rotate answer). */
export const webhookEndpointViewSchema = z.strictObject({
  id: objectIdHexSchema,
  url: z.string(),
  events: z.array(webhookEventTypeSchema),
  openingId: objectIdHexSchema.nullable(),
  enabled: z.boolean(),
  disabledReason: endpointDisabledReasonSchema.nullable(),
  disabledAt: isoDateTime.nullable(),
  secretCreatedAt: isoDateTime,
  /** While a rotation's grace period runs: until when the previous secret still signs. */
  previousSecretValidUntil: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type WebhookEndpointView = z.infer<typeof webhookEndpointViewSchema>;

/** Answer of create and rotate-secret: the view plus the signing secret, shown this once. */
export const webhookEndpointWithSecretSchema = webhookEndpointViewSchema.extend({ secret: webhookSecretSchema });
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecretSchema>;

export const webhookEndpointListResponseSchema = z.strictObject({
  items: z.array(webhookEndpointViewSchema),
  nextCursor: z.string().nullable(),
});

export const listWebhookEndpointsQuerySchema = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

// ---- deliveries --------------------------------------------------------------

export const deliveryStateSchema = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

/**
 * Why an attempt did not deliver (never the response body):
 * http_status (non-2xx, non-3xx), redirect (3xx: not followed), gone (410: the endpoint is disabled),
 * timeout, dns, connection (refused, reset, closed), tls, ssrf_refused (the address is not allowed),
 * interrupted (the sending node died mid-attempt).
 */
export const attemptErrorSchema = z.enum(['http_status', 'redirect', 'gone', 'timeout', 'dns', 'connection', 'tls', 'ssrf_refused', 'interrupted']);
export type AttemptError = z.infer<typeof attemptErrorSchema>;

export const attemptTriggerSchema = z.enum(['initial', 'retry', 'replay']);

/** Why a delivery stopped without success. */
export const deliveryFailureSchema = z.enum(['retries_exhausted', 'gone', 'endpoint_disabled', 'endpoint_deleted']);

export const deliveryAttemptSchema = z.object({
  n: z.number().int().positive(),
  at: z.date(),
  node: z.string().min(1).max(128),
  trigger: attemptTriggerSchema,
  statusCode: z.number().int().min(100).max(599).optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  error: attemptErrorSchema.optional(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

/** Most attempts kept per delivery (older ones drop off; `attemptCount` keeps counting). */
export const DELIVERY_ATTEMPTS_KEPT = 100;

/** Stored shape (collection `webhook_deliveries`): one document per event x endpoint. */
export const webhookDeliverySchema = z.strictObject({
  id: objectIdHexSchema,
  eventId: webhookEventIdSchema,
  endpointId: objectIdHexSchema,
  type: webhookEventTypeSchema,
  /** So erasure and retention find every delivery of a session. */
  clientSessionId: clientSessionIdSchema,
  sessionId: objectIdHexSchema,
  /** The body sent on every attempt (built once, when the event was relayed). */
  payload: z.record(z.string(), z.unknown()),
  state: deliveryStateSchema,
  attempts: z.array(deliveryAttemptSchema).max(DELIVERY_ATTEMPTS_KEPT),
  attemptCount: z.number().int().nonnegative(),
  nextAttemptAt: z.date(),
  /** Retries stop after this (WEBHOOK_RETRY_HORIZON_MS after the event, or after a replay). */
  retryUntil: z.date(),
  /** The dispatcher attempting it holds it until then; `leaseOwner` is that node's id. */
  leaseUntil: z.date().optional(),
  leaseOwner: z.string().max(128).optional(),
  /** An attempt in progress (cleared with its result); found by the next claimer when the node died. */
  inflight: z.object({ at: z.date(), node: z.string().min(1).max(128) }).optional(),
  replayRequested: z.boolean().optional(),
  replays: z.number().int().nonnegative(),
  deliveredAt: z.date().optional(),
  failure: deliveryFailureSchema.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const deliveryAttemptViewSchema = z.strictObject({
  n: z.number().int().positive(),
  at: isoDateTime,
  node: z.string(),
  trigger: attemptTriggerSchema,
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: attemptErrorSchema.nullable(),
});

/** The delivery log's row (GET /api/webhook-endpoints/:id/deliveries); the payload is left out. */
export const webhookDeliveryViewSchema = z.strictObject({
  id: objectIdHexSchema,
  /** The `webhook-id` header. */
  eventId: webhookEventIdSchema,
  endpointId: objectIdHexSchema,
  type: webhookEventTypeSchema,
  sessionId: objectIdHexSchema,
  clientSessionId: clientSessionIdSchema,
  state: deliveryStateSchema,
  attemptCount: z.number().int().nonnegative(),
  attempts: z.array(deliveryAttemptViewSchema),
  /** While pending: the earliest time of the next attempt. */
  nextAttemptAt: isoDateTime.nullable(),
  retryUntil: isoDateTime,
  inFlight: z.boolean(),
  replays: z.number().int().nonnegative(),
  deliveredAt: isoDateTime.nullable(),
  failure: deliveryFailureSchema.nullable(),
  createdAt: isoDateTime,
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryViewSchema>;

export const webhookDeliveryListResponseSchema = z.strictObject({
  items: z.array(webhookDeliveryViewSchema),
  nextCursor: z.string().nullable(),
});

export const listWebhookDeliveriesQuerySchema = z.strictObject({
  state: deliveryStateSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
