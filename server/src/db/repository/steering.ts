import type { Document } from 'mongodb';
import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { objectIdHexSchema } from '../../../../shared/ids.js';
import type { Interview, InterviewStatus } from '../../../../shared/interview.js';
import { NUDGES_PER_SESSION_MAX, nudgeIdSchema, nudgeSchema, type Nudge, type Takeover } from '../../../../shared/nudges.js';
import { actorRefSchema, type ActorRef } from '../../../../shared/recruiters.js';
import { dbCall } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import type { Filter } from './preconditions.js';

/**
 * Recruiter steering on the interview document (docs/recruiters.md): nudges
 * (`interviews.nudges[]`) and take-over (`interviews.takeover`). Each write is
 * ONE update whose filter is its precondition; a miss is explained by one read.
 * Nudges leave `updatedAt` alone (like notes: not candidate activity).
 *
 * The other nudge transitions ride in writes that happen anyway: `used` in the
 * question write (cycle.ts storeQuestion) or the agent line's append (voice),
 * `expired` in the transition that ends the interview (sessions.ts transition).
 */

/** Statuses in which a nudge or a take-over is accepted. */
export const STEERABLE: readonly InterviewStatus[] = ['created', 'active', 'paused'];
const TAKEOVER_STATUSES: readonly InterviewStatus[] = ['active', 'paused'];

interface SteeringDoc {
  _id: { toHexString(): string };
  clientSessionId: string;
  mode: Interview['mode'];
  status: InterviewStatus;
  nudges?: Nudge[];
  takeover?: Takeover;
}

const PROJECTION = { clientSessionId: 1, mode: 1, status: 1, nudges: 1, takeover: 1 } as const;
const OPTS = { returnDocument: 'after', lean: true, runValidators: true, timestamps: false, projection: PROJECTION } as const;

export type AddNudgeResult =
  | { outcome: 'added' | 'duplicate'; clientSessionId: string; mode: Interview['mode']; nudge: Nudge }
  | { outcome: 'not_found' | 'full' }
  | { outcome: 'ended'; status: InterviewStatus };

/** Guarded `$push`: open session, id absent, under the cap. A retry returns the stored nudge (`duplicate`). */
export async function addNudge(ctx: RepoContext, sessionId: string, raw: Nudge): Promise<AddNudgeResult> {
  const nudge = parseOrThrow(nudgeSchema, raw, 'nudge');
  if (!objectIdHexSchema.safeParse(sessionId).success) return { outcome: 'not_found' };
  return dbCall(async () => {
    const filter: Filter = {
      _id: { $eq: sessionId },
      status: { $in: STEERABLE },
      'nudges.id': { $ne: nudge.id },
      [`nudges.${NUDGES_PER_SESSION_MAX - 1}`]: { $exists: false },
    };
    const doc = await ctx.models.Interview.findOneAndUpdate(filter, { $push: { nudges: nudge } }, OPTS).lean<SteeringDoc>();
    const stored = doc?.nudges?.find((n) => n.id === nudge.id);
    if (doc && stored) return { outcome: 'added', clientSessionId: doc.clientSessionId, mode: doc.mode, nudge: stored };
    const current = await ctx.models.Interview.findOne({ _id: { $eq: sessionId } }, PROJECTION).lean<SteeringDoc>();
    if (!current) return { outcome: 'not_found' };
    const existing = current.nudges?.find((n) => n.id === nudge.id);
    if (existing) return { outcome: 'duplicate', clientSessionId: current.clientSessionId, mode: current.mode, nudge: existing };
    if (!STEERABLE.includes(current.status)) return { outcome: 'ended', status: current.status };
    return { outcome: 'full' };
  });
}

const withdrawSchema = z.strictObject({ nudgeId: nudgeIdSchema, by: actorRefSchema, at: z.date() });

export type WithdrawNudgeResult =
  | { outcome: 'withdrawn'; clientSessionId: string; nudge: Nudge }
  | { outcome: 'not_pending'; clientSessionId: string; nudge: Nudge }
  | { outcome: 'not_found' | 'no_such_nudge' };

/** pending -> withdrawn, only while pending (a used or expired nudge stays what it is). */
export async function withdrawNudge(ctx: RepoContext, sessionId: string, raw: { nudgeId: string; by: ActorRef; at: Date }): Promise<WithdrawNudgeResult> {
  const { nudgeId, by, at } = parseOrThrow(withdrawSchema, raw, 'withdrawal');
  if (!objectIdHexSchema.safeParse(sessionId).success) return { outcome: 'not_found' };
  return dbCall(async () => {
    const doc = await ctx.models.Interview.findOneAndUpdate(
      { _id: { $eq: sessionId }, nudges: { $elemMatch: { id: { $eq: nudgeId }, state: { $eq: 'pending' } } } },
      { $set: { 'nudges.$.state': 'withdrawn', 'nudges.$.withdrawnBy': by, 'nudges.$.updatedAt': at } },
      OPTS,
    ).lean<SteeringDoc>();
    const stored = doc?.nudges?.find((n) => n.id === nudgeId);
    if (doc && stored) return { outcome: 'withdrawn', clientSessionId: doc.clientSessionId, nudge: stored };
    const current = await ctx.models.Interview.findOne({ _id: { $eq: sessionId } }, PROJECTION).lean<SteeringDoc>();
    if (!current) return { outcome: 'not_found' };
    const existing = current.nudges?.find((n) => n.id === nudgeId);
    return existing ? { outcome: 'not_pending', clientSessionId: current.clientSessionId, nudge: existing } : { outcome: 'no_such_nudge' };
  });
}

