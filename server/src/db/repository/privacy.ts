import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema, conversationIdSchema, objectIdHexSchema } from '../../../../shared/ids.js';
import { nodeIdSchema, type Interview } from '../../../../shared/interview.js';
import { erasedVoiceSchema, erasureReasonSchema, type Erasure, type ErasedVoice, type ErasureReason } from '../../../../shared/privacy.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { ErasureRecord, InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';
import type { Filter } from './preconditions.js';

/**
 * Retention and erasure writes (docs/privacy.md). The tombstone (`erasures`)
 * is written first and holds ids only; every delete after it is idempotent
 * and states what it removes, so a crash anywhere is finished by re-running.
 */

export function toErasure(record: ErasureRecord): Erasure {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}

const conversationIdsSchema = z.array(conversationIdSchema).max(100);

const openErasureSchema = z.strictObject({
  sessionId: objectIdHexSchema,
  clientSessionId: clientSessionIdSchema,
  conversationIds: conversationIdsSchema,
  voice: erasedVoiceSchema.optional(),
  reason: erasureReasonSchema,
});
export type OpenErasureInput = z.infer<typeof openErasureSchema>;

/**
 * Writes the tombstone (or finds the existing one) in ONE upsert keyed by the
 * unique clientSessionId; conversation ids are added to whatever it holds.
 * `created` tells the caller whether this call wrote it (a sweeper on another
 * node that loses the race skips the interview).
 */
export async function openErasure(ctx: RepoContext, raw: OpenErasureInput): Promise<{ erasure: Erasure; created: boolean }> {
  const input = parseOrThrow(openErasureSchema, raw, 'erasure');
  const now = ctx.now();
  const fresh: Record<string, unknown> = {
    sessionId: input.sessionId,
    clientSessionId: input.clientSessionId,
    reason: input.reason,
    status: 'pending',
    requestedAt: now,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  };
  if (input.voice) fresh['voice'] = input.voice;
  const filter = { clientSessionId: { $eq: input.clientSessionId } };
  return dbCall(async () => {
    try {
      const res = await ctx.models.Erasure.findOneAndUpdate(
        filter,
        { $setOnInsert: fresh, $addToSet: { conversationIds: { $each: input.conversationIds } } },
        { upsert: true, includeResultMetadata: true, timestamps: false, ...AFTER },
      );
      if (!res.value) throw new Error('upsert returned no document');
      return { erasure: toErasure(res.value), created: res.lastErrorObject?.updatedExisting === false };
    } catch (err) {
      if (!isDuplicateKeyOn(err, 'clientSessionId') && !isDuplicateKeyOn(err, 'sessionId')) throw err;
      const existing = await ctx.models.Erasure.findOne(filter).lean<ErasureRecord>();
      if (!existing) throw err;
      return { erasure: toErasure(existing), created: false };
    }
  });
}

/** Remembers more conversation ids of the erased interview (found while erasing: its own, merged orphans'). */
export async function addErasureConversationIds(ctx: RepoContext, id: string, ids: string[]): Promise<Erasure | null> {
  const erasureId = parseOrThrow(objectIdHexSchema, id, 'erasure id');
  const add = parseOrThrow(conversationIdsSchema, ids, 'conversation ids');
  if (add.length === 0) return findErasure(ctx, { id: erasureId });
  return dbCall(async () => {
    const doc = await ctx.models.Erasure.findOneAndUpdate({ _id: { $eq: erasureId } }, { $addToSet: { conversationIds: { $each: add } } }, AFTER).lean<ErasureRecord>();
    return doc ? toErasure(doc) : null;
  });
}

const claimSchema = z.strictObject({
  id: objectIdHexSchema.optional(),
  node: nodeIdSchema,
  leaseMs: z.number().int().min(100).max(3_600_000),
});

