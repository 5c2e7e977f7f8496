import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { questionIdSchema } from '../../../../shared/ids.js';
import { interviewStatusSchema, turnStateSchema, type InterviewStatus, type TurnState } from '../../../../shared/interview.js';

/**
 * Filter fragments that state a write's precondition. Every value is validated
 * and wrapped in an explicit operator ($eq/$in), so a caller-supplied object can
 * never become a query operator.
 */

/** The turn a write expects to find. */
export interface TurnExpectation {
  state: TurnState | readonly TurnState[];
  /** The turn must be about this question. */
  questionId?: string;
  /** Only a turn whose lease is absent or expired at this instant (a takeover after a crashed generator). */
  leaseExpiredAt?: Date;
}

const turnExpectationSchema = z.strictObject({
  state: z.union([turnStateSchema, z.array(turnStateSchema).min(1)]),
  questionId: questionIdSchema.optional(),
  leaseExpiredAt: z.date().optional(),
});

export type Filter = Record<string, unknown>;

export function turnPrecondition(expect: TurnExpectation): Filter {
  const e = parseOrThrow(turnExpectationSchema, expect, 'turn precondition');
  const filter: Filter = {
    'turn.state': Array.isArray(e.state) ? { $in: e.state } : { $eq: e.state },
  };
  if (e.questionId !== undefined) filter['turn.questionId'] = { $eq: e.questionId };
  // $not/$gte also matches a missing leaseUntil: no lease is an expired lease.
  if (e.leaseExpiredAt !== undefined) filter['turn.leaseUntil'] = { $not: { $gte: e.leaseExpiredAt } };
  return filter;
}

/** True when the stored turn satisfies `expect` (used only to explain a rejection after the fact). */
export function turnMatches(
  turn: { state: TurnState; questionId?: string | undefined; leaseUntil?: Date | undefined },
  expect: TurnExpectation,
): boolean {
  const states: readonly TurnState[] = typeof expect.state === 'string' ? [expect.state] : expect.state;
  if (!states.includes(turn.state)) return false;
  if (expect.questionId !== undefined && turn.questionId !== expect.questionId) return false;
  if (expect.leaseExpiredAt !== undefined && turn.leaseUntil !== undefined && turn.leaseUntil >= expect.leaseExpiredAt) return false;
  return true;
}

const statusesSchema = z.array(interviewStatusSchema).min(1);

export function statusPrecondition(statuses: readonly InterviewStatus[]): Filter {
  return { status: { $in: parseOrThrow(statusesSchema, statuses, 'statuses') } };
}
