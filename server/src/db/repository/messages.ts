import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../../shared/ids.js';
import { messageSchema, turnSchema, type Interview, type InterviewStatus, type Message, type Turn } from '../../../../shared/interview.js';
import { nudgeIdSchema } from '../../../../shared/nudges.js';
import { dbCall } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';
import { statusPrecondition, turnMatches, turnPrecondition, type Filter, type TurnExpectation } from './preconditions.js';
import { usedUpdate } from './steering.js';

const nudgeUseSchema = z.strictObject({ ids: z.array(nudgeIdSchema).min(1).max(100), questionNumber: z.number().int().min(1) });

/**
 * AFTER without mongoose's `runValidators`: the pushed message and the turn were parsed with
 * their zod schemas just above (the same rules the mongoose schema mirrors), so validating
 * them again on the hot path of every answer costs CPU and checks nothing new
 * (docs/performance.md).
 */
const APPEND = { ...AFTER, runValidators: false } as const;

export interface AppendOptions {
  /** The session must be in one of these statuses. */
  allowedStatuses: readonly InterviewStatus[];
  /** Turn compare-and-set done in the same update (e.g. awaiting_answer -> generating). */
  turn?: { expect: TurnExpectation; set: Turn };
  /**
   * Voice: the recruiter nudges this agent line honours (they were pending when it arrived),
   * marked `used` by it — with its id and question number — in the same update.
   */
  nudges?: { ids: string[]; questionNumber: number };
}

export type AppendRejection = 'not_found' | 'status' | 'turn_state';

export type AppendResult =
  /** `seq` is the message's 1-based position in the transcript. */
  | { outcome: 'stored'; session: Interview; message: Message; seq: number }
  /** The id was already stored (a retry): nothing was appended; this is the stored message and its seq. */
  | { outcome: 'duplicate'; session: Interview; message: Message; seq: number }
  | { outcome: 'rejected'; reason: AppendRejection; session: Interview | null };

/**
 * Appends one message with ONE findOneAndUpdate whose filter states every
 * precondition (session, status, absence of the id, turn) and `$push`es.
 * When it matches nothing, ONE read classifies why. Messages are never removed,
 * so a message's index in the array is its permanent seq: for the stored case
 * it is read from the document returned by the same atomic update.
 */
export async function appendMessage(
  ctx: RepoContext,
  clientSessionId: string,
  rawMessage: unknown,
  opts: AppendOptions,
): Promise<AppendResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const message = parseOrThrow(messageSchema, rawMessage, 'message');
  const nextTurn = opts.turn ? parseOrThrow(turnSchema, opts.turn.set, 'turn') : undefined;
  const filter: Filter = {
    clientSessionId: { $eq: id },
    ...statusPrecondition(opts.allowedStatuses),
    'messages.id': { $ne: message.id },
    ...(opts.turn ? turnPrecondition(opts.turn.expect) : {}),
  };
  const update: Record<string, unknown> = { $push: { messages: message } };
  const nudges = opts.nudges && opts.nudges.ids.length > 0 ? parseOrThrow(nudgeUseSchema, opts.nudges, 'nudges') : undefined;
  const used = nudges ? usedUpdate(nudges.ids, { id: message.id, number: nudges.questionNumber, at: message.at }) : undefined;
  const set: Record<string, unknown> = { ...(nextTurn ? { turn: nextTurn } : {}), ...used?.$set };
  if (Object.keys(set).length > 0) update['$set'] = set;
  const options = used ? { ...APPEND, arrayFilters: used.arrayFilters } : APPEND;

  return dbCall(async () => {
    const after = await ctx.models.Interview.findOneAndUpdate(filter, update, options).lean<InterviewRecord>();
    if (after) {
      const session = toInterview(after);
      const found = locate(session, message.id);
      if (!found) throw new Error('appended message missing from the updated document');
      return { outcome: 'stored', session, ...found };
    }
    const current = await ctx.models.Interview.findOne({ clientSessionId: { $eq: id } }).lean<InterviewRecord>();
    if (!current) return { outcome: 'rejected', reason: 'not_found', session: null };
    const session = toInterview(current);
    const stored = locate(session, message.id);
    // A retry gets the identical ack even if the session moved on since.
    if (stored) return { outcome: 'duplicate', session, ...stored };
    if (!opts.allowedStatuses.includes(session.status)) return { outcome: 'rejected', reason: 'status', session };
    if (opts.turn && !turnMatches(session.turn, opts.turn.expect)) return { outcome: 'rejected', reason: 'turn_state', session };
    // The state changed and changed back between the update and this read: report what failed then.
    return { outcome: 'rejected', reason: opts.turn ? 'turn_state' : 'status', session };
  });
}

function locate(session: Interview, messageId: string): { message: Message; seq: number } | undefined {
  const index = session.messages.findIndex((m) => m.id === messageId);
  const message = session.messages[index];
  return message ? { message, seq: index + 1 } : undefined;
}
