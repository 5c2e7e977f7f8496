import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { WebhookEvent } from '../../../../shared/webhook.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `webhookEventSchema` (shared/webhook.ts), field for field. */

export type WebhookEventRecord = Omit<WebhookEvent, 'id'> & { _id: Types.ObjectId };

const outcomeSchema = new Schema(
  {
    result: { type: String, required: true, enum: ['linked', 'orphaned', 'ambiguous', 'ignored', 'failed'] },
    clientSessionId: { type: String },
    detail: { type: String },
  },
  { _id: false, ...STRICT_SCHEMA_OPTIONS },
);

export const webhookEventSchema = new Schema<WebhookEventRecord>(
  {
    dedupeKey: { type: String, required: true },
    type: { type: String, required: true },
    conversationId: { type: String },
    payload: { type: Schema.Types.Mixed, required: true },
    receivedAt: { type: Date, required: true },
    processedAt: { type: Date },
    outcome: { type: outcomeSchema },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'webhook_events', timestamps: true },
);

// A redelivery carries the same key: the insert fails with E11000 and changes nothing.
webhookEventSchema.index({ dedupeKey: 1 }, { unique: true });
webhookEventSchema.index({ conversationId: 1 });
// Erasure: the raw events linked to an erased session (or its orphans).
webhookEventSchema.index({ 'outcome.clientSessionId': 1 });
// Unprocessed events, oldest first, for the resume-at-start sweep.
webhookEventSchema.index({ processedAt: 1, receivedAt: 1 });

export type WebhookEventModel = Model<WebhookEventRecord>;

export const WEBHOOK_EVENT_MODEL = 'WebhookEvent';

export function webhookEventModel(conn: Connection): WebhookEventModel {
  const existing = conn.models[WEBHOOK_EVENT_MODEL];
  if (existing) return existing as WebhookEventModel;
  return conn.model<WebhookEventRecord>(WEBHOOK_EVENT_MODEL, webhookEventSchema, 'webhook_events');
}
