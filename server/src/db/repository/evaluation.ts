import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../../shared/ids.js';
import { evaluationResultSchema, evaluationSchema, type EvaluationStatus, type Interview } from '../../../../shared/interview.js';
import { dbCall } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';
import { outboxEntries, pushOutbox } from './outbox.js';
import { casUpdate, type TransitionResult } from './sessions.js';
import type { Filter } from './preconditions.js';

export const DEFAULT_EVALUATION_LEASE_MS = 120_000;

const recordSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('pending') }),
  z.strictObject({ status: z.literal('running'), leaseMs: z.number().int().positive().optional() }),
  z.strictObject({ status: z.literal('complete'), result: evaluationResultSchema }),
  z.strictObject({ status: z.literal('failed'), error: evaluationSchema.shape.error.unwrap() }),
]);
export type EvaluationUpdate = z.infer<typeof recordSchema>;

/**
 * Which statuses each target may be reached from. `complete` is final: nothing
 * leaves it, so a late `failed` (or a second `complete`) can never overwrite it.
 */
const FROM: Record<EvaluationStatus, readonly EvaluationStatus[]> = {
  pending: ['failed'],
  running: ['pending', 'failed'],
  complete: ['pending', 'running', 'failed'],
  failed: ['pending', 'running'],
};

/**
 * Writes the evaluation status and its payload in ONE update, as a
 * compare-and-set on the current status (see FROM). `pending` on a session
 * with no evaluation yet creates it (attempts 0).
 */
export async function recordEvaluation(ctx: RepoContext, clientSessionId: string, raw: EvaluationUpdate): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const u = parseOrThrow(recordSchema, raw, 'evaluation');
  const now = ctx.now();
  const base: Filter = { clientSessionId: { $eq: id } };
  const from: Filter = { ...base, 'evaluation.status': { $in: FROM[u.status] } };
  switch (u.status) {
    case 'pending': {
      const created = await dbCall(() =>
        ctx.models.Interview.findOneAndUpdate(
          { ...base, evaluation: { $exists: false } },
          { $set: { evaluation: { status: 'pending', attempts: 0 } } },
          AFTER,
        ).lean<InterviewRecord>(),
      );
      if (created) return { won: true, session: toInterview(created) };
      return casUpdate(ctx, id, from, {
        $set: { 'evaluation.status': 'pending' },
        $unset: { 'evaluation.error': 1, 'evaluation.leaseUntil': 1 },
      });
    }
    case 'running':
      return casUpdate(ctx, id, from, {
        $set: {
          'evaluation.status': 'running',
          'evaluation.leaseUntil': new Date(now.getTime() + (u.leaseMs ?? DEFAULT_EVALUATION_LEASE_MS)),
        },
        $inc: { 'evaluation.attempts': 1 },
        $unset: { 'evaluation.error': 1 },
      });
    case 'complete':
      // `complete` is reached once (nothing leaves it), so evaluation.ready is recorded once, with it.
      return casUpdate(ctx, id, from, {
        $set: { 'evaluation.status': 'complete', 'evaluation.result': u.result, 'evaluation.completedAt': now },
        $unset: { 'evaluation.error': 1, 'evaluation.leaseUntil': 1 },
        ...pushOutbox(outboxEntries(['evaluation.ready'], now)),
      });
    case 'failed':
      return casUpdate(ctx, id, from, {
        $set: { 'evaluation.status': 'failed', 'evaluation.error': u.error },
        $unset: { 'evaluation.leaseUntil': 1 },
      });
  }
}

export interface ClaimEvaluationRequest {
  /** Claim this session's evaluation; omit to claim any one that is waiting (oldest update first). */
  clientSessionId?: string;
  leaseMs?: number;
  /** Skip evaluations that already used this many attempts. */
  maxAttempts?: number;
}

const claimSchema = z.strictObject({
  clientSessionId: clientSessionIdSchema.optional(),
  leaseMs: z.number().int().positive().optional(),
  maxAttempts: z.number().int().positive().optional(),
});

/**
 * pending, or running with an expired lease (its worker died) -> running with a
 * new lease and attempts + 1, in one update. Null when there is nothing to claim.
 */
export async function claimEvaluation(ctx: RepoContext, raw: ClaimEvaluationRequest = {}): Promise<Interview | null> {
  const req = parseOrThrow(claimSchema, raw, 'claim');
  const now = ctx.now();
  const filter: Filter = {
    $or: [
      { 'evaluation.status': { $eq: 'pending' } },
      // $not/$gte also matches a missing lease.
      { 'evaluation.status': { $eq: 'running' }, 'evaluation.leaseUntil': { $not: { $gte: now } } },
    ],
  };
  if (req.clientSessionId !== undefined) filter['clientSessionId'] = { $eq: req.clientSessionId };
  if (req.maxAttempts !== undefined) filter['evaluation.attempts'] = { $lt: req.maxAttempts };
  return dbCall(async () => {
    const after = await ctx.models.Interview.findOneAndUpdate(
      filter,
      {
        $set: {
          'evaluation.status': 'running',
          'evaluation.leaseUntil': new Date(now.getTime() + (req.leaseMs ?? DEFAULT_EVALUATION_LEASE_MS)),
        },
        $inc: { 'evaluation.attempts': 1 },
        $unset: { 'evaluation.error': 1 },
      },
      { ...AFTER, sort: { updatedAt: 1 } },
    ).lean<InterviewRecord>();
    return after ? toInterview(after) : null;
  });
}
