import type { Document } from 'bson';
import { Query } from 'mingo';
import { MongoCommandError } from '../errors.js';
import { effectiveCollation, type Collation } from '../collation.js';
import { planQuery, runPlan, type QueryOptions } from '../planner.js';
import { Projection } from '../projection.js';
import { queryOptions } from '../query.js';
import type { Collection } from '../store.js';
import { isPlainObject } from '../values.js';

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

/**
 * Documents matching `filter`, in natural order, by the plan planner.ts chooses (the _id map
 * or a single-field unique index answers equalities without scanning). `opts` carries the
 * command's collation and hint.
 */
export function matchDocs(coll: Collection | undefined, filter: Document, opts: QueryOptions = {}): Document[] {
  return runPlan(coll, filter, planQuery(coll, filter, opts), opts.collation).docs;
}

/** The collation and hint of a command (or of one update/delete statement) on `coll`, plus its sort. */
export function queryOptionsOf(cmd: Document, coll: Collection | undefined, sort?: Document): QueryOptions {
  return { collation: effectiveCollation(cmd.collation, coll?.options.collation), hint: cmd.hint, sort };
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
  opts: { sort?: Document | undefined; skip?: number | undefined; limit?: number | undefined; projection?: Document | undefined; filter?: Document | undefined; collation?: Collation | undefined },
): Document[] {
  // Compiled (and validated) before anything runs: a bad projection fails even when nothing matches.
  const projection = Projection.compile(opts.projection, opts.filter ?? {});
  const sort = sortSpec(opts.sort);
  let out: Document[];
  if (!sort) {
    const start = opts.skip ?? 0;
    out = opts.limit ? docs.slice(start, start + opts.limit) : docs.slice(start);
  } else {
    const found = new Query({}, queryOptions).find<Document>(docs);
    let cursor = (opts.collation ? found.collation(opts.collation.mingo) : found).sort(sort);
    if (opts.skip) cursor = cursor.skip(opts.skip);
    if (opts.limit) cursor = cursor.limit(opts.limit);
    out = cursor.all();
  }
  return projection ? out.map((doc) => projection.apply(doc)) : out;
}
