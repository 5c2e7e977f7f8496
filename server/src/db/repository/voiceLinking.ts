import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { agentIdSchema, candidateIdSchema, clientSessionIdSchema, conversationIdSchema } from '../../../../shared/ids.js';
import {
  OPEN_STATUSES,
  linkedBySchema,
  roleIdSchema,
  voiceTranscriptSchema,
  type Interview,
  type InterviewStatus,
  type LinkedBy,
  type VoiceTranscript,
} from '../../../../shared/interview.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';
import { OUTBOX_EMPTY, outboxEntries, pushOutbox } from './outbox.js';
import { statusPrecondition, type Filter } from './preconditions.js';
import { casUpdate, type TransitionResult } from './sessions.js';

/**
 * Voice linking writes (docs/voice.md). Each outcome of the linker is ONE atomic
 * write whose filter states its precondition; the unique sparse index on
 * voice.conversationId makes a second owner of a conversation impossible.
 */

/** A voice session may receive its webhook transcript in these states (abandoned: the reconciler gave up, a late webhook still heals it). */
export const LINKABLE_STATUSES = ['created', 'active', 'paused', 'ended_pending_webhook', 'abandoned'] as const satisfies readonly InterviewStatus[];

export type LinkTranscriptResult =
  | { outcome: 'linked'; session: Interview }
  /** The precondition did not hold (state moved, transcript already there, other conversation id): re-decide. */
  | { outcome: 'precondition_failed'; session: Interview | null }
  /** Another document holds this conversation id (the unique index refused). */
  | { outcome: 'conversation_conflict' };

const linkRequestSchema = z.strictObject({
  conversationId: conversationIdSchema,
  linkedBy: linkedBySchema,
  transcript: voiceTranscriptSchema,
  /** 'holds': the session must already hold conversationId; 'absent_or_same': it may get it now. */
  expect: z.enum(['holds', 'absent_or_same']),
  /** Also write voice.conversationId (false for a merge, whose orphan still holds the id). */
  setConversationId: z.boolean(),
});
export type LinkTranscriptRequest = z.infer<typeof linkRequestSchema>;

/**
 * Links a webhook transcript to a session: conversation id, linkedBy, transcript,
 * status -> completed, evaluation pending, in ONE update whose filter requires a
 * voice session without a transcript in a linkable state. When the webhook beats
 * the client's end (no endedBy yet), the same update ends it (endedBy 'server').
 */
export async function linkVoiceTranscript(ctx: RepoContext, clientSessionId: string, raw: LinkTranscriptRequest): Promise<LinkTranscriptResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const req = parseOrThrow(linkRequestSchema, raw, 'link request');
  const now = ctx.now();
  const base: Filter = {
    clientSessionId: { $eq: id },
    mode: { $eq: 'voice' },
    transcript: { $exists: false },
    ...statusPrecondition(LINKABLE_STATUSES),
  };
  if (req.expect === 'holds') base['voice.conversationId'] = { $eq: req.conversationId };
  else base['$or'] = [{ 'voice.conversationId': { $exists: false } }, { 'voice.conversationId': { $eq: req.conversationId } }];
  const $set: Record<string, unknown> = {
    status: 'completed',
    transcript: req.transcript,
    'voice.linkedBy': req.linkedBy,
    'voice.linkedAt': now,
    evaluation: { status: 'pending', attempts: 0 },
    turn: { state: 'idle' },
  };
  if (req.setConversationId) $set['voice.conversationId'] = req.conversationId;
  // The link completes the session (LINKABLE_STATUSES excludes completed): both events go with it.
  const events = pushOutbox(outboxEntries(['voice.linked', 'interview.completed'], now, 'completed'));
  return dbCall(async () => {
    try {
      // Two shapes of the same transition, each one atomic update with its own precondition:
      // already ended (keep endedBy/endedAt) or still open (the call is over: end it now).
      const ended = await ctx.models.Interview.findOneAndUpdate({ ...base, endedBy: { $exists: true } }, { $set, ...events }, AFTER).lean<InterviewRecord>();
      if (ended) return { outcome: 'linked', session: toInterview(ended) };
      const open = await ctx.models.Interview.findOneAndUpdate(
        { ...base, endedBy: { $exists: false } },
        { $set: { ...$set, endedBy: 'server', endedAt: now, 'voice.endedAt': now }, ...events },
        AFTER,
      ).lean<InterviewRecord>();
      if (open) return { outcome: 'linked', session: toInterview(open) };
    } catch (err) {
      if (isDuplicateKeyOn(err, 'voice.conversationId')) return { outcome: 'conversation_conflict' };
      throw err;
    }
    const current = await ctx.models.Interview.findOne({ clientSessionId: { $eq: id } }).lean<InterviewRecord>();
    return { outcome: 'precondition_failed', session: current ? toInterview(current) : null };
  });
}

