import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, parseOrThrow } from '../../../../shared/errors.js';
import { objectIdHexSchema } from '../../../../shared/ids.js';
import {
  openingFieldsSchema,
  openingSlugSchema,
  updateOpeningRequestSchema,
  type Opening,
  type OpeningFields,
  type UpdateOpeningRequest,
} from '../../../../shared/opening.js';
import { dbCall, isDuplicateKeyOn } from '../errors.js';
import type { OpeningRecord } from '../models/index.js';
import type { RepoContext } from './context.js';
import { AFTER } from './options.js';
import type { Filter } from './preconditions.js';

/**
 * Openings (docs/openings.md). Every change is ONE findOneAndUpdate whose filter
 * states its precondition: edits carry the version the editor loaded
 * (`{_id, version}` + `$inc: {version: 1}`), so of two concurrent edits exactly
 * one wins and the other gets STATE_CONFLICT with nothing overwritten.
 */

/** 128 random bits, URL-safe: unguessable, and the unique index makes it unambiguous. */
export function newSlug(): string {
  return randomBytes(16).toString('base64url');
}

function toOpening(record: OpeningRecord): Opening {
  const { _id, ...rest } = record;
  return { id: _id.toHexString(), ...rest, jobDescription: rest.jobDescription ?? '' };
}

export async function createOpening(ctx: RepoContext, raw: OpeningFields): Promise<Opening> {
  const fields = parseOrThrow(openingFieldsSchema, raw, 'opening');
  return dbCall(async () => {
    // A slug collision (2^-128) would be E11000 on `slug`: draw again, a couple of times.
    for (let attempt = 1; ; attempt++) {
      const now = ctx.now();
      try {
        const doc = await ctx.models.Opening.create({ ...fields, slug: newSlug(), version: 1, createdAt: now, updatedAt: now });
        return toOpening(doc.toObject<OpeningRecord>());
      } catch (err) {
        if (attempt >= 3 || !isDuplicateKeyOn(err, 'slug')) throw err;
      }
    }
  });
}

export async function findOpeningById(ctx: RepoContext, id: string): Promise<Opening | null> {
  if (!objectIdHexSchema.safeParse(id).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Opening.findOne({ _id: { $eq: id } }).lean<OpeningRecord>();
    return doc ? toOpening(doc) : null;
  });
}

export async function findOpeningBySlug(ctx: RepoContext, slug: string): Promise<Opening | null> {
  if (!openingSlugSchema.safeParse(slug).success) return null;
  return dbCall(async () => {
    const doc = await ctx.models.Opening.findOne({ slug: { $eq: slug } }).lean<OpeningRecord>();
    return doc ? toOpening(doc) : null;
  });
}

export interface ListOpeningsQuery {
  includeArchived?: boolean;
  cursor?: string;
  limit: number;
}

const listSchema = z.strictObject({
  includeArchived: z.boolean().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100),
});
const cursorSchema = z.tuple([z.number().int().nonnegative(), objectIdHexSchema]);

/** Newest first by (createdAt, _id); archived ones only when asked for. */
export async function listOpenings(ctx: RepoContext, raw: ListOpeningsQuery): Promise<{ items: Opening[]; nextCursor: string | null }> {
  const q = parseOrThrow(listSchema, raw, 'list query');
  const filter: Filter = {};
  if (!q.includeArchived) filter['archivedAt'] = { $exists: false };
  if (q.cursor !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8'));
    } catch {
      throw new AppError('VALIDATION', 'Invalid cursor', { details: [{ path: 'cursor', message: 'malformed' }] });
    }
    const [ms, id] = parseOrThrow(cursorSchema, parsed, 'cursor');
    filter['$or'] = [{ createdAt: { $lt: new Date(ms) } }, { createdAt: { $eq: new Date(ms) }, _id: { $lt: id } }];
  }
  return dbCall(async () => {
    const docs = await ctx.models.Opening.find(filter).sort({ createdAt: -1, _id: -1 }).limit(q.limit + 1).lean<OpeningRecord[]>();
    const page = docs.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor =
      docs.length > q.limit && last ? Buffer.from(JSON.stringify([last.createdAt.getTime(), last._id.toHexString()])).toString('base64url') : null;
    return { items: page.map(toOpening), nextCursor };
  });
}

