import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import type { Document } from 'mongodb';
import { agentIdSchema, candidateIdSchema, clientSessionIdSchema, conversationIdSchema, messageIdSchema } from '../../../../shared/ids.js';
import { OPEN_STATUSES, linkedBySchema, type Interview, type InterviewStatus, type LinkedBy, type Message, type Turn } from '../../../../shared/interview.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';
import { statusPrecondition } from './preconditions.js';
import { casUpdate, type TransitionResult } from './sessions.js';

export type SetConversationIdResult =
  | { outcome: 'set'; session: Interview }
  /** Already this id: a repeated report, nothing changed. */
  | { outcome: 'already_set_same'; session: Interview }
  /** Another session (e.g. an orphaned webhook record) holds this id; the unique index refused it. */
  | { outcome: 'conflict_other_session'; otherClientSessionId: string | null }
  /** This session already has a different conversation id; it is never overwritten. */
  | { outcome: 'conflict_other_id'; session: Interview }
  | { outcome: 'not_found' };

/**
 * Sets voice.conversationId once: the filter requires it to be absent, and the
 * unique sparse index makes a second session with the same id impossible. The
 * index's E11000 is reported as an outcome, never thrown.
 */
export async function setConversationId(
  ctx: RepoContext,
  clientSessionId: string,
  conversationId: string,
  opts: { linkedBy?: LinkedBy } = {},
): Promise<SetConversationIdResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const cid = parseOrThrow(conversationIdSchema, conversationId, 'conversationId');
  const $set: Record<string, unknown> = { 'voice.conversationId': cid };
  if (opts.linkedBy !== undefined) {
    $set['voice.linkedBy'] = parseOrThrow(linkedBySchema, opts.linkedBy, 'linkedBy');
    $set['voice.linkedAt'] = ctx.now();
  }
  const Interview = ctx.models.Interview;
  return dbCall(async () => {
    try {
      const after = await Interview.findOneAndUpdate(
        { clientSessionId: { $eq: id }, 'voice.conversationId': { $exists: false } },
        { $set },
        AFTER,
      ).lean<InterviewRecord>();
      if (after) return { outcome: 'set', session: toInterview(after) };
    } catch (err) {
      if (!isDuplicateKeyOn(err, 'voice.conversationId')) throw err;
      const holder = await Interview.findOne({ 'voice.conversationId': { $eq: cid } }).lean<InterviewRecord>();
      if (holder?.clientSessionId === id) return { outcome: 'already_set_same', session: toInterview(holder) };
      return { outcome: 'conflict_other_session', otherClientSessionId: holder?.clientSessionId ?? null };
    }
    const current = await Interview.findOne({ clientSessionId: { $eq: id } }).lean<InterviewRecord>();
    if (!current) return { outcome: 'not_found' };
    const session = toInterview(current);
    return session.voice?.conversationId === cid
      ? { outcome: 'already_set_same', session }
      : { outcome: 'conflict_other_id', session };
  });
}

const voiceStartSchema = z.strictObject({
  agentId: agentIdSchema,
  userId: candidateIdSchema.optional(),
  startedAt: z.date(),
});
export type VoiceStart = z.infer<typeof voiceStartSchema>;

/**
 * Records when and with which agent/user a voice conversation started (what the
 * time-window link matches on). Once only, on an open voice session: a second
 * start (a reconnect) does not move startedAt.
 */
export async function recordVoiceStart(ctx: RepoContext, clientSessionId: string, raw: VoiceStart): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const v = parseOrThrow(voiceStartSchema, raw, 'voice start');
  const $set: Record<string, unknown> = { 'voice.agentId': v.agentId, 'voice.startedAt': v.startedAt };
  if (v.userId !== undefined) $set['voice.userId'] = v.userId;
  return casUpdate(
    ctx,
    id,
    {
      clientSessionId: { $eq: id },
      mode: { $eq: 'voice' },
      ...statusPrecondition(OPEN_STATUSES),
      'voice.startedAt': { $exists: false },
    },
    { $set },
  );
}

const windowQuerySchema = z.strictObject({
  userId: candidateIdSchema,
  agentId: agentIdSchema,
  /** The call's start (webhook metadata.start_time_unix_secs). */
  around: z.date(),
  windowMs: z.number().int().positive().max(24 * 3_600_000),
});
export type VoiceWindowQuery = z.infer<typeof windowQuerySchema>;

