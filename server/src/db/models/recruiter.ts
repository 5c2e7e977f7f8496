import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { recruiterRoleSchema, type Recruiter } from '../../../../shared/recruiters.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `recruiterSchema` (shared/recruiters.ts), field for field. */

export type RecruiterRecord = Omit<Recruiter, 'id'> & { _id: Types.ObjectId };

const actorRefSchema = new Schema(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
  },
  { _id: false, ...STRICT_SCHEMA_OPTIONS },
);

export const recruiterSchema = new Schema<RecruiterRecord>(
  {
    name: { type: String, required: true },
    role: { type: String, required: true, enum: recruiterRoleSchema.options },
    // SHA-256 of the token's secret; the token itself is never stored.
    secretHash: { type: String, required: true },
    createdBy: { type: actorRefSchema },
    revokedAt: { type: Date },
    revokedBy: { type: actorRefSchema },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'recruiters', timestamps: true },
);

// The admin list, newest first. Authentication looks up by _id (the token names it).
recruiterSchema.index({ createdAt: -1, _id: -1 });

export type RecruiterModel = Model<RecruiterRecord>;

export const RECRUITER_MODEL = 'Recruiter';

export function recruiterModel(conn: Connection): RecruiterModel {
  const existing = conn.models[RECRUITER_MODEL];
  if (existing) return existing as RecruiterModel;
  return conn.model<RecruiterRecord>(RECRUITER_MODEL, recruiterSchema, 'recruiters');
}
