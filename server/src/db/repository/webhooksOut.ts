import { z } from 'zod';
import { AppError, parseOrThrow } from '../../../../shared/errors.js';
import { clientSessionIdSchema, objectIdHexSchema } from '../../../../shared/ids.js';
import {
  DELIVERY_ATTEMPTS_KEPT,
  deliveryAttemptSchema,
  deliveryFailureSchema,
  deliveryStateSchema,
  webhookDeliverySchema,
  webhookEventTypeSchema,
  webhookSecretSchema,
  webhookUrlSchema,
  type DeliveryAttempt,
  type DeliveryState,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from '../../../../shared/webhooksOut.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { AFTER } from './options.js';
import { claimOutbox, countOutboxEvents, releaseOutbox, type OutboxClaim } from './outbox.js';
import type { Filter } from './preconditions.js';

/**
 * Endpoints and deliveries of outgoing webhooks (docs/webhooks-out.md). Every
 * write is one atomic operation whose filter states its precondition; leases
 * (`leaseUntil` + `leaseOwner`) make each delivery attempted by one node at a time.
 */

function toEndpoint(record: WebhookEndpointRecord): WebhookEndpoint {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}

function toDelivery(record: WebhookDeliveryRecord): WebhookDelivery {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest };
}

const cursorSchema = z.tuple([z.number().int().nonnegative(), objectIdHexSchema]);

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.getTime(), id])).toString('base64url');
}

function cursorFilter(cursor: string | undefined): Filter {
  if (cursor === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('VALIDATION', 'Invalid cursor', { details: [{ path: 'cursor', message: 'malformed' }] });
  }
  const [ms, id] = parseOrThrow(cursorSchema, parsed, 'cursor');
  const at = new Date(ms);
  return { $or: [{ createdAt: { $lt: at } }, { createdAt: { $eq: at }, _id: { $lt: id } }] };
}

// ---- endpoints ---------------------------------------------------------------

const newEndpointSchema = z.strictObject({
  url: webhookUrlSchema,
  events: z.array(webhookEventTypeSchema).min(1).max(5),
  openingId: objectIdHexSchema.optional(),
  enabled: z.boolean(),
  secret: webhookSecretSchema,
});

/** A brand-new document: one insert. */
export async function createEndpoint(ctx: RepoContext, raw: z.infer<typeof newEndpointSchema>): Promise<WebhookEndpoint> {
  const e = parseOrThrow(newEndpointSchema, raw, 'webhook endpoint');
  const now = ctx.now();
  const doc: Omit<WebhookEndpointRecord, '_id'> = {
    url: e.url,
    events: e.events,
    ...(e.openingId !== undefined ? { openingId: e.openingId } : {}),
    enabled: e.enabled,
    ...(e.enabled ? {} : { disabledReason: 'manual' as const, disabledAt: now }),
    secrets: [{ value: e.secret, createdAt: now }],
    createdAt: now,
    updatedAt: now,
  };
  return dbCall(async () => {
    const created = await ctx.models.WebhookEndpoint.insertOne(doc);
    return toEndpoint(created.toObject<WebhookEndpointRecord>());
  });
}

export async function findEndpoint(ctx: RepoContext, id: string): Promise<WebhookEndpoint | null> {
  if (!objectIdHexSchema.safeParse(id).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.WebhookEndpoint.findOne({ _id: { $eq: id } }).lean<WebhookEndpointRecord>();
    return doc ? toEndpoint(doc) : null;
  });
}

const listSchema = z.strictObject({ cursor: z.string().max(200).optional(), limit: z.number().int().min(1).max(100) });

export async function listEndpoints(ctx: RepoContext, raw: { cursor?: string; limit: number }): Promise<{ items: WebhookEndpoint[]; nextCursor: string | null }> {
  const q = parseOrThrow(listSchema, raw, 'list query');
  const filter = cursorFilter(q.cursor);
  return dbCall(async () => {
    const docs = await ctx.models.WebhookEndpoint.find(filter).sort({ createdAt: -1, _id: -1 }).limit(q.limit + 1).lean<WebhookEndpointRecord[]>();
    const page = docs.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(toEndpoint), nextCursor: docs.length > q.limit && last ? encodeCursor(last.createdAt, last._id.toHexString()) : null };
  });
}

/** Every enabled endpoint subscribed to `type` (the relay filters by opening itself). */
export async function findEndpointsFor(ctx: RepoContext, type: WebhookEventType): Promise<WebhookEndpoint[]> {
  const t = parseOrThrow(webhookEventTypeSchema, type, 'event type');
  return dbCall(async () => {
    const docs = await ctx.models.WebhookEndpoint.find({ enabled: { $eq: true }, events: { $eq: t } }).limit(1000).lean<WebhookEndpointRecord[]>();
    return docs.map(toEndpoint);
  });
}

