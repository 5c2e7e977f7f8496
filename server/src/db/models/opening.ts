import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { interviewModeSchema } from '../../../../shared/interview.js';
import { personaIdSchema, type Opening } from '../../../../shared/opening.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `openingSchema` (shared/opening.ts), field for field. */

export type OpeningRecord = Omit<Opening, 'id'> & { _id: Types.ObjectId };

const lengthSchema = new Schema(
  {
    minQuestions: { type: Number, required: true },
    maxQuestions: { type: Number, required: true },
  },
  { _id: false, ...STRICT_SCHEMA_OPTIONS },
);

export const openingSchema = new Schema<OpeningRecord>(
  {
    title: { type: String, required: true },
    role: { type: String, required: true },
    jobDescription: { type: String, default: undefined },
    length: { type: lengthSchema, required: true },
    allowedModes: { type: [{ type: String, enum: interviewModeSchema.options }], required: true },
    persona: { type: String, required: true, enum: personaIdSchema.options },
    mustAsk: { type: [String], required: true },
    slug: { type: String, required: true },
    version: { type: Number, required: true },
    archivedAt: { type: Date },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'openings', timestamps: true },
);

// The candidate link: unguessable and unique; rotating it replaces the only copy.
openingSchema.index({ slug: 1 }, { unique: true });
// Newest-first listing with a (createdAt, _id) cursor.
openingSchema.index({ createdAt: -1, _id: -1 });

export type OpeningModel = Model<OpeningRecord>;

export const OPENING_MODEL = 'Opening';

export function openingModel(conn: Connection): OpeningModel {
  const existing = conn.models[OPENING_MODEL];
  if (existing) return existing as OpeningModel;
  return conn.model<OpeningRecord>(OPENING_MODEL, openingSchema, 'openings');
}
