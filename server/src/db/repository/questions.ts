import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema, questionIdSchema } from '../../../../shared/ids.js';
import { interviewerMessageSchema, nodeIdSchema, type InterviewStatus } from '../../../../shared/interview.js';
import { answerScoreSchema, askedQuestionSchema, type AnswerScore, type AskedQuestion } from '../../../../shared/plan.js';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';
import { statusPrecondition, type Filter } from './preconditions.js';
import { casUpdate, type TransitionResult } from './sessions.js';

export interface CompleteQuestion {
  questionId: string;
  text: string;
  /** The plan fact recorded with the question. */
  asked: AskedQuestion;
  at: Date;
  /** Statuses in which a finished question is still stored (a pause does not discard it). */
  statuses: readonly InterviewStatus[];
}

const completeSchema = z.strictObject({
  questionId: questionIdSchema,
  text: interviewerMessageSchema.shape.text,
  asked: askedQuestionSchema,
  at: z.date(),
  statuses: z.array(z.string()).min(1),
});

/**
 * Stores a finished question: ONE update that appends the interviewer
 * message, records the plan fact and hands the turn to the candidate. The
 * filter names the generating turn for exactly this question, so a generator
 * that lost its lease (another node took over with a new questionId) or a
 * session that ended meanwhile stores nothing.
 */
export async function completeQuestion(ctx: RepoContext, clientSessionId: string, raw: CompleteQuestion): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const q = parseOrThrow(completeSchema, raw, 'question');
  const message = parseOrThrow(
    interviewerMessageSchema,
    { id: q.questionId, role: 'interviewer', text: q.text, source: 'text', questionId: q.questionId, at: q.at },
    'question message',
  );
  const filter: Filter = {
    clientSessionId: { $eq: id },
    ...statusPrecondition(raw.statuses),
    'turn.state': { $eq: 'generating' },
    'turn.questionId': { $eq: q.questionId },
    'messages.id': { $ne: q.questionId },
  };
  return casUpdate(ctx, id, filter, {
    $push: { messages: message, 'plan.asked': q.asked },
    $set: { turn: { state: 'awaiting_answer', questionId: q.questionId } },
  });
}

/**
 * Records the assessment of one answer, at most once per question. Scores
 * arrive while the next question streams, so this touches nothing but the
 * append-only `plan.scores` (never the turn or status).
 */
export async function recordScore(ctx: RepoContext, clientSessionId: string, raw: AnswerScore): Promise<{ won: boolean }> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const score = parseOrThrow(answerScoreSchema, raw, 'score');
  return dbCall(async () => {
    const res = await ctx.models.Interview.updateOne(
      { clientSessionId: { $eq: id }, 'plan.scores.questionId': { $ne: score.questionId } },
      { $push: { 'plan.scores': score } },
    );
    return { won: res.modifiedCount === 1 };
  });
}

/**
 * A restarted process releases the turn leases its previous incarnation held
 * (same node name, other boot id): that process is dead, so a reconnecting
 * candidate need not wait for the lease to run out. Returns how many it freed.
 */
export async function releaseLeasesOfPreviousBoot(
  ctx: RepoContext,
  nodeName: string,
  currentNode: string,
): Promise<number> {
  const name = parseOrThrow(nodeIdSchema, nodeName, 'node name');
  const me = parseOrThrow(nodeIdSchema, currentNode, 'node id');
  const prefix = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#`);
  return dbCall(async () => {
    const res = await ctx.models.Interview.updateMany(
      { 'turn.state': { $eq: 'generating' }, 'turn.node': { $regex: prefix, $ne: me } },
      { $set: { 'turn.leaseUntil': new Date(0) } },
    );
    return res.modifiedCount;
  });
}

/** Sessions whose turn is still marked generating (start-up recovery and tests). */
export async function findGenerating(ctx: RepoContext, limit = 500): Promise<Array<{ clientSessionId: string }>> {
  return dbCall(async () =>
    ctx.models.Interview.find({ 'turn.state': { $eq: 'generating' }, status: { $in: ['active', 'paused'] } }, { clientSessionId: 1 })
      .limit(limit)
      .lean<Array<{ clientSessionId: string }>>(),
  );
}