const updateSchema = z.strictObject({
  url: webhookUrlSchema.optional(),
  events: z.array(webhookEventTypeSchema).min(1).max(5).optional(),
  openingId: objectIdHexSchema.nullable().optional(),
  enabled: z.boolean().optional(),
});

/** One update of the given fields; enabling clears the disable (manual or a 410), disabling records it. Null when unknown. */
export async function updateEndpoint(ctx: RepoContext, id: string, raw: z.infer<typeof updateSchema>): Promise<WebhookEndpoint | null> {
  if (!objectIdHexSchema.safeParse(id).success) return null;
  const u = parseOrThrow(updateSchema, raw, 'webhook endpoint update');
  const now = ctx.now();
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  if (u.url !== undefined) $set['url'] = u.url;
  if (u.events !== undefined) $set['events'] = u.events;
  if (u.openingId === null) $unset['openingId'] = 1;
  else if (u.openingId !== undefined) $set['openingId'] = u.openingId;
  if (u.enabled === true) {
    $set['enabled'] = true;
    $unset['disabledReason'] = 1;
    $unset['disabledAt'] = 1;
  } else if (u.enabled === false) {
    $set['enabled'] = false;
    $set['disabledReason'] = 'manual';
    $set['disabledAt'] = now;
  }
  return dbCall(async () => {
    const doc = await ctx.models.WebhookEndpoint.findOneAndUpdate(
      { _id: { $eq: id } },
      { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) },
      AFTER,
    ).lean<WebhookEndpointRecord>();
    return doc ? toEndpoint(doc) : null;
  });
}

/**
 * Rotation: the new secret is appended and only the last two are kept, in one
 * `$push` (no read). The new entry says until when the one before it still signs.
 */
export async function rotateEndpointSecret(ctx: RepoContext, id: string, raw: { secret: string; previousValidUntil: Date }): Promise<WebhookEndpoint | null> {
  if (!objectIdHexSchema.safeParse(id).success) return null;
  const r = parseOrThrow(z.strictObject({ secret: webhookSecretSchema, previousValidUntil: z.date() }), raw, 'rotation');
  const entry = { value: r.secret, createdAt: ctx.now(), previousValidUntil: r.previousValidUntil };
  return dbCall(async () => {
    const doc = await ctx.models.WebhookEndpoint.findOneAndUpdate({ _id: { $eq: id } }, { $push: { secrets: { $each: [entry], $slice: -2 } } }, AFTER).lean<WebhookEndpointRecord>();
    return doc ? toEndpoint(doc) : null;
  });
}

/** A 410 from the receiver: the endpoint is disabled until a recruiter enables it again. */
export async function markEndpointGone(ctx: RepoContext, id: string): Promise<{ won: boolean }> {
  const endpointId = parseOrThrow(objectIdHexSchema, id, 'endpoint id');
  return dbCall(async () => {
    const res = await ctx.models.WebhookEndpoint.updateOne(
      { _id: { $eq: endpointId }, enabled: { $eq: true } },
      { $set: { enabled: false, disabledReason: 'gone', disabledAt: ctx.now() } },
    );
    return { won: res.modifiedCount === 1 };
  });
}

/** Deletes the endpoint, then its delivery log (a dispatcher that meets an orphaned delivery drops it too). */
export async function deleteEndpoint(ctx: RepoContext, id: string): Promise<{ deleted: boolean }> {
  if (!objectIdHexSchema.safeParse(id).success) return { deleted: false };
  return dbCall(async () => {
    const res = await ctx.models.WebhookEndpoint.deleteOne({ _id: { $eq: id } });
    await ctx.models.WebhookDelivery.deleteMany({ endpointId: { $eq: id } });
    return { deleted: res.deletedCount === 1 };
  });
}

// ---- deliveries --------------------------------------------------------------

const newDeliverySchema = webhookDeliverySchema.pick({ eventId: true, endpointId: true, type: true, clientSessionId: true, sessionId: true, payload: true, retryUntil: true });
export type NewDelivery = z.infer<typeof newDeliverySchema>;

/**
 * Idempotent: an upsert keyed by the unique (eventId, endpointId), whose
 * `$setOnInsert` is the whole new document. A repeat (a relay that crashed
 * before pulling the entry) matches and changes nothing.
 */
