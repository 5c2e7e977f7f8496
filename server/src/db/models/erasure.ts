import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { erasureReasonSchema, erasureStatusSchema, type Erasure } from '../../../../shared/privacy.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `erasureSchema` (shared/privacy.ts), field for field. */

export type ErasureRecord = Omit<Erasure, 'id'> & { _id: Types.ObjectId };

const erasedVoiceSchema = new Schema(
  {
    userIdSha256: { type: String, required: true },
    agentId: { type: String },
    startedAt: { type: Date, required: true },
  },
  { _id: false, ...STRICT_SCHEMA_OPTIONS },
);

export const erasureSchema = new Schema<ErasureRecord>(
  {
    sessionId: { type: String, required: true },
    clientSessionId: { type: String, required: true },
    conversationIds: { type: [String], required: true },
    voice: { type: erasedVoiceSchema },
    reason: { type: String, required: true, enum: erasureReasonSchema.options },
    status: { type: String, required: true, enum: erasureStatusSchema.options },
    requestedAt: { type: Date, required: true },
    completedAt: { type: Date },
    leaseUntil: { type: Date },
    node: { type: String },
    attempts: { type: Number, required: true },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'erasures', timestamps: true },
);

// One tombstone per interview: the insert is the claim (a second DELETE or a sweeper on another node finds it).
erasureSchema.index({ clientSessionId: 1 }, { unique: true });
erasureSchema.index({ sessionId: 1 }, { unique: true });
// The webhook linker: is this conversation one of an erased interview?
erasureSchema.index({ conversationIds: 1 });
// The linker's time-window check for calls without any id.
erasureSchema.index({ 'voice.userIdSha256': 1, 'voice.startedAt': 1 });
// Unfinished erasures (crash mid-way), oldest first, for the resume sweep.
erasureSchema.index({ status: 1, requestedAt: 1 });

export type ErasureModel = Model<ErasureRecord>;

export const ERASURE_MODEL = 'Erasure';

export function erasureModel(conn: Connection): ErasureModel {
  const existing = conn.models[ERASURE_MODEL];
  if (existing) return existing as ErasureModel;
  return conn.model<ErasureRecord>(ERASURE_MODEL, erasureSchema, 'erasures');
}
