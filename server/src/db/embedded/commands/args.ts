import { ObjectId, type Document } from 'bson';
import { Query } from 'mingo';
import { MongoCommandError } from '../errors.js';
import { Projection } from '../projection.js';
import { compileFilter, queryOptions } from '../query.js';
import type { Collection } from '../store.js';
import { isPlainObject, valueKey } from '../values.js';

/** The collection name given as the command's first field value. */
export function collectionArg(cmd: Document, name: string): string {
  const v: unknown = cmd[name];
  if (typeof v !== 'string' || v.length === 0) {
    throw new MongoCommandError('InvalidNamespace', `collection name has invalid type ${v === null ? 'null' : typeof v}`);
  }
  return v;
}

export function optionalDoc(cmd: Document, field: string): Document | undefined {
  const v: unknown = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw new MongoCommandError('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'object'`);
  return v;
}

export function optionalNumber(cmd: Document, field: string): number | undefined {
  const v: unknown = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  throw new MongoCommandError('TypeMismatch', `BSON field '${field}' is the wrong type, expected a number`);
}

export function docArray(cmd: Document, field: string): Document[] {
  const v: unknown = cmd[field];
  if (!Array.isArray(v)) throw new MongoCommandError('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'array'`);
  for (const d of v) if (!isPlainObject(d)) throw new MongoCommandError('TypeMismatch', `BSON field '${field}' must contain only objects`);
  return v as Document[];
}

/** A value usable for an exact hash lookup (scalar, ObjectId or Date). */
function isLookupValue(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof ObjectId || v instanceof Date;
}

function equalityValue(v: unknown): { ok: boolean; value?: unknown } {
  if (isLookupValue(v)) return { ok: true, value: v };
  if (isPlainObject(v) && Object.keys(v).length === 1 && '$eq' in v && isLookupValue(v.$eq)) return { ok: true, value: v.$eq };
  return { ok: false };
}

/**
 * Documents matching `filter`, in natural order. Uses the _id map or a single-field unique
 * index when the filter pins one, so the common lookups do not scan the collection.
 */
export function matchDocs(coll: Collection | undefined, filter: Document): Document[] {
  if (!coll) return [];
  const query = compileFilter(filter);
  const idEq = equalityValue(filter._id);
  if (idEq.ok) {
    const doc = coll.docs.get(valueKey(idEq.value));
    return doc && query.test(doc) ? [doc] : [];
  }
  for (const [field, raw] of Object.entries(filter)) {
    if (field.startsWith('$')) continue;
    const eq = equalityValue(raw);
    if (!eq.ok) continue;
    for (const index of coll.indexes.values()) {
      const ids = index.lookup(field, eq.value);
      if (!ids) continue;
      const out: Document[] = [];
      for (const id of ids) {
        const doc = coll.docs.get(id);
        if (doc && query.test(doc)) out.push(doc);
      }
      // Keep natural order semantics stable for multi-document results.
      if (out.length <= 1) return out;
      const hits = new Set(out);
      return coll.all().filter((d) => hits.has(d));
    }
  }
  return coll.all().filter((d) => query.test(d));
}

/** Sort spec without `$natural` (natural order is what we already have). */
export function sortSpec(sort: Document | undefined): Record<string, 1 | -1> | undefined {
  if (!sort) return undefined;
  const out: Record<string, 1 | -1> = {};
  for (const [k, v] of Object.entries(sort)) {
    if (k === '$natural') continue;
    if (isPlainObject(v)) continue; // {$meta: ...}: no text search here
    out[k] = Number(v) < 0 ? -1 : 1;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Sorts/skips/limits with mingo (MongoDB's BSON comparison order), then projects (projection.ts). */
export function shape(
  docs: Document[],
  opts: { sort?: Document | undefined; skip?: number | undefined; limit?: number | undefined; projection?: Document | undefined; filter?: Document | undefined },
): Document[] {
  // Compiled (and validated) before anything runs: a bad projection fails even when nothing matches.
  const projection = Projection.compile(opts.projection, opts.filter ?? {});
  const sort = sortSpec(opts.sort);
  let out: Document[];
  if (!sort) {
    const start = opts.skip ?? 0;
    out = opts.limit ? docs.slice(start, start + opts.limit) : docs.slice(start);
  } else {
    let cursor = new Query({}, queryOptions).find<Document>(docs).sort(sort);
    if (opts.skip) cursor = cursor.skip(opts.skip);
    if (opts.limit) cursor = cursor.limit(opts.limit);
    out = cursor.all();
  }
  return projection ? out.map((doc) => projection.apply(doc)) : out;
}
