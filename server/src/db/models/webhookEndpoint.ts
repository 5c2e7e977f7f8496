import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { WEBHOOK_EVENT_TYPES, endpointDisabledReasonSchema, type WebhookEndpoint } from '../../../../shared/webhooksOut.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `webhookEndpointSchema` (shared/webhooksOut.ts), field for field. */

export type WebhookEndpointRecord = Omit<WebhookEndpoint, 'id'> & { _id: Types.ObjectId };

const secretSchema = new Schema(
  {
    value: { type: String, required: true },
    createdAt: { type: Date, required: true },
    previousValidUntil: { type: Date },
  },
  { _id: false, ...STRICT_SCHEMA_OPTIONS },
);

export const webhookEndpointSchema = new Schema<WebhookEndpointRecord>(
  {
    url: { type: String, required: true, maxlength: 2048 },
    events: { type: [{ type: String, enum: WEBHOOK_EVENT_TYPES }], required: true },
    openingId: { type: String },
    enabled: { type: Boolean, required: true },
    disabledReason: { type: String, enum: endpointDisabledReasonSchema.options },
    disabledAt: { type: Date },
    secrets: { type: [secretSchema], required: true },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'webhook_endpoints', timestamps: true },
);

// Newest first, with an (createdAt, _id) cursor.
webhookEndpointSchema.index({ createdAt: -1, _id: -1 });
// The relay reads the enabled endpoints for every batch.
webhookEndpointSchema.index({ enabled: 1 });

export type WebhookEndpointModel = Model<WebhookEndpointRecord>;

export function webhookEndpointModel(conn: Connection): WebhookEndpointModel {
  const existing = conn.models['WebhookEndpoint'];
  if (existing) return existing as WebhookEndpointModel;
  return conn.model<WebhookEndpointRecord>('WebhookEndpoint', webhookEndpointSchema, 'webhook_endpoints');
}