/**
 * Claims a pending erasure whose lease is absent or expired (one worker at a
 * time, on any number of nodes): `id` for that one, else the oldest. Null when
 * there is none or another node holds it.
 */
export async function claimErasure(ctx: RepoContext, raw: { id?: string; node: string; leaseMs: number }): Promise<Erasure | null> {
  const req = parseOrThrow(claimSchema, raw, 'erasure claim');
  const now = ctx.now();
  const filter: Filter = {
    status: { $eq: 'pending' },
    $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }],
  };
  if (req.id !== undefined) filter['_id'] = { $eq: req.id };
  return dbCall(async () => {
    const doc = await ctx.models.Erasure.findOneAndUpdate(
      filter,
      { $set: { leaseUntil: new Date(now.getTime() + req.leaseMs), node: req.node }, $inc: { attempts: 1 } },
      { ...AFTER, sort: { requestedAt: 1 } },
    ).lean<ErasureRecord>();
    return doc ? toErasure(doc) : null;
  });
}

/** Done: only by the node holding the lease; the tombstone stays (ids only) for late webhooks. */
export async function completeErasure(ctx: RepoContext, id: string, node: string): Promise<{ won: boolean }> {
  const erasureId = parseOrThrow(objectIdHexSchema, id, 'erasure id');
  const me = parseOrThrow(nodeIdSchema, node, 'node id');
  return dbCall(async () => {
    const res = await ctx.models.Erasure.updateOne(
      { _id: { $eq: erasureId }, status: { $eq: 'pending' }, node: { $eq: me } },
      { $set: { status: 'done', completedAt: ctx.now() }, $unset: { leaseUntil: 1, node: 1 } },
    );
    return { won: res.modifiedCount === 1 };
  });
}

/** Gives an erasure back after a failed run, so a retry (DELETE again, the next resume) need not wait for the lease. */
export async function releaseErasure(ctx: RepoContext, id: string, node: string): Promise<{ won: boolean }> {
  const erasureId = parseOrThrow(objectIdHexSchema, id, 'erasure id');
  const me = parseOrThrow(nodeIdSchema, node, 'node id');
  return dbCall(async () => {
    const res = await ctx.models.Erasure.updateOne(
      { _id: { $eq: erasureId }, status: { $eq: 'pending' }, node: { $eq: me } },
      { $unset: { leaseUntil: 1, node: 1 } },
    );
    return { won: res.modifiedCount === 1 };
  });
}

/** A restarted server (same NODE_NAME or fixed port) takes its dead predecessor's erasures over at once. */
export async function releaseErasureLeasesOfPreviousBoot(ctx: RepoContext, nodeName: string, currentNode: string): Promise<number> {
  const name = parseOrThrow(nodeIdSchema, nodeName, 'node name');
  const me = parseOrThrow(nodeIdSchema, currentNode, 'node id');
  const prefix = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#`);
  return dbCall(async () => {
    const res = await ctx.models.Erasure.updateMany(
      { status: { $eq: 'pending' }, node: { $regex: prefix, $ne: me } },
      { $unset: { leaseUntil: 1, node: 1 } },
    );
    return res.modifiedCount;
  });
}

const findErasureSchema = z.strictObject({
  id: objectIdHexSchema.optional(),
  sessionId: objectIdHexSchema.optional(),
  clientSessionId: clientSessionIdSchema.optional(),
});

/** One tombstone by its id, the interview's id or its clientSessionId (malformed -> null). */
export async function findErasure(ctx: RepoContext, raw: { id?: string; sessionId?: string; clientSessionId?: string }): Promise<Erasure | null> {
  const parsed = findErasureSchema.safeParse(raw);
  if (!parsed.success) return null;
  const q = parsed.data;
  const filter: Filter = {};
  if (q.id !== undefined) filter['_id'] = { $eq: q.id };
  if (q.sessionId !== undefined) filter['sessionId'] = { $eq: q.sessionId };
  if (q.clientSessionId !== undefined) filter['clientSessionId'] = { $eq: q.clientSessionId };
  if (Object.keys(filter).length === 0) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Erasure.findOne(filter).lean<ErasureRecord>();
    return doc ? toErasure(doc) : null;
  });
}

