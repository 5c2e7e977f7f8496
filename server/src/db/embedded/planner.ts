import { ObjectId, type Document } from 'bson';
import { sameCollation, type Collation } from './collation.js';
import { MongoCommandError } from './errors.js';
import type { Index, IndexSpec } from './indexes.js';
import { compileFilter } from './query.js';
import { ID_INDEX, type Collection } from './store.js';
import { isPlainObject, valueKey } from './values.js';

/** What a query may be told besides its filter. */
export interface QueryOptions {
  /** The collation in force (the command's or the collection's default); undefined = simple. */
  collation?: Collation | undefined;
  /** An index name, a key pattern, or `{$natural: 1 | -1}`. */
  hint?: unknown;
  /** The sort, so an index that yields it can be chosen (explain shows no SORT stage then). */
  sort?: Document | undefined;
}

/**
 * The access path of a query, chosen by MongoDB's rules as far as this server has them:
 * a hint wins; an equality on `_id` is IDHACK; else the visible index whose leading field the
 * filter constrains best (equality before range; unique first; then fewer fields); else an
 * index that yields the sort; else a collection scan. Hidden indexes are never chosen.
 *
 * Execution: `_id` and single-field unique indexes answer equalities from their hash maps;
 * any other plan scans the collection with the filter (same result, in natural order).
 */
export interface Plan {
  stage: 'IDHACK' | 'IXSCAN' | 'COLLSCAN' | 'EOF';
  index: IndexSpec | undefined;
  /** The index object, for sparse/partial hints (only the documents it holds are returned). */
  indexRef: Index | undefined;
  hinted: boolean;
  direction: 'forward' | 'backward';
  /** Equality lookup answered from a hash map (`index` undefined: the _id map). */
  lookup: { value: unknown; index: Index | undefined } | undefined;
  /** The plan's index returns documents in the sort's order (no SORT stage). */
  providesSort: boolean;
}

/**
 * Plans are built with one literal shape (no object spread): this runs for every query, and
 * spreading a plan into a new literal measured several microseconds per call.
 */
function newPlan(stage: Plan['stage'], index?: IndexSpec, indexRef?: Index, sortDir?: 'forward' | 'backward'): Plan {
  return { stage, index, indexRef, hinted: false, direction: sortDir ?? 'forward', lookup: undefined, providesSort: sortDir !== undefined };
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

const RANGE_OPS = new Set(['$gt', '$gte', '$lt', '$lte']);

type Predicate = { kind: 'eq' | 'in' | 'range' | 'other'; values: unknown[]; matchesNull: boolean };

/** Top-level (and top-level `$and`) conditions by field. */
function predicates(filter: Document): Map<string, Predicate[]> {
  const out = new Map<string, Predicate[]>();
  const add = (field: string, p: Predicate): void => {
    const list = out.get(field);
    if (list) list.push(p);
    else out.set(field, [p]);
  };
  const walk = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) walk(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (!isPlainObject(v) || !Object.keys(v).some((x) => x.startsWith('$'))) {
        add(k, { kind: 'eq', values: [v], matchesNull: v === null });
        continue;
      }
      for (const [op, arg] of Object.entries(v)) {
        if (op === '$eq') add(k, { kind: 'eq', values: [arg], matchesNull: arg === null });
        else if (op === '$in' && Array.isArray(arg)) add(k, { kind: 'in', values: arg, matchesNull: arg.includes(null) });
        else if (RANGE_OPS.has(op)) add(k, { kind: 'range', values: [arg], matchesNull: arg === null });
        else if (op === '$regex' || (op === '$exists' && arg === true) || op === '$elemMatch' || op === '$all') add(k, { kind: 'other', values: [], matchesNull: false });
        else if (op === '$options') continue;
        else add(k, { kind: 'other', values: [], matchesNull: true }); // $ne, $nin, $not, $exists:false...: not index-bounded
      }
    }
  };
  walk(filter);
  return out;
}

const hasString = (values: unknown[]): boolean => values.some((v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v));

