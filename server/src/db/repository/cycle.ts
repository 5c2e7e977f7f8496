import { z } from 'zod';
import type { Document } from 'mongodb';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema, messageIdSchema, questionIdSchema } from '../../../../shared/ids.js';
import {
  candidateMessageSchema,
  interviewerMessageSchema,
  interviewStatusSchema,
  nodeIdSchema,
  turnSchema,
  type Evaluation,
  type Interview,
  type InterviewStatus,
  type Message,
  type Turn,
} from '../../../../shared/interview.js';
import { nudgeIdSchema, type Nudge, type PendingNudge, type Takeover } from '../../../../shared/nudges.js';
import { answerScoreSchema, askedQuestionSchema, type AnswerScore, type AskedQuestion } from '../../../../shared/plan.js';
import { actorRefSchema, type ActorRef } from '../../../../shared/recruiters.js';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';
import type { Filter } from './preconditions.js';
import { usedUpdate } from './steering.js';

/**
 * The store round trips of a question cycle (docs/data-model.md, "The hot path"):
 *
 *   ① storeAnswer   — append the answer and hand the turn to the interviewer
 *   ② storeQuestion — append the question, its plan fact (and the previous answer's score
 *                     when it is ready) and hand the turn back to the candidate
 *
 * Each is ONE findAndModify with its precondition in the filter, sent through the driver
 * (`Model.collection`): the values were parsed with their zod schemas just above, and
 * mongoose's casting and document hydration were most of the cost of a cycle. Replies are
 * projected to what the caller needs — never the transcript: ① returns its last messages (as
 * many as the interviewer reads) and its length, ② only the list row.
 */

/** The list row and the turn, as the cycle's writes return them (no transcript). */
export type CycleRow = Pick<
  Interview,
  'id' | 'clientSessionId' | 'mode' | 'role' | 'candidateName' | 'openingId' | 'status' | 'turn' | 'plan' | 'voice' | 'endedBy' | 'endedAt' | 'createdAt' | 'updatedAt'
> & { evaluation?: Pick<Evaluation, 'status'> };

/** What a cycle knows about a session after its answer write: the row, and what the next question needs. */
export type CycleView = CycleRow & {
  /** The transcript's last messages (as many as the interviewer reads, at least 2), oldest first. */
  tail: Message[];
  /** Length of the whole transcript (a message's 1-based position is its seq). */
  messageCount: number;
  /** Recruiter nudges still pending, oldest first: the next question honours the first (docs/recruiters.md). */
  nudges: PendingNudge[];
  /** Set while a recruiter has taken the interview over: the AI asks nothing. */
  takeover?: Takeover;
};

/** The list row's fields and the turn: the reply of the question write (②). */
const ROW_PROJECTION: Document = {
  clientSessionId: 1,
  mode: 1,
  role: 1,
  candidateName: 1,
  openingId: 1,
  status: 1,
  turn: 1,
  plan: 1,
  voice: 1,
  endedBy: 1,
  endedAt: 1,
  createdAt: 1,
  updatedAt: 1,
  'evaluation.status': 1,
};

/** The fewest messages a view carries: the question just answered and its answer. */
export const MIN_TAIL = 2;
const tailProjections = new Map<number, Document>();

/** The row plus the transcript's last `tail` messages and its length (`$size`), never the transcript. */
function viewProjection(tail: number): Document {
  const n = Math.max(MIN_TAIL, Math.floor(tail));
  let projection = tailProjections.get(n);
  if (!projection) {
    projection = {
      ...ROW_PROJECTION,
      messages: { $slice: -n },
      messageCount: { $size: '$messages' },
      // Pending nudges only (a handful at most), never the used/withdrawn history.
      pendingNudges: { $filter: { input: { $ifNull: ['$nudges', []] }, as: 'n', cond: { $eq: ['$$n.state', 'pending'] } } },
      takeover: 1,
    };
    tailProjections.set(n, projection);
  }
  return projection;
}

type RowRecord = Omit<CycleRow, 'id'> & { _id: { toHexString(): string } };

function toRow(doc: Document): CycleRow {
  const { _id, ...rest } = doc as RowRecord;
  return { id: _id.toHexString(), ...rest };
}

