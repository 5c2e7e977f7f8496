import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { objectIdHexSchema } from '../../../../shared/ids.js';
import { RECRUITERS_LIST_MAX, actorRefSchema, newRecruiterSchema, type ActorRef, type NewRecruiter, type Recruiter } from '../../../../shared/recruiters.js';
import { dbCall } from '../errors.js';
import type { RecruiterRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { AFTER } from './options.js';

/**
 * Named recruiter credentials (docs/security.md "Recruiters"). Only the SHA-256
 * of each token's secret is stored. Revocation is ONE update guarded by
 * `revokedAt` absent, so a revoked credential never comes back.
 */

function toRecruiter(record: RecruiterRecord): Recruiter {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}

export async function createRecruiter(ctx: RepoContext, raw: NewRecruiter): Promise<Recruiter> {
  const fields = parseOrThrow(newRecruiterSchema, raw, 'recruiter');
  return dbCall(async () => {
    const now = ctx.now();
    const doc = await ctx.models.Recruiter.create({ ...fields, createdAt: now, updatedAt: now });
    return toRecruiter(doc.toObject<RecruiterRecord>());
  });
}

/** Read on every authenticated request (no cache: a revocation holds from the next request). Malformed id -> null. */
export async function findRecruiterById(ctx: RepoContext, id: string): Promise<Recruiter | null> {
  if (!objectIdHexSchema.safeParse(id).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Recruiter.findOne({ _id: { $eq: id } }).lean<RecruiterRecord>();
    return doc ? toRecruiter(doc) : null;
  });
}

/** Newest first, revoked ones included (the admin view shows who lost access, and when). */
export async function listRecruiters(ctx: RepoContext): Promise<Recruiter[]> {
  return dbCall(async () => {
    const docs = await ctx.models.Recruiter.find({}).sort({ createdAt: -1, _id: -1 }).limit(RECRUITERS_LIST_MAX).lean<RecruiterRecord[]>();
    return docs.map(toRecruiter);
  });
}

export type RevokeResult = { outcome: 'revoked' | 'already_revoked'; recruiter: Recruiter } | { outcome: 'not_found' };

/** `{_id, revokedAt absent}` -> `$set revokedAt, revokedBy`. A second revoke changes nothing (the first stays). */
export async function revokeRecruiter(ctx: RepoContext, id: string, by: ActorRef): Promise<RevokeResult> {
  const actor = parseOrThrow(actorRefSchema, by, 'revoking recruiter');
  if (!objectIdHexSchema.safeParse(id).success) return { outcome: 'not_found' };
  return dbCall(async () => {
    const doc = await ctx.models.Recruiter.findOneAndUpdate(
      { _id: { $eq: id }, revokedAt: { $exists: false } },
      { $set: { revokedAt: ctx.now(), revokedBy: actor } },
      AFTER,
    ).lean<RecruiterRecord>();
    if (doc) return { outcome: 'revoked', recruiter: toRecruiter(doc) };
    // Matched nothing: explain why (never decides whether to write).
    const current = await ctx.models.Recruiter.findOne({ _id: { $eq: id } }).lean<RecruiterRecord>();
    return current ? { outcome: 'already_revoked', recruiter: toRecruiter(current) } : { outcome: 'not_found' };
  });
}

const idsSchema = z.array(objectIdHexSchema).max(10_000);

/** Of `ids`, those revoked (or gone): the periodic check of live /monitor sockets. */
export async function findRevokedRecruiterIds(ctx: RepoContext, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(parseOrThrow(idsSchema, ids, 'recruiter ids'))];
  if (wanted.length === 0) return [];
  return dbCall(async () => {
    const active = await ctx.models.Recruiter.find({ _id: { $in: wanted }, revokedAt: { $exists: false } }, { _id: 1 }).lean<Array<{ _id: RecruiterRecord['_id'] }>>();
    const alive = new Set(active.map((d) => d._id.toHexString()));
    return wanted.filter((id) => !alive.has(id));
  });
}