export type TakeOverResult =
  | { outcome: 'taken'; session: Interview }
  | { outcome: 'held'; by: ActorRef }
  | { outcome: 'voice' | 'not_found' }
  | { outcome: 'status'; status: InterviewStatus };

const takeoverInputSchema = z.strictObject({ by: actorRefSchema, at: z.date() });

/**
 * Take-over: ONE update guarded by "text mode, active or paused, nobody else holds it".
 * Two recruiters at once: exactly one write matches; the other is told who holds it.
 * Idempotent for the holder (a retry keeps the first `at`).
 */
export async function takeOver(ctx: RepoContext, sessionId: string, raw: { by: ActorRef; at: Date }): Promise<TakeOverResult> {
  const { by, at } = parseOrThrow(takeoverInputSchema, raw, 'take-over');
  if (!objectIdHexSchema.safeParse(sessionId).success) return { outcome: 'not_found' };
  return dbCall(async () => {
    const filter: Filter = { _id: { $eq: sessionId }, mode: { $eq: 'text' }, status: { $in: TAKEOVER_STATUSES }, takeover: { $exists: false } };
    const doc = await ctx.models.Interview.findOneAndUpdate(filter, { $set: { takeover: { by, at } } }, { returnDocument: 'after', lean: true, runValidators: true }).lean<InterviewRecord>();
    if (doc) return { outcome: 'taken', session: toInterview(doc) };
    const current = await ctx.models.Interview.findOne({ _id: { $eq: sessionId } }).lean<InterviewRecord>();
    if (!current) return { outcome: 'not_found' };
    if (current.mode !== 'text') return { outcome: 'voice' };
    if (!TAKEOVER_STATUSES.includes(current.status)) return { outcome: 'status', status: current.status };
    if (current.takeover?.by.id === by.id) return { outcome: 'taken', session: toInterview(current) };
    if (current.takeover) return { outcome: 'held', by: current.takeover.by };
    // Released and taken again between the write and the read: report as held by whoever holds it now (rare).
    return { outcome: 'status', status: current.status };
  });
}

export type HandBackResult = { outcome: 'handed_back' | 'not_taken'; session: Interview } | { outcome: 'held'; by: ActorRef } | { outcome: 'not_found' };

/** Hand-back: only the holder (or, with `anyHolder`, an admin) removes the take-over. Idempotent. */
export async function handBack(ctx: RepoContext, sessionId: string, raw: { by: ActorRef; anyHolder: boolean }): Promise<HandBackResult> {
  const by = parseOrThrow(actorRefSchema, raw.by, 'recruiter');
  if (!objectIdHexSchema.safeParse(sessionId).success) return { outcome: 'not_found' };
  return dbCall(async () => {
    const filter: Filter = { _id: { $eq: sessionId }, ...(raw.anyHolder ? { takeover: { $exists: true } } : { 'takeover.by.id': { $eq: by.id } }) };
    const doc = await ctx.models.Interview.findOneAndUpdate(filter, { $unset: { takeover: '' } }, { returnDocument: 'after', lean: true }).lean<InterviewRecord>();
    if (doc) return { outcome: 'handed_back', session: toInterview(doc) };
    const current = await ctx.models.Interview.findOne({ _id: { $eq: sessionId } }).lean<InterviewRecord>();
    if (!current) return { outcome: 'not_found' };
    if (current.takeover) return { outcome: 'held', by: current.takeover.by };
    return { outcome: 'not_taken', session: toInterview(current) };
  });
}

/**
 * The `used` part of the write that stores the question honouring nudges (cycle.ts
 * storeQuestion, or the voice agent line's append): each of `ids` still pending turns `used`
 * with the question's id and number; a withdrawal that landed first stays.
 */
export function usedUpdate(ids: readonly string[], question: { id: string; number: number; at: Date }): { $set: Document; arrayFilters: Document[] } {
  return {
    $set: {
      'nudges.$[honoured].state': 'used',
      'nudges.$[honoured].questionId': question.id,
      'nudges.$[honoured].questionNumber': question.number,
      'nudges.$[honoured].updatedAt': question.at,
    },
    arrayFilters: [{ 'honoured.id': { $in: [...ids] }, 'honoured.state': { $eq: 'pending' } }],
  };
}

/**
 * The expiry part of a transition that ends an interview: every pending nudge turns
 * `expired`, and a take-over ends, in the same update (sessions.ts transition).
 */
export function expiryUpdate(at: Date): { $set: Document; $unset: Document; arrayFilters: Document[] } {
  return {
    $set: { 'nudges.$[expiring].state': 'expired', 'nudges.$[expiring].updatedAt': at },
    $unset: { takeover: '' },
    arrayFilters: [{ 'expiring.state': { $eq: 'pending' } }],
  };
}