/**
 * Applies an edit made on `version`: the merged result is validated as a whole
 * (cross-field rules), then written with ONE update whose filter is
 * `{_id, version, not archived}`. Since the version did not move between the read
 * and the write, what was validated is exactly what is stored.
 */
export async function updateOpening(ctx: RepoContext, id: string, raw: UpdateOpeningRequest): Promise<Opening> {
  const { version, ...patch } = parseOrThrow(updateOpeningRequestSchema, raw, 'opening update');
  const current = await findOpeningById(ctx, id);
  if (!current) throw notFound();
  if (current.archivedAt) throw new AppError('STATE_CONFLICT', 'The opening is archived; it cannot be edited');
  if (current.version !== version) throw versionConflict(current);
  const merged = parseOrThrow(
    openingFieldsSchema,
    {
      title: current.title,
      role: current.role,
      jobDescription: current.jobDescription,
      length: current.length,
      allowedModes: current.allowedModes,
      persona: current.persona,
      mustAsk: current.mustAsk,
      ...patch,
    },
    'opening',
  );
  const $set: Record<string, unknown> = { updatedAt: ctx.now() };
  for (const key of Object.keys(patch) as Array<keyof typeof patch>) $set[key] = merged[key];
  return guarded(ctx, id, { _id: { $eq: id }, version: { $eq: version }, archivedAt: { $exists: false } }, { $set, $inc: { version: 1 } });
}

/** Archive instead of delete: sessions keep their history; the link answers GONE. Idempotent. */
export async function archiveOpening(ctx: RepoContext, id: string): Promise<Opening> {
  if (!objectIdHexSchema.safeParse(id).success) throw notFound();
  const now = ctx.now();
  return dbCall(async () => {
    const after = await ctx.models.Opening.findOneAndUpdate(
      { _id: { $eq: id }, archivedAt: { $exists: false } },
      { $set: { archivedAt: now, updatedAt: now }, $inc: { version: 1 } },
      { ...AFTER, timestamps: false },
    ).lean<OpeningRecord>();
    if (after) return toOpening(after);
    const current = await findOpeningById(ctx, id);
    if (!current) throw notFound();
    return current; // already archived: the same answer as the first time
  });
}

/** A new slug in ONE update; the old one stops resolving at once (it is stored nowhere else). */
export async function rotateOpeningSlug(ctx: RepoContext, id: string): Promise<Opening> {
  if (!objectIdHexSchema.safeParse(id).success) throw notFound();
  for (let attempt = 1; ; attempt++) {
    try {
      return await guarded(
        ctx,
        id,
        { _id: { $eq: id }, archivedAt: { $exists: false } },
        { $set: { slug: newSlug(), updatedAt: ctx.now() }, $inc: { version: 1 } },
      );
    } catch (err) {
      if (attempt >= 3 || !isDuplicateKeyOn(err, 'slug')) throw err;
    }
  }
}

async function guarded(ctx: RepoContext, id: string, filter: Filter, update: Record<string, unknown>): Promise<Opening> {
  return dbCall(async () => {
    const after = await ctx.models.Opening.findOneAndUpdate(filter, update, { ...AFTER, timestamps: false }).lean<OpeningRecord>();
    if (after) return toOpening(after);
    const current = await ctx.models.Opening.findOne({ _id: { $eq: id } }).lean<OpeningRecord>();
    if (!current) throw notFound();
    const opening = toOpening(current);
    if (opening.archivedAt) throw new AppError('STATE_CONFLICT', 'The opening is archived; it cannot be changed');
    throw versionConflict(opening);
  });
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No opening with this id');
}

function versionConflict(current: Opening): AppError {
  return new AppError('STATE_CONFLICT', `The opening was changed by someone else (now version ${current.version}); reload it and apply your edit again`, {
    details: [{ path: 'version', message: `current version is ${current.version}` }],
  });
}
