import { Schema, type Connection, type Model } from 'mongoose';
import type { Lease } from '../../../../shared/privacy.js';
import { STRICT_SCHEMA_OPTIONS } from './options.js';

/** Mongoose mirror of `leaseSchema` (shared/privacy.ts); `_id` is the lease's name. */

export type LeaseRecord = Omit<Lease, 'id'> & { _id: string };

export const leaseSchema = new Schema<LeaseRecord>(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    createdAt: { type: Date },
    updatedAt: { type: Date },
  },
  { ...STRICT_SCHEMA_OPTIONS, collection: 'leases', timestamps: true },
);

export type LeaseModel = Model<LeaseRecord>;

export const LEASE_MODEL = 'Lease';

export function leaseModel(conn: Connection): LeaseModel {
  const existing = conn.models[LEASE_MODEL];
  if (existing) return existing as LeaseModel;
  return conn.model<LeaseRecord>(LEASE_MODEL, leaseSchema, 'leases');
}
