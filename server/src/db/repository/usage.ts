import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../../shared/ids.js';
import { usageEntrySchema, type Interview } from '../../../../shared/interview.js';
import { dbCall } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';

const usageDeltaSchema = usageEntrySchema.omit({ calls: true }).strict();
export type UsageDelta = z.infer<typeof usageDeltaSchema>;

/**
 * Adds one LLM call's tokens and cost to the session's entry for that model.
 * Two atomic shapes, each with its precondition: `$inc` the existing entry
 * (filter: an entry for the model exists), else `$push` a new one (filter: none
 * exists). A concurrent first call for the same model makes the push miss; the
 * next round then increments. Null when the session does not exist.
 */
export async function addUsage(ctx: RepoContext, clientSessionId: string, raw: UsageDelta): Promise<Interview | null> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  const d = parseOrThrow(usageDeltaSchema, raw, 'usage');
  const Interview = ctx.models.Interview;
  return dbCall(async () => {
    for (let round = 0; round < 3; round++) {
      const incremented = await Interview.findOneAndUpdate(
        { clientSessionId: { $eq: id }, usage: { $elemMatch: { model: { $eq: d.model } } } },
        {
          $inc: {
            'usage.$.calls': 1,
            'usage.$.inputTokens': d.inputTokens,
            'usage.$.outputTokens': d.outputTokens,
            'usage.$.costUsd': d.costUsd,
          },
        },
        AFTER,
      ).lean<InterviewRecord>();
      if (incremented) return toInterview(incremented);
      const pushed = await Interview.findOneAndUpdate(
        { clientSessionId: { $eq: id }, 'usage.model': { $ne: d.model } },
        { $push: { usage: { ...d, calls: 1 } } },
        AFTER,
      ).lean<InterviewRecord>();
      if (pushed) return toInterview(pushed);
      const exists = await Interview.exists({ clientSessionId: { $eq: id } });
      if (!exists) return null;
    }
    throw new Error('addUsage: no progress after 3 rounds');
  });
}
