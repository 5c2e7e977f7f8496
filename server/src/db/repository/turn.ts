import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../../shared/ids.js';
import { turnSchema, type InterviewStatus, type Turn } from '../../../../shared/interview.js';
import type { RepoContext } from './context.js';
import { statusPrecondition, turnPrecondition, type Filter, type TurnExpectation } from './preconditions.js';
import { casUpdate, type TransitionResult } from './sessions.js';

export interface SetTurnRequest {
  expect: TurnExpectation;
  /** The whole new turn (fields not given are removed, e.g. the old lease). */
  set: Turn;
  /** Default: the session must be active. */
  statuses?: readonly InterviewStatus[];
}

/**
 * Compare-and-set on the turn: only the caller whose expectation (state,
 * questionId, expired lease) holds gets to write the new turn and lease.
 */
export async function setTurn(ctx: RepoContext, clientSessionId: string, req: SetTurnRequest): Promise<TransitionResult> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const turn = parseOrThrow(turnSchema, req.set, 'turn');
  const filter: Filter = {
    clientSessionId: { $eq: id },
    ...statusPrecondition(req.statuses ?? ['active']),
    ...turnPrecondition(req.expect),
  };
  return casUpdate(ctx, id, filter, { $set: { turn } });
}

