import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../../shared/ids.js';
import { FOCUS_SIGNALS_MAX, OPEN_STATUSES, focusSignalSchema, type FocusSignal } from '../../../../shared/interview.js';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';
import { statusPrecondition } from './preconditions.js';

/**
 * Appends focus signals with ONE update: `$push` + `$each` + `$slice: -FOCUS_SIGNALS_MAX`
 * keeps the newest ones, so no flood can grow the document. Only while the
 * interview is open (created, active, paused): afterwards nothing is recorded.
 */
export async function pushFocusSignals(ctx: RepoContext, clientSessionId: string, signals: FocusSignal[]): Promise<{ stored: boolean }> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const each = signals.map((s) => parseOrThrow(focusSignalSchema, s, 'focus signal'));
  if (each.length === 0) return { stored: false };
  return dbCall(async () => {
    const res = await ctx.models.Interview.updateOne(
      { clientSessionId: { $eq: id }, ...statusPrecondition(OPEN_STATUSES) },
      { $push: { focus: { $each: each, $slice: -FOCUS_SIGNALS_MAX } } },
      { runValidators: true },
    );
    return { stored: res.matchedCount === 1 };
  });
}