export async function ensureDelivery(ctx: RepoContext, raw: NewDelivery): Promise<{ created: boolean }> {
  const d = parseOrThrow(newDeliverySchema.strict(), raw, 'delivery');
  const now = ctx.now();
  const fresh: Omit<WebhookDeliveryRecord, '_id'> = {
    ...d,
    state: 'pending',
    attempts: [],
    attemptCount: 0,
    nextAttemptAt: now,
    replays: 0,
    createdAt: now,
    updatedAt: now,
  };
  const filter = { eventId: { $eq: d.eventId }, endpointId: { $eq: d.endpointId } };
  return dbCall(async () => {
    try {
      const res = await ctx.models.WebhookDelivery.updateOne(filter, { $setOnInsert: fresh }, { upsert: true, timestamps: false });
      return { created: res.upsertedCount === 1 };
    } catch (err) {
      // Two relays inserting the same pair at once: the loser's E11000 means it exists.
      if (isDuplicateKeyOn(err, 'eventId')) return { created: false };
      throw err;
    }
  });
}

export interface DeliveryClaim {
  /** The delivery as it was before this claim (its `inflight` tells of an attempt a dead node left). */
  before: WebhookDelivery;
  leaseUntil: Date;
}

const claimSchema = z.strictObject({ owner: z.string().min(1).max(128), leaseMs: z.number().int().positive() });

/**
 * A due pending delivery nobody holds (or whose holder's lease ran out) gets
 * this node's lease and an `inflight` marker, in one update. Returns the
 * document as it was before, so the claimer sees an attempt a dead node left.
 */
export async function claimDelivery(ctx: RepoContext, raw: { owner: string; leaseMs: number }): Promise<DeliveryClaim | null> {
  const c = parseOrThrow(claimSchema, raw, 'delivery claim');
  const now = ctx.now();
  const leaseUntil = new Date(now.getTime() + c.leaseMs);
  return dbCall(async () => {
    const before = await ctx.models.WebhookDelivery.findOneAndUpdate(
      { state: { $eq: 'pending' }, nextAttemptAt: { $lte: now }, leaseUntil: { $not: { $gte: now } } },
      { $set: { leaseUntil, leaseOwner: c.owner, inflight: { at: now, node: c.owner } } },
      { returnDocument: 'before', lean: true, runValidators: true, sort: { nextAttemptAt: 1 } },
    ).lean<WebhookDeliveryRecord>();
    return before ? { before: toDelivery(before), leaseUntil } : null;
  });
}

const attemptsSchema = z.array(deliveryAttemptSchema.strict()).max(10);

/** Records an attempt a node did not live to finish, under the current holder's lease. */
export async function recordInterruptedAttempt(ctx: RepoContext, id: string, owner: string, attempt: DeliveryAttempt): Promise<{ won: boolean }> {
  const deliveryId = parseOrThrow(objectIdHexSchema, id, 'delivery id');
  const [a] = parseOrThrow(attemptsSchema, [attempt], 'attempt');
  return dbCall(async () => {
    const res = await ctx.models.WebhookDelivery.updateOne(
      { _id: { $eq: deliveryId }, leaseOwner: { $eq: owner } },
      { $push: { attempts: { $each: [a], $slice: -DELIVERY_ATTEMPTS_KEPT } }, $inc: { attemptCount: 1 } },
      { runValidators: true },
    );
    return { won: res.modifiedCount === 1 };
  });
}

const finishSchema = z.strictObject({
  attempt: deliveryAttemptSchema.strict().optional(),
  state: deliveryStateSchema,
  nextAttemptAt: z.date().optional(),
  failure: deliveryFailureSchema.optional(),
});

export interface FinishAttempt {
  /** Absent when no request was made (the endpoint was disabled or deleted meanwhile). */
  attempt?: DeliveryAttempt;
  state: DeliveryState;
  /** With state pending: when to try again. */
  nextAttemptAt?: Date;
  failure?: WebhookDelivery['failure'];
}

/**
 * The result of an attempt, the new state and the lease's release, in one
 * update filtered on this node still holding the lease (a node whose lease was
 * taken over writes nothing).
 */
