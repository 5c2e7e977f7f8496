import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema } from '../../../../shared/ids.js';
import type { Interview, InterviewStatus, OutboxEntry } from '../../../../shared/interview.js';
import { webhookEventIdSchema, type WebhookEventType } from '../../../../shared/webhookEventTypes.js';
import { dbCall } from '../errors.js';
import type { InterviewRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toInterview } from './mappers.js';
import { AFTER } from './options.js';
import type { Filter } from './preconditions.js';

/**
 * The transactional outbox of outgoing webhooks (docs/webhooks-out.md). A state
 * change that causes an event pushes `{eventId, type, at, status}` onto the
 * session's `outbox` in the SAME update, so the event exists exactly when the
 * change does. The relay (server/src/webhooksOut/relay.ts) claims a document
 * with a lease, copies its entries into `webhook_deliveries` (idempotent by
 * eventId x endpoint) and pulls them. These writes never move `updatedAt`.
 */

/** The events a status transition causes, derived here so callers of transition() change nothing. */
export function eventsOfStatus(to: InterviewStatus): WebhookEventType[] {
  if (to === 'completed') return ['interview.completed'];
  if (to === 'abandoned') return ['interview.abandoned'];
  return [];
}

/** New outbox entries, each with a fresh event id (the `webhook-id` of every delivery of it). */
export function outboxEntries(types: readonly WebhookEventType[], at: Date, status?: InterviewStatus): OutboxEntry[] {
  return types.map((type) => ({ eventId: randomUUID(), type, at, ...(status ? { status } : {}) }));
}

/** The `$push` fragment that records `entries` with the update that causes them ({} when none). */
export function pushOutbox(entries: readonly OutboxEntry[]): Record<string, unknown> {
  return entries.length > 0 ? { $push: { outbox: { $each: entries } } } : {};
}

/** A document whose outbox is empty (or absent): the precondition of deleting it without losing an event. */
export const OUTBOX_EMPTY: Filter = { 'outbox.0': { $exists: false } };

const claimSchema = z.strictObject({
  leaseMs: z.number().int().positive(),
  clientSessionId: clientSessionIdSchema.optional(),
});

export interface OutboxClaim {
  session: Interview;
  /** The lease this claim holds; the release is conditional on it. */
  leaseUntil: Date;
}

/**
 * Takes the lease on one document with waiting events (or on the given session's),
 * oldest change first. Null when there is none, or every one is leased by another relay.
 */
export async function claimOutbox(ctx: RepoContext, raw: { leaseMs: number; clientSessionId?: string }): Promise<OutboxClaim | null> {
  const req = parseOrThrow(claimSchema, raw, 'outbox claim');
  const now = ctx.now();
  const leaseUntil = new Date(now.getTime() + req.leaseMs);
  const filter: Filter = {
    'outbox.at': { $exists: true },
    // $not/$gte also matches a missing lease.
    outboxLeaseUntil: { $not: { $gte: now } },
  };
  if (req.clientSessionId !== undefined) filter['clientSessionId'] = { $eq: req.clientSessionId };
  return dbCall(async () => {
    const doc = await ctx.models.Interview.findOneAndUpdate(filter, { $set: { outboxLeaseUntil: leaseUntil } }, { ...AFTER, timestamps: false, sort: { updatedAt: 1 } }).lean<InterviewRecord>();
    return doc ? { session: toInterview(doc), leaseUntil } : null;
  });
}

const releaseSchema = z.strictObject({
  clientSessionId: clientSessionIdSchema,
  eventIds: z.array(webhookEventIdSchema).max(1000),
  leaseUntil: z.date(),
  keepLease: z.boolean().optional(),
});

/**
 * The relayed entries leave the outbox, and the lease is given back when it is
 * still ours (unless `keepLease`: an entry failed, and the lease running out
 * spaces out the next try). Entries pushed meanwhile stay. Pulling twice is harmless.
 */
export async function releaseOutbox(ctx: RepoContext, raw: { clientSessionId: string; eventIds: string[]; leaseUntil: Date; keepLease?: boolean }): Promise<void> {
  const req = parseOrThrow(releaseSchema, raw, 'outbox release');
  const pull = { $pull: { outbox: { eventId: { $in: req.eventIds } } } };
  await dbCall(async () => {
    const mine = await ctx.models.Interview.updateOne(
      { clientSessionId: { $eq: req.clientSessionId }, outboxLeaseUntil: { $eq: req.leaseUntil } },
      req.keepLease ? pull : { ...pull, $unset: { outboxLeaseUntil: 1 } },
      { timestamps: false },
    );
    // The lease ran out and another relay holds it: still remove what we relayed, leave its lease alone.
    if (mine.matchedCount === 0 && req.eventIds.length > 0) {
      await ctx.models.Interview.updateOne({ clientSessionId: { $eq: req.clientSessionId } }, pull, { timestamps: false });
    }
  });
}

/** How many events wait in outboxes (metrics and tests). */
export async function countOutboxEvents(ctx: RepoContext): Promise<number> {
  return dbCall(async () => {
    const docs = await ctx.models.Interview.find({ 'outbox.at': { $exists: true } }, { outbox: 1 }).lean<Array<Pick<InterviewRecord, 'outbox'>>>();
    return docs.reduce((n, d) => n + (d.outbox?.length ?? 0), 0);
  });
}