function toCycleView(doc: Document): CycleView {
  const { messages, pendingNudges, takeover, messageCount, ...row } = doc as RowRecord & {
    messages: Message[];
    messageCount: number;
    pendingNudges?: Nudge[];
    takeover?: Takeover;
  };
  return { ...toRow(row), tail: messages, messageCount, nudges: (pendingNudges ?? []).map(pendingOf), ...(takeover ? { takeover } : {}) };
}

function pendingOf(n: Nudge): PendingNudge {
  return { id: n.id, kind: n.kind, text: n.text, createdAt: n.createdAt };
}

/** The view of a session read whole (a rare path: take-over, retry, start). */
export function cycleViewOf(session: Interview, tail: number): CycleView {
  const { messages, transcript: _t, focus: _f, usage: _u, evaluation, startedAt: _s, notes: _n, nudges, outbox: _o, outboxLeaseUntil: _l, ...rest } = session;
  return {
    ...rest,
    nudges: (nudges ?? []).filter((n) => n.state === 'pending').map(pendingOf),
    ...(evaluation ? { evaluation: { status: evaluation.status } } : {}),
    tail: messages.slice(-Math.max(MIN_TAIL, tail)),
    messageCount: messages.length,
  };
}

export type StoreAnswerResult =
  | { outcome: 'stored'; view: CycleView; seq: number }
  | { outcome: 'rejected'; state: AnswerState | null };

/** Why an answer was not stored, read once after the write matched nothing. */
export interface AnswerState {
  status: InterviewStatus;
  mode: Interview['mode'];
  turn: Turn;
  /** The answer's seq when this message id is already stored (a retry), else null. */
  storedSeq: number | null;
}

const storeAnswerSchema = z.strictObject({
  message: candidateMessageSchema,
  /** The turn must be awaiting the answer to this question. */
  questionId: questionIdSchema,
  next: turnSchema,
});

/**
 * ① Appends a candidate answer and hands the turn to the interviewer (`next`, usually a
 * generating turn with this node's lease), only if the session is active, awaits the
 * answer to `questionId`, and does not hold this message id yet. One read explains a miss.
 */
export async function storeAnswer(
  ctx: RepoContext,
  clientSessionId: string,
  raw: { message: Message; questionId: string; next: Turn; tail: number },
): Promise<StoreAnswerResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const { message, questionId, next } = parseOrThrow(storeAnswerSchema, { message: raw.message, questionId: raw.questionId, next: raw.next }, 'answer');
  const filter: Filter = {
    clientSessionId: { $eq: id },
    status: { $eq: 'active' },
    'messages.id': { $ne: message.id },
    // questionId was parsed with its schema above: the hot path builds the turn fragment itself.
    'turn.state': { $eq: 'awaiting_answer' },
    'turn.questionId': { $eq: questionId },
  };
  return dbCall(async () => {
    const update: Document = { $push: { messages: message }, $set: { turn: next, updatedAt: ctx.now() } };
    const after = await ctx.models.Interview.collection.findOneAndUpdate(filter, update, { returnDocument: 'after', projection: viewProjection(raw.tail) });
    if (after) {
      const view = toCycleView(after);
      return { outcome: 'stored', view, seq: view.messageCount };
    }
    return { outcome: 'rejected', state: await answerState(ctx, id, message.id) };
  });
}

/**
 * What decides whether an answer can be stored now (status, turn) and whether this
 * message id is stored already (its seq): read when a node does not know the session's
 * current question, and to explain a write that matched nothing.
 */
export async function readAnswerState(ctx: RepoContext, clientSessionId: string, messageId: string): Promise<AnswerState | null> {
  if (!clientSessionIdSchema.safeParse(clientSessionId).success) return null;
  const mid = parseOrThrow(messageIdSchema, messageId, 'messageId');
  return dbCall(() => answerState(ctx, clientSessionId, mid));
}

async function answerState(ctx: RepoContext, clientSessionId: string, messageId: string): Promise<AnswerState | null> {
  const doc = await ctx.models.Interview.collection.findOne(
    { clientSessionId: { $eq: clientSessionId } },
    { projection: { _id: 0, status: 1, mode: 1, turn: 1, index: { $indexOfArray: ['$messages.id', messageId] } } },
  );
  if (!doc) return null;
  const { status, mode, turn, index } = doc as unknown as Omit<AnswerState, 'storedSeq'> & { index: number };
  return { status, mode, turn, storedSeq: index >= 0 ? index + 1 : null };
}

