import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { nodeIdSchema } from '../../../../shared/interview.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { RepoContext } from './context.js';

/**
 * Named cluster-wide leases (collection `leases`, `_id` = the name): one holder
 * at a time until `leaseUntil`. Acquire is ONE upsert whose filter is the
 * precondition "free, expired, or already mine"; when another node holds it the
 * upsert's insert hits the unique `_id` and this node simply does not get it.
 */

const leaseNameSchema = z.string().regex(/^[a-z0-9_.:-]{1,64}$/);

export async function acquireLease(ctx: RepoContext, name: string, holder: string, leaseMs: number): Promise<{ acquired: boolean; leaseUntil: Date | null }> {
  const id = parseOrThrow(leaseNameSchema, name, 'lease name');
  const me = parseOrThrow(nodeIdSchema, holder, 'node id');
  const ms = parseOrThrow(z.number().int().min(100).max(24 * 3_600_000), leaseMs, 'lease ms');
  const now = ctx.now();
  const until = new Date(now.getTime() + ms);
  return dbCall(async () => {
    try {
      const res = await ctx.models.Lease.updateOne(
        { _id: { $eq: id }, $or: [{ leaseUntil: { $lt: now } }, { holder: { $eq: me } }] },
        { $set: { holder: me, leaseUntil: until } },
        { upsert: true },
      );
      return { acquired: res.matchedCount === 1 || res.upsertedCount === 1, leaseUntil: until };
    } catch (err) {
      if (isDuplicateKeyOn(err, '_id')) return { acquired: false, leaseUntil: null };
      throw err;
    }
  });
}

/** Gives the lease back early (only the holder can): another node may take it at once. */
export async function releaseLease(ctx: RepoContext, name: string, holder: string): Promise<{ released: boolean }> {
  const id = parseOrThrow(leaseNameSchema, name, 'lease name');
  const me = parseOrThrow(nodeIdSchema, holder, 'node id');
  return dbCall(async () => {
    const res = await ctx.models.Lease.updateOne({ _id: { $eq: id }, holder: { $eq: me } }, { $set: { leaseUntil: new Date(0) } });
    return { released: res.modifiedCount === 1 };
  });
}