export async function finishDeliveryAttempt(ctx: RepoContext, id: string, owner: string, raw: FinishAttempt): Promise<{ won: boolean }> {
  const deliveryId = parseOrThrow(objectIdHexSchema, id, 'delivery id');
  const f = parseOrThrow(finishSchema, raw, 'attempt result');
  const now = ctx.now();
  const $set: Record<string, unknown> = { state: f.state };
  const $unset: Record<string, 1> = { leaseUntil: 1, leaseOwner: 1, inflight: 1, replayRequested: 1 };
  if (f.state === 'pending') $set['nextAttemptAt'] = f.nextAttemptAt ?? now;
  if (f.state === 'delivered') {
    $set['deliveredAt'] = now;
    $unset['failure'] = 1;
  }
  if (f.state === 'failed') $set['failure'] = f.failure ?? 'retries_exhausted';
  const update: Record<string, unknown> = { $set, $unset };
  if (f.attempt) {
    update['$push'] = { attempts: { $each: [f.attempt], $slice: -DELIVERY_ATTEMPTS_KEPT } };
    update['$inc'] = { attemptCount: 1 };
  }
  return dbCall(async () => {
    const res = await ctx.models.WebhookDelivery.updateOne({ _id: { $eq: deliveryId }, leaseOwner: { $eq: owner } }, update, { runValidators: true });
    return { won: res.modifiedCount === 1 };
  });
}

/**
 * A recruiter's replay: the delivery is due now again, with a fresh retry
 * horizon, unless an attempt is in flight (STATE_CONFLICT). Same event id, so
 * the receiver sees the same `webhook-id`. Null when unknown.
 */
export async function replayDelivery(ctx: RepoContext, endpointId: string, deliveryId: string, retryUntil: Date): Promise<WebhookDelivery | null> {
  if (!objectIdHexSchema.safeParse(endpointId).success || !objectIdHexSchema.safeParse(deliveryId).success) return null;
  const now = ctx.now();
  const base = { _id: { $eq: deliveryId }, endpointId: { $eq: endpointId } };
  return dbCall(async () => {
    const doc = await ctx.models.WebhookDelivery.findOneAndUpdate(
      { ...base, leaseUntil: { $not: { $gte: now } } },
      { $set: { state: 'pending', nextAttemptAt: now, retryUntil, replayRequested: true }, $unset: { failure: 1 }, $inc: { replays: 1 } },
      AFTER,
    ).lean<WebhookDeliveryRecord>();
    if (doc) return toDelivery(doc);
    const current = await ctx.models.WebhookDelivery.findOne(base).lean<WebhookDeliveryRecord>();
    if (!current) return null;
    throw new AppError('STATE_CONFLICT', 'An attempt of this delivery is in flight; replay it once it has finished');
  });
}

export async function findDelivery(ctx: RepoContext, endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
  if (!objectIdHexSchema.safeParse(endpointId).success || !objectIdHexSchema.safeParse(deliveryId).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.WebhookDelivery.findOne({ _id: { $eq: deliveryId }, endpointId: { $eq: endpointId } }).lean<WebhookDeliveryRecord>();
    return doc ? toDelivery(doc) : null;
  });
}

const listDeliveriesSchema = z.strictObject({
  state: deliveryStateSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100),
});

/** The delivery log of one endpoint, newest first. */
export async function listDeliveries(
  ctx: RepoContext,
  endpointId: string,
  raw: { state?: DeliveryState; cursor?: string; limit: number },
): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
  const id = parseOrThrow(objectIdHexSchema, endpointId, 'endpoint id');
  const q = parseOrThrow(listDeliveriesSchema, raw, 'list query');
  const filter: Filter = { endpointId: { $eq: id }, ...cursorFilter(q.cursor) };
  if (q.state !== undefined) filter['state'] = { $eq: q.state };
  return dbCall(async () => {
    const docs = await ctx.models.WebhookDelivery.find(filter).sort({ createdAt: -1, _id: -1 }).limit(q.limit + 1).lean<WebhookDeliveryRecord[]>();
    const page = docs.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(toDelivery), nextCursor: docs.length > q.limit && last ? encodeCursor(last.createdAt, last._id.toHexString()) : null };
  });
}

/** Every delivery of one session (erasure and retention find them by clientSessionId). */
export async function findDeliveriesOfSession(ctx: RepoContext, clientSessionId: string): Promise<WebhookDelivery[]> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  return dbCall(async () => (await ctx.models.WebhookDelivery.find({ clientSessionId: { $eq: id } }).lean<WebhookDeliveryRecord[]>()).map(toDelivery));
}

/** Erasure / retention: removes every delivery (payload, attempts) of a session. */
export async function deleteDeliveriesOfSession(ctx: RepoContext, clientSessionId: string): Promise<number> {
  const id = parseOrThrow(clientSessionIdSchema, clientSessionId, 'clientSessionId');
  return dbCall(async () => (await ctx.models.WebhookDelivery.deleteMany({ clientSessionId: { $eq: id } })).deletedCount);
}