/** Resolves a hint to an index spec, or refuses it with MongoDB's error 2. */
function hintedIndex(coll: Collection, hint: unknown): IndexSpec | 'natural-forward' | 'natural-backward' | undefined {
  if (hint === undefined || hint === null || (isPlainObject(hint) && Object.keys(hint).length === 0) || hint === '') return undefined;
  if (isPlainObject(hint) && '$natural' in hint) return Number(hint.$natural) < 0 ? 'natural-backward' : 'natural-forward';
  const specs = coll.indexSpecs().filter((s) => s.hidden !== true);
  const found = typeof hint === 'string' ? specs.find((s) => s.name === hint) : isPlainObject(hint) ? specs.find((s) => valueKey(s.key) === valueKey(hint)) : undefined;
  if (!found) throw new MongoCommandError('BadValue', 'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
  return found;
}

/** indexBounds of an index scan for explain (equalities exactly; ranges summarized). */
export function indexBounds(spec: IndexSpec, filter: Document): Document {
  const preds = predicates(filter);
  const bounds: Document = {};
  for (const field of Object.keys(spec.key)) {
    const list = preds.get(field) ?? [];
    const eqs = list.filter((p) => p.kind === 'eq' || p.kind === 'in').flatMap((p) => p.values);
    if (eqs.length > 0) bounds[field] = eqs.map((v) => `[${JSON.stringify(v)}, ${JSON.stringify(v)}]`);
    else {
      const ranges = list.filter((p) => p.kind === 'range');
      bounds[field] = ranges.length > 0 ? ['(range)'] : [Number(spec.key[field]) < 0 ? '[MaxKey, MinKey]' : '[MinKey, MaxKey]'];
    }
  }
  return bounds;
}

/** True when the index's key order (or its reverse) yields `sort`. */
function sortDirection(spec: IndexSpec, sort: Document | undefined): 'forward' | 'backward' | undefined {
  if (!sort) return undefined;
  const sortFields = Object.entries(sort).filter(([k]) => k !== '$natural');
  if (sortFields.length === 0) return undefined;
  const keyFields = Object.entries(spec.key);
  if (sortFields.length > keyFields.length) return undefined;
  let forward = true;
  let backward = true;
  sortFields.forEach(([f, d], i) => {
    const [kf, kd] = keyFields[i] as [string, unknown];
    if (kf !== f) forward = backward = false;
    const same = Math.sign(Number(d)) === Math.sign(Number(kd));
    forward &&= same;
    backward &&= !same;
  });
  return forward ? 'forward' : backward ? 'backward' : undefined;
}

/** Whether the partial index holds every document the filter can match (filter states its conditions). */
function impliesPartial(filter: Document, partial: Document): boolean {
  return Object.entries(partial).every(([k, v]) => {
    if (!(k in filter)) return false;
    if (valueKey(filter[k]) === valueKey(v)) return true;
    // {field: {$exists: true}} is implied by a non-null equality on the field.
    return isPlainObject(v) && v.$exists === true && filter[k] !== null && !isPlainObject(filter[k]);
  });
}

export function planQuery(coll: Collection | undefined, filter: Document, opts: QueryOptions = {}): Plan {
  if (!coll) return newPlan('EOF');
  const hinted = hintedIndex(coll, opts.hint);
  if (hinted === 'natural-forward' || hinted === 'natural-backward') {
    const plan = newPlan('COLLSCAN');
    plan.hinted = true;
    plan.direction = hinted === 'natural-forward' ? 'forward' : 'backward';
    return plan;
  }
  if (hinted) {
    const plan = newPlan('IXSCAN', hinted, hinted.name === '_id_' ? undefined : coll.indexes.get(hinted.name), sortDirection(hinted, opts.sort));
    plan.hinted = true;
    return plan;
  }
  const idEq = equalityValue(filter._id);
  // The _id index shares the collection's default collation; a string _id under another one is not a lookup.
  if (idEq.ok && (typeof idEq.value !== 'string' || sameCollation(opts.collation, coll.defaultCollation))) {
    const plan = newPlan('IDHACK', ID_INDEX);
    plan.lookup = { value: idEq.value, index: undefined };
    return plan;
  }
  // Hot path (most of Candor's lookups): an equality on the field of a single-field unique index.
  for (const [field, raw] of Object.entries(filter)) {
    if (field.startsWith('$')) continue;
    const eq = equalityValue(raw);
    if (!eq.ok) continue;
    for (const index of coll.indexes.values()) {
      const spec = index.spec;
      if (!index.unique || index.fields.length !== 1 || index.fields[0] !== field || spec.hidden === true || spec.partialFilterExpression) continue;
      if (typeof eq.value === 'string' && !sameCollation(opts.collation, index.collation)) continue;
      const plan = newPlan('IXSCAN', spec, index, sortDirection(spec, opts.sort));
      plan.lookup = { value: eq.value, index };
      return plan;
    }
  }
  const preds = predicates(filter);
  let best: { index: Index; score: number } | undefined;
  for (const index of coll.indexes.values()) {
    const spec = index.spec;
    if (spec.hidden === true) continue;
    const lead = preds.get(index.fields[0] as string);
    if (!lead) continue;
    const values = lead.flatMap((p) => p.values);
    if (lead.every((p) => p.kind === 'other' && p.matchesNull)) continue;
    if (spec.sparse === true && lead.some((p) => p.matchesNull)) continue;
    if (spec.partialFilterExpression && !impliesPartial(filter, spec.partialFilterExpression)) continue;
    if (!sameCollation(opts.collation, index.collation) && hasString(values)) continue;
    let eqPrefix = 0;
    for (const f of index.fields) {
      const ps = preds.get(f);
      if (!ps || !ps.some((p) => p.kind === 'eq' || p.kind === 'in')) break;
      eqPrefix++;
    }
    const fullEquality = eqPrefix === index.fields.length;
    const score = (index.unique && fullEquality ? 1000 : 0) + eqPrefix * 10 + (lead.some((p) => p.kind === 'range') ? 5 : 0) - index.fields.length;
    if (!best || score > best.score) best = { index, score };
  }
  if (best) {
    const spec = best.index.spec;
    return newPlan('IXSCAN', spec, best.index, sortDirection(spec, opts.sort));
  }
  // No filter on an indexed field: an index that yields the sort avoids an in-memory sort.
  if (opts.sort) {
    for (const index of coll.indexes.values()) {
      const spec = index.spec;
      if (spec.hidden === true || spec.sparse === true || spec.partialFilterExpression || !sameCollation(opts.collation, index.collation)) continue;
      const dir = sortDirection(spec, opts.sort);
      if (dir) return newPlan('IXSCAN', spec, index, dir);
    }
  }
  return newPlan('COLLSCAN');
}

export interface PlanResult {
  docs: Document[];
  keysExamined: number;
  docsExamined: number;
}

/** Runs a plan: documents matching `filter`, in natural order (reversed for `$natural: -1`). */
export function runPlan(coll: Collection | undefined, filter: Document, plan: Plan, collation?: Collation): PlanResult {
  // Compiled first: a filter MongoDB refuses is refused even on a missing collection.
  const query = compileFilter(filter, collation);
  if (!coll || plan.stage === 'EOF') return { docs: [], keysExamined: 0, docsExamined: 0 };
  if (plan.lookup && !plan.lookup.index) {
    const doc = coll.docs.get(valueKey(plan.lookup.value));
    return { docs: doc && query.test(doc) ? [doc] : [], keysExamined: doc ? 1 : 0, docsExamined: doc ? 1 : 0 };
  }
  if (plan.lookup?.index) {
    const field = plan.lookup.index.fields[0] as string;
    const ids = plan.lookup.index.lookup(field, plan.lookup.value) ?? new Set<string>();
    const out: Document[] = [];
    for (const id of ids) {
      const doc = coll.docs.get(id);
      if (doc && query.test(doc)) out.push(doc);
    }
    // Keep natural order semantics stable for multi-document results.
    if (out.length > 1) {
      const hits = new Set(out);
      return { docs: coll.all().filter((d) => hits.has(d)), keysExamined: ids.size, docsExamined: ids.size };
    }
    return { docs: out, keysExamined: ids.size, docsExamined: ids.size };
  }
  // A hinted sparse or partial index returns only the documents it holds (MongoDB's behaviour).
  const restrict = plan.hinted && plan.indexRef && (plan.indexRef.spec.sparse === true || plan.indexRef.spec.partialFilterExpression) ? plan.indexRef : undefined;
  const docs: Document[] = [];
  for (const doc of coll.docs.values()) {
    if (restrict && restrict.keysOf(doc).length === 0) continue;
    if (query.test(doc)) docs.push(doc);
  }
  if (plan.stage === 'COLLSCAN' && plan.direction === 'backward') docs.reverse();
  return { docs, keysExamined: plan.stage === 'IXSCAN' ? coll.docs.size : 0, docsExamined: coll.docs.size };
}
