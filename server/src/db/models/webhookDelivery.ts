import { Schema, type Connection, type Model, type Types } from 'mongoose';
import {
  WEBHOOK_EVENT_TYPES,
  attemptErrorSchema,
  attemptTriggerSchema,
  deliveryFailureSchema,
  deliveryStateSchema,
  type WebhookDelivery,
} from '../../../../shared/webhooksOut.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `webhookDeliverySchema` (shared/webhooksOut.ts), field for field. */

export type WebhookDeliveryRecord = Omit<WebhookDelivery, 'id'> & { _id: Types.ObjectId };

const sub = { _id: false, ...STRICT_SCHEMA_OPTIONS } as const;

const attemptSchema = new Schema(
  {
    n: { type: Number, required: true },
    at: { type: Date, required: true },
    node: { type: String, required: true },
    trigger: { type: String, required: true, enum: attemptTriggerSchema.options },
    statusCode: { type: Number },
    latencyMs: { type: Number },
    error: { type: String, enum: attemptErrorSchema.options },
  },
  sub,
);

const inflightSchema = new Schema(
  {
    at: { type: Date, required: true },
    node: { type: String, required: true },
  },
  sub,
);

export const webhookDeliverySchema = new Schema<WebhookDeliveryRecord>(
  {
    eventId: { type: String, required: true },
    endpointId: { type: String, required: true },
    type: { type: String, required: true, enum: WEBHOOK_EVENT_TYPES },
    clientSessionId: { type: String, required: true },
    sessionId: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    state: { type: String, required: true, enum: deliveryStateSchema.options },
    attempts: { type: [attemptSchema], required: true },
    attemptCount: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    retryUntil: { type: Date, required: true },
    leaseUntil: { type: Date },
    leaseOwner: { type: String },
    inflight: { type: inflightSchema },
    replayRequested: { type: Boolean },
    replays: { type: Number, required: true },
    deliveredAt: { type: Date },
    failure: { type: String, enum: deliveryFailureSchema.options },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'webhook_deliveries', timestamps: true },
);

// One delivery per event x endpoint: a relay that copies an event twice (crash before its $pull) inserts nothing.
webhookDeliverySchema.index({ eventId: 1, endpointId: 1 }, { unique: true });
// The dispatcher's claim: pending and due, oldest due first.
webhookDeliverySchema.index({ state: 1, nextAttemptAt: 1 });
// The delivery log of one endpoint, newest first, with an (createdAt, _id) cursor.
webhookDeliverySchema.index({ endpointId: 1, createdAt: -1, _id: -1 });
// Erasure and retention: every delivery of a session.
webhookDeliverySchema.index({ clientSessionId: 1 });
// A restarted node releases the leases its dead predecessor held.
webhookDeliverySchema.index({ leaseOwner: 1 }, { sparse: true });

export type WebhookDeliveryModel = Model<WebhookDeliveryRecord>;

export function webhookDeliveryModel(conn: Connection): WebhookDeliveryModel {
  const existing = conn.models['WebhookDelivery'];
  if (existing) return existing as WebhookDeliveryModel;
  return conn.model<WebhookDeliveryRecord>('WebhookDelivery', webhookDeliverySchema, 'webhook_deliveries');
}
