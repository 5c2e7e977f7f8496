import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { objectIdHexSchema } from '../../../../shared/ids.js';
import { interviewModeSchema, interviewStatusSchema, type InterviewSummary } from '../../../../shared/interview.js';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';
import { toInterviewSummary, type InterviewSummaryRecord } from './mappers.js';
import { sessionListFilter } from './sessions.js';

/** How many list rows the driver fetches per round trip while streaming. */
export const STREAM_BATCH_SIZE = 200;

const streamQuerySchema = z.strictObject({
  status: interviewStatusSchema.optional(),
  mode: interviewModeSchema.optional(),
  openingId: objectIdHexSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).optional(),
});
export type StreamSessionsQuery = z.infer<typeof streamQuerySchema>;

/**
 * Every list row matching the list's filters, newest first, read through ONE
 * database cursor in batches of STREAM_BATCH_SIZE: memory holds a batch, never
 * the whole set. The consumer pulls (backpressure); stopping early (`return`,
 * a client that went away) closes the cursor.
 */
export async function* streamSessionSummaries(ctx: RepoContext, raw: StreamSessionsQuery): AsyncGenerator<InterviewSummary> {
  const q = parseOrThrow(streamQuerySchema, raw, 'list query');
  const query = ctx.models.Interview.find(sessionListFilter(q), { messages: 0, transcript: 0, focus: 0, notes: 0, nudges: 0 }).sort({ createdAt: -1, _id: -1 });
  if (q.limit !== undefined) query.limit(q.limit);
  const cursor = query.lean<InterviewSummaryRecord[]>().cursor({ batchSize: STREAM_BATCH_SIZE });
  try {
    for (;;) {
      const doc = (await dbCall(() => cursor.next())) as InterviewSummaryRecord | null;
      if (!doc) return;
      yield toInterviewSummary(doc);
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
}