const matchSchema = z.strictObject({
  conversationId: conversationIdSchema.optional(),
  clientSessionId: clientSessionIdSchema.optional(),
  voice: z
    .strictObject({ userIdSha256: erasedVoiceSchema.shape.userIdSha256, agentId: z.string().optional(), startedAt: z.date(), windowMs: z.number().int().positive() })
    .optional(),
});

/**
 * The webhook linker's question: does this finished call belong to an erased
 * interview? By conversation id, by client session id, or by the hashed user
 * id + agent + a call start within the link window of the erased voice start.
 */
export async function findErasureMatching(
  ctx: RepoContext,
  raw: { conversationId?: string; clientSessionId?: string; voice?: { userIdSha256: string; agentId?: string; startedAt: Date; windowMs: number } },
): Promise<Erasure | null> {
  const parsed = matchSchema.safeParse(raw);
  if (!parsed.success) return null;
  const q = parsed.data;
  const or: Filter[] = [];
  if (q.conversationId !== undefined) or.push({ conversationIds: { $eq: q.conversationId } });
  if (q.clientSessionId !== undefined) or.push({ clientSessionId: { $eq: q.clientSessionId } });
  if (q.voice !== undefined) {
    const v: Filter = {
      'voice.userIdSha256': { $eq: q.voice.userIdSha256 },
      'voice.startedAt': { $gte: new Date(q.voice.startedAt.getTime() - q.voice.windowMs), $lte: new Date(q.voice.startedAt.getTime() + q.voice.windowMs) },
    };
    if (q.voice.agentId !== undefined) v['voice.agentId'] = { $eq: q.voice.agentId };
    or.push(v);
  }
  if (or.length === 0) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Erasure.findOne({ $or: or }).lean<ErasureRecord>();
    return doc ? toErasure(doc) : null;
  });
}

// ---- the per-collection deletes (server/src/privacy/erasers.ts) ----------------

/** The conversation ids an interview document holds (its own and its linked transcript's). */
export function conversationIdsOf(session: Pick<Interview, 'voice' | 'transcript'>): string[] {
  return [...new Set([session.voice?.conversationId, session.transcript?.conversationId].filter((c): c is string => c !== undefined))];
}

/**
 * Deletes the interview document, provided it still holds exactly the
 * conversation ids the caller recorded on the tombstone (else a link landed in
 * between: the caller re-reads, records, retries). Idempotent: gone = done.
 */
export async function deleteInterviewHolding(ctx: RepoContext, clientSessionId: string, conversationId: string | undefined): Promise<{ deleted: boolean }> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const cid = conversationId === undefined ? undefined : parseOrThrow(conversationIdSchema, conversationId, 'conversationId');
  return dbCall(async () => {
    const res = await ctx.models.Interview.deleteOne({
      clientSessionId: { $eq: id },
      'voice.conversationId': cid === undefined ? { $exists: false } : { $eq: cid },
    });
    return { deleted: res.deletedCount === 1 };
  });
}

/**
 * Orphaned records that may hold the erased candidate's conversation: those
 * holding one of its conversation ids, or listing it among their candidates
 * (an ambiguous time-window match — when in doubt, erase).
 */
export async function findOrphansOf(ctx: RepoContext, raw: { conversationIds: string[]; clientSessionId: string }): Promise<Interview[]> {
  const ids = parseOrThrow(conversationIdsSchema, raw.conversationIds, 'conversation ids');
  const csid = parseOrThrow(clientSessionIdSchema, raw.clientSessionId, 'clientSessionId');
  const or: Filter[] = [{ 'voice.candidates': { $eq: csid } }];
  if (ids.length > 0) or.push({ 'voice.conversationId': { $in: ids } }, { 'transcript.conversationId': { $in: ids } });
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({ status: { $eq: 'orphaned' }, $or: or }).limit(200).lean<InterviewRecord[]>();
    return docs.map(toInterview);
  });
}