const orphanSchema = z.strictObject({
  clientSessionId: clientSessionIdSchema,
  role: roleIdSchema,
  conversationId: conversationIdSchema,
  agentId: agentIdSchema.optional(),
  userId: candidateIdSchema.optional(),
  startedAt: z.date().optional(),
  transcript: voiceTranscriptSchema,
  candidates: z.array(clientSessionIdSchema).max(50),
});
export type OrphanInput = z.infer<typeof orphanSchema>;

export type CreateOrphanResult = { outcome: 'created'; session: Interview } | { outcome: 'conversation_conflict' };

/**
 * A webhook nobody could claim: an `orphaned` interview record holding the
 * transcript (and the conversation id, so a later report of it finds the orphan)
 * with the candidate sessions listed. One insert; the unique index refuses a
 * second holder of the conversation id.
 */
export async function createOrphan(ctx: RepoContext, raw: OrphanInput): Promise<CreateOrphanResult> {
  const o = parseOrThrow(orphanSchema, raw, 'orphan');
  const now = ctx.now();
  const voice: Record<string, unknown> = { conversationId: o.conversationId, linkedBy: 'fallback', linkedAt: now, candidates: o.candidates };
  if (o.agentId !== undefined) voice['agentId'] = o.agentId;
  if (o.userId !== undefined) voice['userId'] = o.userId;
  if (o.startedAt !== undefined) voice['startedAt'] = o.startedAt;
  const doc: Omit<InterviewRecord, '_id'> = {
    clientSessionId: o.clientSessionId,
    mode: 'voice',
    role: o.role,
    status: 'orphaned',
    messages: [],
    turn: { state: 'idle' },
    plan: { asked: [], scores: [] },
    voice,
    transcript: o.transcript,
    usage: [],
    // The orphan and its voice.orphaned event are one insert.
    outbox: outboxEntries(['voice.orphaned'], now, 'orphaned'),
    createdAt: now,
    updatedAt: now,
  };
  return dbCall(async () => {
    try {
      // A brand-new document: nobody else can hold it, so a plain insert is atomic.
      const created = await ctx.models.Interview.insertOne(doc);
      return { outcome: 'created', session: toInterview(created.toObject<InterviewRecord>()) };
    } catch (err) {
      if (isDuplicateKeyOn(err, 'voice.conversationId')) return { outcome: 'conversation_conflict' };
      throw err;
    }
  });
}

/** Who holds this conversation id (a session or an orphan), if anyone. */
export async function findByConversationId(ctx: RepoContext, conversationId: string): Promise<Interview | null> {
  if (!conversationIdSchema.safeParse(conversationId).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Interview.findOne({ 'voice.conversationId': { $eq: conversationId } }).lean<InterviewRecord>();
    return doc ? toInterview(doc) : null;
  });
}

const windowSchema = z.strictObject({
  userId: candidateIdSchema,
  agentId: agentIdSchema,
  around: z.date(),
  windowMs: z.number().int().positive().max(24 * 3_600_000),
  limit: z.number().int().min(1).max(50),
});

/**
 * Every time-window candidate (same user + agent, voice started within the
 * window, no conversation id, no transcript), up to `limit`: the linker links
 * only when there is exactly one and lists them all on the orphan otherwise.
 */
export async function findVoiceWindowCandidates(
  ctx: RepoContext,
  raw: { userId: string; agentId: string; around: Date; windowMs: number; limit: number },
): Promise<Interview[]> {
  const q = parseOrThrow(windowSchema, raw, 'voice window');
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({
      mode: { $eq: 'voice' },
      'voice.userId': { $eq: q.userId },
      'voice.agentId': { $eq: q.agentId },
      'voice.startedAt': { $gte: new Date(q.around.getTime() - q.windowMs), $lte: new Date(q.around.getTime() + q.windowMs) },
      'voice.conversationId': { $exists: false },
      transcript: { $exists: false },
      ...statusPrecondition(LINKABLE_STATUSES),
    })
      .sort({ 'voice.startedAt': 1 })
      .limit(q.limit)
      .lean<InterviewRecord[]>();
    return docs.map(toInterview);
  });
}

