import { z } from 'zod';
import { objectIdHexSchema } from './ids.js';
import { interviewModeSchema, interviewStatusSchema, linkedBySchema } from './interview.js';

/** GET /api/stats (recruiter) — dashboard numbers, computed by aggregation pipelines (docs/openings.md). */
export const statsQuerySchema = z
  .strictObject({
    openingId: objectIdHexSchema.optional(),
    /** Inclusive lower bound on createdAt, ISO. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Exclusive upper bound on createdAt, ISO. */
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: 'from must be before to',
    path: ['from'],
  });
export type StatsQuery = z.infer<typeof statsQuerySchema>;

const count = z.number().int().min(0);

export const statsResponseSchema = z.object({
  filter: z.object({ openingId: z.string().nullable(), from: z.string().nullable(), to: z.string().nullable() }),
  /** Every session matching the filter, orphaned webhook records included. */
  total: count,
  /** Every status and mode is present (0 when none). */
  byStatus: z.record(interviewStatusSchema, count),
  byMode: z.record(interviewModeSchema, count),
  /** completed / (total - orphaned); null when there is no candidate session. */
  completionRate: z.number().min(0).max(1).nullable(),
  /** Median of endedAt - startedAt over completed sessions, whole seconds; null when none. */
  medianDurationSecs: z.number().min(0).nullable(),
  /** Sessions the median is computed over. */
  durationSamples: count,
  /** evaluation.result.overall of complete evaluations in 10 buckets [0,1) … [9,10] (10 falls in the last). */
  scoreDistribution: z.array(z.object({ from: z.number(), to: z.number(), count })),
  scoredSessions: count,
  voice: z.object({
    /** Voice sessions (orphans excluded). */
    sessions: count,
    /** Linked conversations by how they were linked (fallback = orphan records, see `orphans`). */
    byLinkedBy: z.record(linkedBySchema, count),
    /** Webhook-only records nobody has claimed yet. */
    orphans: count,
    /** Ended, transcript not linked yet. */
    pending: count,
    /** The link was ambiguous: candidates recorded, not linked. */
    ambiguous: count,
    /** The reconciler gave up (abandoned with no transcript) or the session timed out before linking. */
    missing: count,
  }),
  /** Server time the numbers were computed at. */
  computedAt: z.string(),
  tookMs: z.number(),
});
export type StatsResponse = z.infer<typeof statsResponseSchema>;
