import { z } from 'zod';
import { AppError, parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema, objectIdHexSchema } from '../../../../shared/ids.js';
import {
  createSessionInputSchema,
  interviewModeSchema,
  interviewSchema,
  interviewStatusSchema,
  type Interview,
  type InterviewMode,
  type InterviewStatus,
  type InterviewSummary,
} from '../../../../shared/interview.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview, toInterviewSummary, type InterviewSummaryRecord } from './mappers.js';
import { AFTER } from './options.js';
import { eventsOfStatus, outboxEntries, pushOutbox } from './outbox.js';
import { statusPrecondition, turnPrecondition, type Filter, type TurnExpectation } from './preconditions.js';
import { expiryUpdate, STEERABLE } from './steering.js';

export interface CreateSessionResult {
  session: Interview;
  /** False when a session with this clientSessionId already existed (the call was a retry). */
  created: boolean;
}

/**
 * Idempotent and race-safe: one upsert whose `$setOnInsert` is the whole new
 * document, keyed by the unique clientSessionId. An existing session is returned
 * untouched (not even updatedAt moves). Two concurrent creates may both try to
 * insert; the loser gets E11000 and reads the winner's document.
 */
export async function createSession(ctx: RepoContext, raw: unknown): Promise<CreateSessionResult> {
  const input = parseOrThrow(createSessionInputSchema, raw, 'session');
  const now = ctx.now();
  const fresh: Omit<InterviewRecord, '_id'> = {
    ...input,
    status: 'created',
    messages: [],
    turn: { state: 'idle' },
    plan: { asked: [], scores: [] },
    usage: [],
    createdAt: now,
    updatedAt: now,
  };
  const filter = { clientSessionId: { $eq: input.clientSessionId } };
  return dbCall(async () => {
    try {
      const res = await ctx.models.Interview.findOneAndUpdate(
        filter,
        { $setOnInsert: fresh },
        { upsert: true, includeResultMetadata: true, timestamps: false, ...AFTER },
      );
      const doc = res.value;
      if (!doc) throw new Error('upsert returned no document');
      return { session: toInterview(doc), created: res.lastErrorObject?.updatedExisting === false };
    } catch (err) {
      if (!isDuplicateKeyOn(err, 'clientSessionId')) throw err;
      const existing = await ctx.models.Interview.findOne(filter).lean<InterviewRecord>();
      if (!existing) throw err;
      return { session: toInterview(existing), created: false };
    }
  });
}

/** Null for an unknown or malformed id (never a raw validation or cast error). */
export async function findByClientSessionId(ctx: RepoContext, clientSessionId: string): Promise<Interview | null> {
  if (!clientSessionIdSchema.safeParse(clientSessionId).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Interview.findOne({ clientSessionId: { $eq: clientSessionId } }).lean<InterviewRecord>();
    return doc ? toInterview(doc) : null;
  });
}

/**
 * The list rows' fields only (no transcript) of several sessions in ONE query: the live
 * list re-reads sessions whose change came without a row (realtime/summaryPublisher.ts).
 */
export async function findSummaries(ctx: RepoContext, clientSessionIds: readonly string[]): Promise<InterviewSummary[]> {
  const ids = clientSessionIds.filter((id) => clientSessionIdSchema.safeParse(id).success);
  if (ids.length === 0) return [];
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({ clientSessionId: { $in: ids } }, { messages: 0, transcript: 0, focus: 0, notes: 0, nudges: 0 }).lean<InterviewSummaryRecord[]>();
    return docs.map(toInterviewSummary);
  });
}

/** Null for an unknown id or one that is not an ObjectId (no CastError escapes). */
export async function findById(ctx: RepoContext, id: string): Promise<Interview | null> {
  if (!objectIdHexSchema.safeParse(id).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Interview.findOne({ _id: { $eq: id } }).lean<InterviewRecord>();
    return doc ? toInterview(doc) : null;
  });
}

/** Fields a status transition may write together with the new status. */
const transitionSetSchema = interviewSchema
  .pick({ endedBy: true, startedAt: true, endedAt: true, turn: true, evaluation: true })
  .extend({ voiceEndedAt: z.date().optional() })
  .partial()
  .strict();
export type TransitionSet = z.infer<typeof transitionSetSchema>;

export interface TransitionRequest {
  from: readonly InterviewStatus[];
  to: InterviewStatus;
  set?: TransitionSet;
  /** Also require this turn state (e.g. pause only while awaiting an answer). */
  turn?: TurnExpectation;
}

export interface TransitionResult {
  /** True when this call made the change; false when the precondition did not hold. */
  won: boolean;
  /** The document after the change when won; the current one (or null if none) when lost. */
  session: Interview | null;
}