/** Deletes one orphaned record (only while it is still an orphan). */
export async function deleteOrphanRecord(ctx: RepoContext, clientSessionId: string): Promise<{ deleted: boolean }> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  return dbCall(async () => {
    const res = await ctx.models.Interview.deleteOne({ clientSessionId: { $eq: id }, status: { $eq: 'orphaned' } });
    return { deleted: res.deletedCount === 1 };
  });
}

/** Where the post-call webhook carries our `client_session_id` dynamic variable. */
export const WEBHOOK_CLIENT_SESSION_PATH = 'payload.data.conversation_initiation_client_data.dynamic_variables.client_session_id';

/**
 * Raw webhook payloads of the erased interview: by conversation id, by the
 * session (or orphan) they were linked to, or by the dynamic variable naming it.
 */
export async function deleteWebhookEventsOf(ctx: RepoContext, raw: { conversationIds: string[]; clientSessionIds: string[] }): Promise<number> {
  const ids = parseOrThrow(conversationIdsSchema, raw.conversationIds, 'conversation ids');
  const csids = parseOrThrow(z.array(clientSessionIdSchema).min(1).max(300), raw.clientSessionIds, 'clientSessionIds');
  const or: Filter[] = [{ 'outcome.clientSessionId': { $in: csids } }, { [WEBHOOK_CLIENT_SESSION_PATH]: { $in: csids } }];
  if (ids.length > 0) or.push({ conversationId: { $in: ids } });
  return dbCall(async () => (await ctx.models.WebhookEvent.deleteMany({ $or: or })).deletedCount);
}

/** Replaces a stored webhook's payload (a late call of an erased interview keeps only what it cannot attribute). */
export async function redactWebhookEvent(ctx: RepoContext, id: string, payload: Record<string, unknown>): Promise<{ won: boolean }> {
  const eventId = parseOrThrow(objectIdHexSchema, id, 'webhook event id');
  const body = parseOrThrow(z.record(z.string(), z.unknown()), payload, 'payload');
  return dbCall(async () => {
    const res = await ctx.models.WebhookEvent.updateOne({ _id: { $eq: eventId } }, { $set: { payload: body } });
    return { won: res.modifiedCount === 1 };
  });
}

// ---- retention ------------------------------------------------------------------

/** What the sweeper needs of a due interview (never its transcript). */
export type RetentionCandidate = Pick<Interview, 'id' | 'clientSessionId' | 'status' | 'endedAt' | 'updatedAt'>;

/**
 * Interviews whose retention anchor (endedAt, else updatedAt) is before
 * `cutoff`, oldest first, `limit` at most. One indexed read ({endedAt, updatedAt}).
 */
export async function findDueForRetention(ctx: RepoContext, cutoff: Date, limit: number): Promise<RetentionCandidate[]> {
  const before = parseOrThrow(z.date(), cutoff, 'cutoff');
  const n = parseOrThrow(z.number().int().min(1).max(1000), limit, 'limit');
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find(
      { $or: [{ endedAt: { $lt: before } }, { endedAt: { $exists: false }, updatedAt: { $lt: before } }] },
      { clientSessionId: 1, status: 1, endedAt: 1, updatedAt: 1 },
    )
      .sort({ endedAt: 1, updatedAt: 1 })
      .limit(n)
      .lean<Array<Pick<InterviewRecord, '_id' | 'clientSessionId' | 'status' | 'endedAt' | 'updatedAt'>>>();
    return docs.map(({ _id, ...rest }) => ({ id: _id.toHexString(), ...rest }));
  });
}

export type { ErasedVoice, ErasureReason };
