import { z } from 'zod';
import { parseOrThrow } from '../../../../shared/errors.js';
import { objectIdHexSchema } from '../../../../shared/ids.js';
import {
  storeWebhookEventInputSchema,
  webhookOutcomeSchema,
  type StoreWebhookEventInput,
  type WebhookEvent,
  type WebhookOutcome,
} from '../../../../shared/webhook.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { WebhookEventRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { toWebhookEvent } from './mappers.js';

export type StoreWebhookResult = { stored: true; event: WebhookEvent } | { stored: false; duplicate: true };

/**
 * Stores a verified webhook before anything processes it: one insert, and the
 * unique dedupeKey turns a redelivery into E11000, reported as a duplicate.
 */
export async function storeWebhookEvent(ctx: RepoContext, raw: StoreWebhookEventInput): Promise<StoreWebhookResult> {
  const input = parseOrThrow(storeWebhookEventInputSchema.strict(), raw, 'webhook event');
  return dbCall(async () => {
    try {
      // insertOne of a brand-new document: nobody else can hold it, so this is a plain atomic insert.
      const doc = await ctx.models.WebhookEvent.insertOne(input);
      return { stored: true, event: toWebhookEvent(doc.toObject<WebhookEventRecord>()) };
    } catch (err) {
      if (isDuplicateKeyOn(err, 'dedupeKey')) return { stored: false, duplicate: true };
      throw err;
    }
  });
}

/** Records the outcome once: a second mark (another worker, a replay) does not overwrite it. */
export async function markWebhookProcessed(ctx: RepoContext, id: string, outcome: WebhookOutcome): Promise<{ won: boolean }> {
  const eventId = parseOrThrow(objectIdHexSchema, id, 'webhook event id');
  const o = parseOrThrow(webhookOutcomeSchema, outcome, 'webhook outcome');
  return dbCall(async () => {
    const res = await ctx.models.WebhookEvent.updateOne(
      { _id: { $eq: eventId }, processedAt: { $exists: false } },
      { $set: { processedAt: ctx.now(), outcome: o } },
      { runValidators: true },
    );
    return { won: res.modifiedCount === 1 };
  });
}

const unprocessedSchema = z.strictObject({ limit: z.number().int().min(1).max(1000).optional() });

/** Stored but never marked processed (a crash mid-processing), oldest first. */
export async function findUnprocessedWebhookEvents(ctx: RepoContext, opts: { limit?: number } = {}): Promise<WebhookEvent[]> {
  const { limit = 100 } = parseOrThrow(unprocessedSchema, opts, 'query');
  return dbCall(async () => {
    const docs = await ctx.models.WebhookEvent.find({ processedAt: { $exists: false } })
      .sort({ receivedAt: 1, _id: 1 })
      .limit(limit)
      .lean<WebhookEventRecord[]>();
    return docs.map(toWebhookEvent);
  });
}