/** A restarted node (same name, new boot) frees the delivery leases its dead predecessor held; their inflight marker stays. */
export async function releaseDeliveryLeasesOfPreviousBoot(ctx: RepoContext, nodeName: string, currentNode: string): Promise<number> {
  const prefix = new RegExp(`^${nodeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#`);
  return dbCall(async () => {
    const res = await ctx.models.WebhookDelivery.updateMany(
      { state: { $eq: 'pending' }, leaseOwner: { $regex: prefix, $ne: currentNode } },
      { $set: { leaseUntil: new Date(0) } },
    );
    return res.modifiedCount;
  });
}

// ---- the part of the Repository this module provides --------------------------

export interface WebhooksOutRepository {
  createEndpoint(input: z.infer<typeof newEndpointSchema>): Promise<WebhookEndpoint>;
  findEndpoint(id: string): Promise<WebhookEndpoint | null>;
  listEndpoints(query: { cursor?: string; limit: number }): Promise<{ items: WebhookEndpoint[]; nextCursor: string | null }>;
  findEndpointsFor(type: WebhookEventType): Promise<WebhookEndpoint[]>;
  updateEndpoint(id: string, update: z.infer<typeof updateSchema>): Promise<WebhookEndpoint | null>;
  rotateEndpointSecret(id: string, rotation: { secret: string; previousValidUntil: Date }): Promise<WebhookEndpoint | null>;
  markEndpointGone(id: string): Promise<{ won: boolean }>;
  deleteEndpoint(id: string): Promise<{ deleted: boolean }>;
  ensureDelivery(delivery: NewDelivery): Promise<{ created: boolean }>;
  claimDelivery(req: { owner: string; leaseMs: number }): Promise<DeliveryClaim | null>;
  recordInterruptedAttempt(id: string, owner: string, attempt: DeliveryAttempt): Promise<{ won: boolean }>;
  finishDeliveryAttempt(id: string, owner: string, result: FinishAttempt): Promise<{ won: boolean }>;
  replayDelivery(endpointId: string, deliveryId: string, retryUntil: Date): Promise<WebhookDelivery | null>;
  findDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  listDeliveries(endpointId: string, query: { state?: DeliveryState; cursor?: string; limit: number }): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }>;
  findDeliveriesOfSession(clientSessionId: string): Promise<WebhookDelivery[]>;
  deleteDeliveriesOfSession(clientSessionId: string): Promise<number>;
  releaseDeliveryLeasesOfPreviousBoot(nodeName: string, currentNode: string): Promise<number>;
  claimOutbox(req: { leaseMs: number; clientSessionId?: string }): Promise<OutboxClaim | null>;
  releaseOutbox(req: { clientSessionId: string; eventIds: string[]; leaseUntil: Date; keepLease?: boolean }): Promise<void>;
  countOutboxEvents(): Promise<number>;
}

export function webhooksOutRepository(ctx: RepoContext): WebhooksOutRepository {
  return {
    createEndpoint: (input) => createEndpoint(ctx, input),
    findEndpoint: (id) => findEndpoint(ctx, id),
    listEndpoints: (q) => listEndpoints(ctx, q),
    findEndpointsFor: (type) => findEndpointsFor(ctx, type),
    updateEndpoint: (id, u) => updateEndpoint(ctx, id, u),
    rotateEndpointSecret: (id, r) => rotateEndpointSecret(ctx, id, r),
    markEndpointGone: (id) => markEndpointGone(ctx, id),
    deleteEndpoint: (id) => deleteEndpoint(ctx, id),
    ensureDelivery: (d) => ensureDelivery(ctx, d),
    claimDelivery: (req) => claimDelivery(ctx, req),
    recordInterruptedAttempt: (id, owner, a) => recordInterruptedAttempt(ctx, id, owner, a),
    finishDeliveryAttempt: (id, owner, r) => finishDeliveryAttempt(ctx, id, owner, r),
    replayDelivery: (e, d, until) => replayDelivery(ctx, e, d, until),
    findDelivery: (e, d) => findDelivery(ctx, e, d),
    listDeliveries: (e, q) => listDeliveries(ctx, e, q),
    findDeliveriesOfSession: (id) => findDeliveriesOfSession(ctx, id),
    deleteDeliveriesOfSession: (id) => deleteDeliveriesOfSession(ctx, id),
    releaseDeliveryLeasesOfPreviousBoot: (name, node) => releaseDeliveryLeasesOfPreviousBoot(ctx, name, node),
    claimOutbox: (req) => claimOutbox(ctx, req),
    releaseOutbox: (req) => releaseOutbox(ctx, req),
    countOutboxEvents: () => countOutboxEvents(ctx),
  };
}