/**
 * Step 2 of a merge (after the transcript was copied into the session): the
 * orphan is deleted, which frees its conversation id for the session. Only an
 * orphan still holding that id is deleted, and only once its outbox is empty
 * (its voice.orphaned event relayed), so the delete never takes an event with it.
 */
export async function deleteOrphan(ctx: RepoContext, clientSessionId: string, conversationId: string): Promise<{ deleted: boolean }> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const cid = parseOrThrow(conversationIdSchema, conversationId, 'conversationId');
  return dbCall(async () => {
    const res = await ctx.models.Interview.deleteOne({
      clientSessionId: { $eq: id },
      status: { $eq: 'orphaned' },
      'voice.conversationId': { $eq: cid },
      ...OUTBOX_EMPTY,
    });
    return { deleted: res.deletedCount === 1 };
  });
}

/** Sessions whose merge stopped after its first step (crash): transcript copied, conversation id not yet set. */
export async function findUnfinishedMerges(ctx: RepoContext, limit = 100): Promise<Interview[]> {
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({
      mode: { $eq: 'voice' },
      'voice.linkedBy': { $eq: 'merge' },
      'voice.conversationId': { $exists: false },
      'transcript.conversationId': { $exists: true },
    })
      .limit(limit)
      .lean<InterviewRecord[]>();
    return docs.map(toInterview);
  });
}

/** Voice sessions ended (voice.endedAt or endedAt) before `endedBefore` and still waiting for their webhook. */
export async function findPendingVoiceSessions(ctx: RepoContext, endedBefore: Date, limit = 50): Promise<Interview[]> {
  const before = parseOrThrow(z.date(), endedBefore, 'endedBefore');
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({
      mode: { $eq: 'voice' },
      status: { $eq: 'ended_pending_webhook' },
      endedAt: { $lt: before },
    })
      .sort({ endedAt: 1 })
      .limit(limit)
      .lean<InterviewRecord[]>();
    return docs.map(toInterview);
  });
}

const voiceBeginSchema = z.strictObject({
  agentId: agentIdSchema,
  userId: candidateIdSchema,
  startedAt: z.date(),
});

/**
 * The voice session starts: created -> active with startedAt and the voice
 * facts in one update; on an already active/paused session without a recorded
 * voice start, only the voice facts. A repeated start changes nothing.
 */
export async function beginVoice(ctx: RepoContext, clientSessionId: string, raw: z.infer<typeof voiceBeginSchema>): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const v = parseOrThrow(voiceBeginSchema, raw, 'voice start');
  const voice = { 'voice.agentId': v.agentId, 'voice.userId': v.userId, 'voice.startedAt': v.startedAt };
  const first = await casUpdate(
    ctx,
    id,
    { clientSessionId: { $eq: id }, mode: { $eq: 'voice' }, status: { $eq: 'created' }, 'voice.startedAt': { $exists: false } },
    { $set: { ...voice, status: 'active', startedAt: v.startedAt } },
  );
  if (first.won) return first;
  return casUpdate(
    ctx,
    id,
    { clientSessionId: { $eq: id }, mode: { $eq: 'voice' }, ...statusPrecondition(OPEN_STATUSES), 'voice.startedAt': { $exists: false } },
    { $set: voice },
  );
}

/** The reconciler gave up: ended_pending_webhook -> abandoned, endedBy 'timeout' (a late webhook still links it). */
export async function markTranscriptMissing(ctx: RepoContext, clientSessionId: string): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  return casUpdate(
    ctx,
    id,
    { clientSessionId: { $eq: id }, mode: { $eq: 'voice' }, status: { $eq: 'ended_pending_webhook' }, transcript: { $exists: false } },
    { $set: { status: 'abandoned', endedBy: 'timeout' }, ...pushOutbox(outboxEntries(['interview.abandoned'], ctx.now(), 'abandoned')) },
  );
}

export type { LinkedBy, VoiceTranscript };