export interface StoreQuestion {
  questionId: string;
  text: string;
  /** The plan fact recorded with the question. */
  asked: AskedQuestion;
  /** The score of the answer before this question, when it was ready in time (else it is written on its own). */
  score?: AnswerScore;
  at: Date;
  /** Statuses in which a finished question is still stored (a pause does not discard it). */
  statuses: readonly InterviewStatus[];
  /** Default `text`; `voice` for a question the Custom LLM endpoint spoke. */
  source?: 'text' | 'voice';
  /** The pending nudge this question honoured: marked `used` (with the question's id and number) in the same update. */
  nudgeId?: string;
  /** A question a recruiter typed (take-over): stored with source `recruiter` and their name. */
  by?: ActorRef;
}

const storeQuestionSchema = z.strictObject({
  questionId: questionIdSchema,
  text: interviewerMessageSchema.shape.text,
  asked: askedQuestionSchema,
  score: answerScoreSchema.optional(),
  at: z.date(),
  statuses: z.array(interviewStatusSchema).min(1),
  source: z.enum(['text', 'voice']).optional(),
  nudgeId: nudgeIdSchema.optional(),
  by: actorRefSchema.optional(),
});

/** The reply of ②: the list row, and the honoured nudge as stored (when there was one). */
export type StoredQuestion = CycleRow & { nudge?: Nudge };

/**
 * ② Stores a finished question: appends it, records its plan fact (and the score that
 * came in with it) and hands the turn to the candidate — only while the turn is still
 * generating this question, so a generator that lost its lease or a session that ended
 * stores nothing. Returns the view for the live list, or null when it lost.
 */
export async function storeQuestion(ctx: RepoContext, clientSessionId: string, raw: StoreQuestion): Promise<StoredQuestion | null> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const q = parseOrThrow(storeQuestionSchema, raw, 'question');
  // Every part was parsed just above (the text with the interviewer message's own rule).
  const message: Message = q.by
    ? { id: q.questionId, role: 'interviewer', text: q.text, source: 'recruiter', questionId: q.questionId, at: q.at, by: q.by }
    : { id: q.questionId, role: 'interviewer', text: q.text, source: q.source ?? 'text', questionId: q.questionId, at: q.at };
  const filter: Filter = {
    clientSessionId: { $eq: id },
    status: { $in: q.statuses },
    'turn.state': { $eq: 'generating' },
    'turn.questionId': { $eq: q.questionId },
    'messages.id': { $ne: q.questionId },
  };
  const push: Document = { messages: message, 'plan.asked': q.asked };
  // The score travels with the question only from the node that assessed it, once (ScoreHandle).
  if (q.score) push['plan.scores'] = q.score;
  const turn: Turn = { state: 'awaiting_answer', questionId: q.questionId };
  const set: Document = { turn, updatedAt: ctx.now() };
  if (q.nudgeId === undefined) {
    return dbCall(async () => {
      const after = await ctx.models.Interview.collection.findOneAndUpdate(filter, { $push: push, $set: set }, { returnDocument: 'after', projection: ROW_PROJECTION });
      return after ? toRow(after) : null;
    });
  }
  // The honoured nudge turns `used` in the same write.
  const nudgeId = q.nudgeId;
  const used = usedUpdate([nudgeId], { id: q.questionId, number: q.asked.number, at: q.at });
  return dbCall(async () => {
    const after = await ctx.models.Interview.collection.findOneAndUpdate(
      filter,
      { $push: push, $set: { ...set, ...used.$set } },
      { returnDocument: 'after', arrayFilters: used.arrayFilters, projection: { ...ROW_PROJECTION, nudges: { $elemMatch: { id: { $eq: nudgeId } } } } },
    );
    if (!after) return null;
    const { nudges, ...row } = after as Document & { nudges?: Nudge[] };
    const nudge = nudges?.[0];
    return { ...toRow(row), ...(nudge ? { nudge } : {}) };
  });
}