/** Compare-and-set on status (and optionally turn), writing `set` in the same update. */
export async function transition(ctx: RepoContext, clientSessionId: string, req: TransitionRequest): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const to = parseOrThrow(interviewStatusSchema, req.to, 'status');
  const set = parseOrThrow(transitionSetSchema, req.set ?? {}, 'transition fields');
  // A transition into completed/abandoned records its webhook event in the same update
  // (docs/webhooks-out.md); it must then really change the status, so a repeat adds nothing.
  const from = req.from.filter((s) => s !== to);
  const events = from.length > 0 ? eventsOfStatus(to) : [];
  const filter: Filter = {
    clientSessionId: { $eq: id },
    ...statusPrecondition(events.length > 0 ? from : req.from),
    ...(req.turn ? turnPrecondition(req.turn) : {}),
  };
  const { voiceEndedAt, ...fields } = set;
  const $set: Record<string, unknown> = { ...fields, status: to };
  if (voiceEndedAt !== undefined) $set['voice.endedAt'] = voiceEndedAt;
  const update = { $set, ...pushOutbox(outboxEntries(events, ctx.now(), to)) };
  if (!ENDING.includes(to) || !req.from.some((s) => STEERABLE.includes(s))) return casUpdate(ctx, id, filter, update);
  // Ending: pending recruiter nudges expire and a take-over ends, in the same update (docs/recruiters.md).
  // An arrayFilters update of a missing array is refused (as by MongoDB), and most interviews
  // never had a nudge: the array's presence is part of each attempt's filter, so the common
  // end is ONE write, and a failed precondition costs one more write and the read. The first
  // attempt's miss is not read: the second attempt's casUpdate reads it if that misses too.
  const expiry = expiryUpdate(ctx.now());
  const plain = await casUpdate(ctx, id, { ...filter, nudges: { $exists: false } }, { ...update, $unset: expiry.$unset }, { readOnMiss: false });
  if (plain) return plain;
  const ending = { ...update, $set: { ...$set, ...expiry.$set }, $unset: expiry.$unset };
  return casUpdate(ctx, id, { ...filter, nudges: { $exists: true } }, ending, { arrayFilters: expiry.arrayFilters });
}

/** Statuses an interview ends in. */
const ENDING: readonly InterviewStatus[] = ['ended_pending_webhook', 'completed', 'abandoned', 'orphaned'];

export interface CasOptions {
  arrayFilters?: Record<string, unknown>[];
  /** False: a miss returns null without reading, for a caller that has another attempt to make. */
  readOnMiss?: boolean;
}

/** One findOneAndUpdate; when it matches nothing, one read returns the current state (unless `readOnMiss: false`). */
export function casUpdate(ctx: RepoContext, clientSessionId: string, filter: Filter, update: Record<string, unknown>, extra?: CasOptions & { readOnMiss?: true }): Promise<TransitionResult>;
export function casUpdate(ctx: RepoContext, clientSessionId: string, filter: Filter, update: Record<string, unknown>, extra: CasOptions & { readOnMiss: false }): Promise<TransitionResult | null>;
export async function casUpdate(
  ctx: RepoContext,
  clientSessionId: string,
  filter: Filter,
  update: Record<string, unknown>,
  extra: CasOptions = {},
): Promise<TransitionResult | null> {
  return dbCall(async () => {
    const after = await ctx.models.Interview.findOneAndUpdate(filter, update, extra.arrayFilters ? { ...AFTER, arrayFilters: extra.arrayFilters } : AFTER).lean<InterviewRecord>();
    if (after) return { won: true, session: toInterview(after) };
    if (extra.readOnMiss === false) return null;
    const current = await ctx.models.Interview.findOne({ clientSessionId: { $eq: clientSessionId } }).lean<InterviewRecord>();
    return { won: false, session: current ? toInterview(current) : null };
  });
}

export interface ListSessionsQuery {
  status?: InterviewStatus;
  mode?: InterviewMode;
  openingId?: string;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
  limit: number;
}

export interface SessionPage {
  items: InterviewSummary[];
  /** Null on the last page. */
  nextCursor: string | null;
}

const listQuerySchema = z.strictObject({
  status: interviewStatusSchema.optional(),
  mode: interviewModeSchema.optional(),
  openingId: objectIdHexSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100),
});

const cursorSchema = z.tuple([z.number().int().nonnegative(), objectIdHexSchema]);

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.getTime(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('VALIDATION', 'Invalid cursor', { details: [{ path: 'cursor', message: 'malformed' }] });
  }
  const [ms, id] = parseOrThrow(cursorSchema, parsed, 'cursor');
  return { createdAt: new Date(ms), id };
}

/** The list's filter (status, mode, opening, after the cursor): shared by the paginated list and the CSV stream. */
export function sessionListFilter(q: Omit<ListSessionsQuery, 'limit'>): Filter {
  const filter: Filter = {};
  if (q.status !== undefined) filter['status'] = { $eq: q.status };
  if (q.mode !== undefined) filter['mode'] = { $eq: q.mode };
  if (q.openingId !== undefined) filter['openingId'] = { $eq: q.openingId };
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    filter['$or'] = [{ createdAt: { $lt: c.createdAt } }, { createdAt: { $eq: c.createdAt }, _id: { $lt: c.id } }];
  }
  return filter;
}

/** Newest first by (createdAt, _id); transcripts are left out of list items. */
export async function listSessions(ctx: RepoContext, raw: ListSessionsQuery): Promise<SessionPage> {
  const q = parseOrThrow(listQuerySchema, raw, 'list query');
  const filter = sessionListFilter(q);
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find(filter, { messages: 0, transcript: 0, focus: 0, notes: 0, nudges: 0 })
      .sort({ createdAt: -1, _id: -1 })
      .limit(q.limit + 1)
      .lean<InterviewSummaryRecord[]>();
    const page = docs.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor = docs.length > q.limit && last ? encodeCursor(last.createdAt, last._id.toHexString()) : null;
    return { items: page.map(toInterviewSummary), nextCursor };
  });
}