/**
 * Time-window link candidates: voice sessions of the same user + agent, with no
 * conversation id yet, whose voice started within `windowMs` of `around`.
 * Returns at most 2 — the caller links only when there is exactly one.
 */
export async function findVoiceLinkCandidates(ctx: RepoContext, raw: VoiceWindowQuery): Promise<Interview[]> {
  const q = parseOrThrow(windowQuerySchema, raw, 'voice window');
  const from = new Date(q.around.getTime() - q.windowMs);
  const to = new Date(q.around.getTime() + q.windowMs);
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({
      'voice.userId': { $eq: q.userId },
      'voice.agentId': { $eq: q.agentId },
      'voice.startedAt': { $gte: from, $lte: to },
      'voice.conversationId': { $exists: false },
      mode: { $eq: 'voice' },
    })
      .sort({ 'voice.startedAt': 1 })
      .limit(2)
      .lean<InterviewRecord[]>();
    return docs.map(toInterview);
  });
}

/**
 * What the voice Custom LLM decides one request on (voice/customLlm.ts), read with a
 * projection: the turn, the first and the latest question, and the answer stored under the
 * request's message id with the question after it — never the transcript.
 */
export interface VoiceTurnState {
  clientSessionId: string;
  mode: Interview['mode'];
  status: InterviewStatus;
  endedBy?: Interview['endedBy'];
  turn: Turn;
  voice?: Pick<NonNullable<Interview['voice']>, 'startedAt' | 'conversationId'>;
  /** Questions the plan has asked. */
  asked: number;
  firstQuestion?: Message;
  latestQuestion?: Message;
  /** The message stored under the request's id, whether it is the transcript's last, and the first question after it. */
  answer?: { message: Message; last: boolean; nextQuestion?: Message };
}

const questionsOf = (input: unknown): Document => ({ $filter: { input, as: 'm', cond: { $eq: ['$$m.role', 'interviewer'] } } });

function voiceTurnProjection(messageId: string): Document {
  return {
    _id: 0,
    clientSessionId: 1,
    mode: 1,
    status: 1,
    endedBy: 1,
    turn: 1,
    'voice.startedAt': 1,
    'voice.conversationId': 1,
    asked: { $size: { $ifNull: ['$plan.asked', []] } },
    questions: { $let: { vars: { q: questionsOf('$messages') }, in: { first: { $arrayElemAt: ['$$q', 0] }, latest: { $arrayElemAt: ['$$q', -1] } } } },
    answer: {
      $let: {
        vars: { i: { $indexOfArray: ['$messages.id', messageId] }, n: { $size: '$messages' } },
        in: {
          $cond: [
            { $lt: ['$$i', 0] },
            null,
            {
              message: { $arrayElemAt: ['$messages', '$$i'] },
              last: { $eq: ['$$i', { $subtract: ['$$n', 1] }] },
              nextQuestion: { $arrayElemAt: [questionsOf({ $slice: ['$messages', { $add: ['$$i', 1] }, { $max: [1, '$$n'] }] }), 0] },
            },
          ],
        },
      },
    },
  };
}

/** The projection's reply: an element past an array's end is missing in MongoDB, null or missing here. */
type VoiceTurnRecord = Omit<VoiceTurnState, 'firstQuestion' | 'latestQuestion' | 'answer'> & {
  questions: { first?: Message | null; latest?: Message | null };
  answer: { message: Message; last: boolean; nextQuestion?: Message | null } | null;
};

/** One projected read of a voice turn's state (see VoiceTurnState); null when there is no such session. */
export async function readVoiceTurn(ctx: RepoContext, clientSessionId: string, messageId: string): Promise<VoiceTurnState | null> {
  if (!clientSessionIdSchema.safeParse(clientSessionId).success) return null;
  const mid = parseOrThrow(messageIdSchema, messageId, 'messageId');
  return dbCall(async () => {
    const doc = await ctx.models.Interview.collection.findOne({ clientSessionId: { $eq: clientSessionId } }, { projection: voiceTurnProjection(mid) });
    if (!doc) return null;
    const { questions, answer, ...rest } = doc as unknown as VoiceTurnRecord;
    return {
      ...rest,
      ...(questions.first ? { firstQuestion: questions.first } : {}),
      ...(questions.latest ? { latestQuestion: questions.latest } : {}),
      ...(answer ? { answer: { message: answer.message, last: answer.last, ...(answer.nextQuestion ? { nextQuestion: answer.nextQuestion } : {}) } } : {}),
    };
  });
}
