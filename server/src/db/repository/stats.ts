import { parseOrThrow } from '../../../../shared/errors.js';
import { interviewModeSchema, interviewStatusSchema, linkedBySchema } from '../../../../shared/interview.js';
import { statsQuerySchema, type StatsQuery, type StatsResponse } from '../../../../shared/stats.js';
import type { PipelineStage } from 'mongoose';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';
import type { Filter } from './preconditions.js';

/** Aggregations scan many documents: allow them longer than a single write (DB_OPERATION_DEADLINE_MS). */
const STATS_DEADLINE_MS = 30_000;

/** Not linked, and more than one session could own the conversation (shared/interview.ts voice.candidates). */
const AMBIGUOUS = { 'voice.linkedBy': { $exists: false }, 'voice.candidates.1': { $exists: true } };

interface Counted<K> {
  _id: K;
  n: number;
}

/**
 * Dashboard numbers (GET /api/stats): four small aggregations and one count,
 * run in parallel. Each starts with the same `$match` on (openingId, createdAt)
 * — served by the {openingId, createdAt} and {createdAt} indexes on MongoDB, and
 * applied without copying on the embedded store — narrowed by an equality
 * (status/mode) where it can be, then ONE `$group` on plain fields. Only
 * operators MongoDB and mingo (the embedded store) implement alike are used; no
 * `$facet` (mingo deep-copies its input once per facet) and no `$median` (mingo
 * sorts numbers as strings): the median comes from a per-second histogram,
 * exact to the second with bounded memory.
 */
export async function sessionStats(ctx: RepoContext, raw: StatsQuery): Promise<Omit<StatsResponse, 'computedAt' | 'tookMs'>> {
  const q = parseOrThrow(statsQuerySchema, raw, 'stats query');
  const base: Filter = {};
  if (q.openingId !== undefined) base['openingId'] = { $eq: q.openingId };
  if (q.from !== undefined || q.to !== undefined) {
    const range: Record<string, Date> = {};
    if (q.from !== undefined) range['$gte'] = new Date(q.from);
    if (q.to !== undefined) range['$lt'] = new Date(q.to);
    base['createdAt'] = range;
  }
  const { Interview } = ctx.models;
  const run = <T>(pipeline: PipelineStage[]) => Interview.aggregate<T>(pipeline).exec();
  const [statusMode, durationRows, scoreRows, voiceRows, ambiguousCount] = await dbCall(
    () =>
      Promise.all([
        run<Counted<{ s?: string; m?: string }>>([{ $match: base }, { $group: { _id: { s: '$status', m: '$mode' }, n: { $sum: 1 } } }]),
        run<Counted<number>>([
          { $match: { ...base, status: { $eq: 'completed' }, startedAt: { $type: 'date' }, endedAt: { $type: 'date' } } },
          { $group: { _id: { $floor: { $divide: [{ $subtract: ['$endedAt', '$startedAt'] }, 1000] } }, n: { $sum: 1 } } },
        ]),
        run<Counted<number>>([
          { $match: { ...base, status: { $eq: 'completed' }, 'evaluation.status': { $eq: 'complete' }, 'evaluation.result.overall': { $type: 'number' } } },
          { $group: { _id: { $floor: '$evaluation.result.overall' }, n: { $sum: 1 } } },
        ]),
        run<Counted<{ l?: string | null; s?: string }>>([
          // Ambiguous links (counted below) are left out here, so they are not also pending or missing.
          { $match: { ...base, mode: { $eq: 'voice' }, $nor: [AMBIGUOUS] } },
          { $group: { _id: { l: '$voice.linkedBy', s: '$status' }, n: { $sum: 1 } } },
        ]),
        Interview.countDocuments({ ...base, mode: { $eq: 'voice' }, status: { $ne: 'orphaned' }, ...AMBIGUOUS }).exec(),
      ]),
    STATS_DEADLINE_MS,
  );

  const byStatus = Object.fromEntries(interviewStatusSchema.options.map((s) => [s, 0])) as StatsResponse['byStatus'];
  const byMode = Object.fromEntries(interviewModeSchema.options.map((m) => [m, 0])) as StatsResponse['byMode'];
  for (const { _id: k, n } of statusMode) {
    if (k.s !== undefined && k.s in byStatus) byStatus[k.s as keyof typeof byStatus] += n;
    if (k.s !== 'orphaned' && k.m !== undefined && k.m in byMode) byMode[k.m as keyof typeof byMode] += n;
  }
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const candidates = total - byStatus.orphaned;

  const durations = durationRows.filter((d) => Number.isFinite(d._id) && d._id >= 0).sort((a, b) => a._id - b._id);
  const durationSamples = durations.reduce((a, d) => a + d.n, 0);

  const scoreDistribution = Array.from({ length: 10 }, (_, i) => ({ from: i, to: i + 1, count: 0 }));
  let scoredSessions = 0;
  for (const { _id: floor, n } of scoreRows) {
    const bucket = scoreDistribution[Math.max(0, Math.min(9, floor))];
    if (!bucket) continue;
    bucket.count += n; // a 10 falls in the last bucket, [9, 10]
    scoredSessions += n;
  }

  const byLinkedBy = Object.fromEntries(linkedBySchema.options.map((l) => [l, 0])) as StatsResponse['voice']['byLinkedBy'];
  const voice = { sessions: ambiguousCount, byLinkedBy, orphans: 0, pending: 0, ambiguous: ambiguousCount, missing: 0 };
  for (const { _id: k, n } of voiceRows) {
    if (k.s === 'orphaned') {
      voice.orphans += n;
      continue;
    }
    voice.sessions += n;
    const linkedBy = k.l ?? null;
    if (linkedBy !== null && linkedBy in byLinkedBy) byLinkedBy[linkedBy as keyof typeof byLinkedBy] += n;
    else if (k.s === 'ended_pending_webhook') voice.pending += n;
    else if (k.s === 'abandoned') voice.missing += n;
  }

  return {
    filter: { openingId: q.openingId ?? null, from: q.from ?? null, to: q.to ?? null },
    total,
    byStatus,
    byMode,
    completionRate: candidates > 0 ? round4(byStatus.completed / candidates) : null,
    medianDurationSecs: medianOfHistogram(durations, durationSamples),
    durationSamples,
    scoreDistribution,
    scoredSessions,
    voice,
  };
}

/** The median of a sorted (value, count) histogram: the middle value, or the mean of the two middle ones. */
export function medianOfHistogram(sorted: ReadonlyArray<{ _id: number; n: number }>, total: number): number | null {
  if (total === 0) return null;
  const valueAt = (rank: number): number => {
    let seen = 0;
    for (const { _id, n } of sorted) {
      seen += n;
      if (rank < seen) return _id;
    }
    return sorted[sorted.length - 1]?._id ?? 0;
  };
  return total % 2 === 1 ? valueAt((total - 1) / 2) : (valueAt(total / 2 - 1) + valueAt(total / 2)) / 2;
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