/** The cycle's view of one session, read (start, take-over, resume paths; never per answer). */
export async function readCycleView(ctx: RepoContext, clientSessionId: string, tail: number): Promise<CycleView | null> {
  if (!clientSessionIdSchema.safeParse(clientSessionId).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Interview.collection.findOne({ clientSessionId: { $eq: clientSessionId } }, { projection: viewProjection(tail) });
    return doc ? toCycleView(doc) : null;
  });
}

const leasesSchema = z.strictObject({
  node: nodeIdSchema,
  questionIds: z.array(questionIdSchema).min(1).max(10_000),
  until: z.date(),
});

/**
 * Renews every turn lease one node holds in ONE write (instead of one per streaming
 * session). Returns the question ids whose lease this node no longer holds (another node
 * took the turn over, or it ended): their streams must stop.
 */
export async function renewLeases(ctx: RepoContext, raw: { node: string; questionIds: string[]; until: Date }): Promise<{ lost: string[] }> {
  const { node, questionIds, until } = parseOrThrow(leasesSchema, raw, 'leases');
  const held: Filter = {
    'turn.state': { $eq: 'generating' },
    'turn.node': { $eq: node },
    'turn.questionId': { $in: questionIds },
    status: { $in: ['active', 'paused'] },
  };
  return dbCall(async () => {
    const res = await ctx.models.Interview.collection.updateMany(held, { $set: { 'turn.leaseUntil': until } });
    if (res.matchedCount === questionIds.length) return { lost: [] };
    // Rare: find out which ones are gone.
    const still = await ctx.models.Interview.collection.find(held, { projection: { _id: 0, 'turn.questionId': 1 } }).toArray();
    const kept = new Set(still.map((d) => (d as unknown as { turn: Turn }).turn.questionId));
    return { lost: questionIds.filter((q) => !kept.has(q)) };
  });
}

const scoreSchema = answerScoreSchema;

/**
 * Records the assessment of one answer on its own (when it was not ready in time to
 * travel with the next question), at most once per question. Touches nothing but the
 * append-only `plan.scores`.
 */
export async function recordScore(ctx: RepoContext, clientSessionId: string, raw: AnswerScore): Promise<{ won: boolean }> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const score = parseOrThrow(scoreSchema, raw, 'score');
  return dbCall(async () => {
    const update: Document = { $push: { 'plan.scores': score }, $set: { updatedAt: ctx.now() } };
    const res = await ctx.models.Interview.collection.updateOne({ clientSessionId: { $eq: id }, 'plan.scores.questionId': { $ne: score.questionId } }, update);
    return { won: res.modifiedCount === 1 };
  });
}

const reviseAnswerSchema = z.strictObject({
  messageId: messageIdSchema,
  text: candidateMessageSchema.shape.text,
  /** The question still generating after this answer (not stored yet). */
  expect: questionIdSchema,
  next: turnSchema,
});

/**
 * The voice endpoint's "newer request wins" (docs/voice.md): a newer request for a turn whose
 * answer is stored while its question is still generating (never stored) replaces the
 * answer's text and takes the turn, in ONE guarded write. Null when the turn moved on
 * (the question was stored, or another request took the turn first).
 */
export async function reviseAnswer(
  ctx: RepoContext,
  clientSessionId: string,
  raw: { messageId: string; text: string; expect: string; next: Turn; tail: number },
): Promise<CycleView | null> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const r = parseOrThrow(reviseAnswerSchema, { messageId: raw.messageId, text: raw.text, expect: raw.expect, next: raw.next }, 'revised answer');
  const filter: Filter = {
    clientSessionId: { $eq: id },
    status: { $eq: 'active' },
    'turn.state': { $eq: 'generating' },
    'turn.questionId': { $eq: r.expect },
    messages: { $elemMatch: { id: { $eq: r.messageId }, role: { $eq: 'candidate' } } },
  };
  return dbCall(async () => {
    const update: Document = { $set: { 'messages.$.text': r.text, turn: r.next, updatedAt: ctx.now() } };
    const after = await ctx.models.Interview.collection.findOneAndUpdate(filter, update, { returnDocument: 'after', projection: viewProjection(raw.tail) });
    return after ? toCycleView(after) : null;
  });
}
