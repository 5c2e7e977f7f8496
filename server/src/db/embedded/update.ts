import { ObjectId, Timestamp, type Document } from 'bson';
import { updateOne } from 'mingo';
import * as mingoUpdate from 'mingo/operators/update';
import type { PipelineStage } from 'mingo/updater';
import { copyAlongPaths } from './diff.js';
import { MongoCommandError } from './errors.js';
import { resolvePositional } from './positional.js';
import { queryOptions } from './query.js';
import { cloneValue, isPlainObject, setPath, valueKey } from './values.js';

export type UpdateSpec = Document | Document[];

export function isPipelineUpdate(u: UpdateSpec): u is Document[] {
  return Array.isArray(u);
}

/** An update document whose keys are operators ($set...); otherwise it is a replacement. */
export function isOperatorUpdate(u: UpdateSpec): boolean {
  if (Array.isArray(u)) return false;
  const keys = Object.keys(u);
  const first = keys[0];
  if (first === undefined || !first.startsWith('$')) {
    const op = keys.find((k) => k.startsWith('$'));
    if (op) throw new MongoCommandError('BadValue', `The dollar ($) prefixed field '${op}' in '${op}' is not allowed in the context of an update's replacement document.`);
    return false;
  }
  const plain = keys.find((k) => !k.startsWith('$'));
  if (plain) throw new MongoCommandError('FailedToParse', `Unknown modifier: ${plain}. Expected a valid update modifier or pipeline-style update specified as an array`);
  return true;
}

export function validateUpdate(u: unknown): UpdateSpec {
  if (Array.isArray(u) && u.every(isPlainObject)) return u;
  if (isPlainObject(u)) return u;
  throw new MongoCommandError('FailedToParse', 'Update argument must be either an object or an array');
}

interface ApplyOptions {
  /** The query that selected the document (resolves the positional `$` operator). */
  filter: Document;
  arrayFilters?: Document[];
  /** Applying to a new upsert document: `$setOnInsert` takes effect. */
  isInsert: boolean;
}

/**
 * Applies an update to a copy of `doc` and returns the new version (the stored one is never
 * touched). `modified` follows MongoDB: false when the result is identical.
 */
export function applyUpdate(doc: Document, update: UpdateSpec, opts: ApplyOptions): { doc: Document; modified: boolean } {
  let next: Document;
  if (isPipelineUpdate(update)) {
    next = runMingoUpdate(doc, update as PipelineStage[], opts).doc;
  } else if (isOperatorUpdate(update)) {
    const modifier: Document = { ...update };
    const onInsert: unknown = modifier.$setOnInsert;
    delete modifier.$setOnInsert;
    if (opts.isInsert && isPlainObject(onInsert)) modifier.$set = { ...(isPlainObject(modifier.$set) ? modifier.$set : {}), ...onInsert };
    if (!opts.isInsert) guardImmutableId(doc, modifier);
    if (Object.keys(modifier).length === 0) return { doc, modified: false };
    const result = runMingoUpdate(doc, modifier, opts);
    if (!opts.isInsert && valueKey(result.doc._id) !== valueKey(doc._id)) {
      throw new MongoCommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    // mingo reports whether any operator changed a value: cheaper than comparing whole documents.
    return { doc: result.doc, modified: result.modified };
  } else {
    if (update._id !== undefined && doc._id !== undefined && valueKey(update._id) !== valueKey(doc._id)) {
      throw new MongoCommandError('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(update._id)}`);
    }
    const { _id: _ignored, ...rest } = update;
    next = doc._id === undefined ? cloneValue(rest) : { _id: doc._id, ...cloneValue(rest) };
  }
  if (next._id === undefined && doc._id !== undefined) next = { _id: doc._id, ...next };
  return { doc: next, modified: valueKey(next) !== valueKey(doc) };
}

/** `_id` may only be "$set" to its current value (a no-op, dropped here); anything else is error 66. */
function guardImmutableId(doc: Document, modifier: Document): void {
  for (const [op, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) continue;
    for (const path of Object.keys(fields)) {
      const renamed = op === '$rename' ? String(fields[path]) : '';
      const touchesId = path === '_id' || path.startsWith('_id.') || renamed === '_id' || renamed.startsWith('_id.');
      if (!touchesId) continue;
      if (op === '$set' && path === '_id' && valueKey(fields[path]) === valueKey(doc._id)) {
        const rest = { ...fields };
        delete rest._id;
        modifier[op] = rest;
        continue;
      }
      throw new MongoCommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
  }
}

function runMingoUpdate(doc: Document, modifier: Document | PipelineStage[], opts: ApplyOptions): { doc: Document; modified: boolean } {
  if (Array.isArray(modifier)) {
    const docs = [cloneValue(doc)];
    const res = updateOne(docs, {}, modifier, { arrayFilters: opts.arrayFilters ?? [], cloneMode: 'deep' }, queryOptions);
    return { doc: docs[0] as Document, modified: res.modifiedCount > 0 };
  }
  // `$` becomes the matched index here, so mingo needs no query and conflicts are checked on real paths.
  const resolved = resolvePositional(doc, modifier, opts.isInsert ? {} : opts.filter);
  const paths = updatePaths(resolved);
  checkConflicts(paths);
  // Copy-on-write: only the containers on updated paths are copied; the rest stays shared
  // with the stored version (never mutated), which also lets the journal record a diff.
  const copy = copyAlongPaths(doc, paths, cloneValue);
  let modified = prepareArrayTargets(copy, resolved);
  const arrayFilters = opts.arrayFilters ?? [];
  for (const [op, spec] of Object.entries(resolved)) {
    const apply = OPERATORS[op] as Operator;
    // One path per call: mingo checks conflicts per operator on the path before a positional
    // element ('a.$[].x' and 'a.$[].y' would "conflict"); checkConflicts() already did it right.
    for (const [path, value] of Object.entries(spec as Document)) {
      if (apply({ [path]: value }, arrayFilters)(copy).length > 0) modified = true;
    }
  }
  return { doc: copy, modified };
}

type Operator = (expr: Document, arrayFilters: Document[]) => (obj: Document) => string[];

function currentDate(expr: Document, arrayFilters: Document[]): (obj: Document) => string[] {
  const now = new Date();
  const values: Document = {};
  for (const [path, spec] of Object.entries(expr)) {
    const type: unknown = isPlainObject(spec) ? spec.$type : 'date';
    if (spec !== true && type !== 'date' && type !== 'timestamp') {
      throw new MongoCommandError('BadValue', `${String(type)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
    }
    values[path] = type === 'timestamp' ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }) : now;
  }
  return mingoUpdate.$set(values, arrayFilters);
}

/**
 * mingo's update operators, called directly (its updateOne builds a query, a context and a
 * clone per call: several times the cost of the update itself). `$currentDate` resolves the
 * clock here, so the journal's diff carries the value.
 */
const OPERATORS: Record<string, Operator> = {
  $set: mingoUpdate.$set,
  $unset: mingoUpdate.$unset,
  $inc: mingoUpdate.$inc,
  $mul: mingoUpdate.$mul,
  $min: mingoUpdate.$min,
  $max: mingoUpdate.$max,
  $rename: mingoUpdate.$rename,
  $push: mingoUpdate.$push,
  $addToSet: mingoUpdate.$addToSet,
  $pop: mingoUpdate.$pop,
  $pull: mingoUpdate.$pull,
  $pullAll: mingoUpdate.$pullAll,
  $bit: mingoUpdate.$bit,
  $currentDate: currentDate,
};

/** Every path an operator update writes (operators' field paths and `$rename` targets); validates the operators. */
function updatePaths(modifier: Document): string[] {
  const paths: string[] = [];
  for (const [op, spec] of Object.entries(modifier)) {
    if (!Object.hasOwn(OPERATORS, op)) {
      throw new MongoCommandError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isPlainObject(spec)) {
      throw new MongoCommandError('FailedToParse', `Modifiers operate on fields but we found type ${Array.isArray(spec) ? 'array' : typeof spec} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(spec)}}`);
    }
    for (const [path, value] of Object.entries(spec)) {
      if (path === '' || path.startsWith('.') || path.endsWith('.') || path.includes('..')) {
        throw new MongoCommandError('BadValue', `The update path '${path}' contains an empty field name, which is not allowed.`);
      }
      paths.push(path);
      if (op === '$rename' && typeof value === 'string') paths.push(value);
    }
  }
  return paths;
}

interface PathNode {
  children: Map<string, PathNode>;
  path?: string;
}

/** MongoDB's rule: two updated paths conflict when they are equal or one is a prefix of the other (code 40). */
function checkConflicts(paths: readonly string[]): void {
  const root: PathNode = { children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const part of path.split('.')) {
      if (node.path !== undefined) throw conflict(path, node.path);
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { children: new Map() }));
      node = child;
    }
    if (node.path !== undefined) throw conflict(path, node.path);
    if (node.children.size > 0) throw conflict(path, path);
    node.path = path;
  }
}

function conflict(path: string, at: string): MongoCommandError {
  return new MongoCommandError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${at}'`);
}

/**
 * mingo sets a missing $push/$addToSet target to the raw `$each` list, skipping $sort/$slice/
 * $position and de-duplication, and silently ignores a non-array target. MongoDB starts from an
 * empty array and rejects non-arrays, so do that first on the copy (whose containers along the
 * updated paths are private). Returns true when an empty array was created.
 */
function prepareArrayTargets(copy: Document, modifier: Document): boolean {
  let created = false;
  for (const op of ['$push', '$addToSet']) {
    const spec: unknown = modifier[op];
    if (!isPlainObject(spec)) continue;
    for (const path of Object.keys(spec)) {
      if (path.includes('$')) continue; // $[] / $[id]: the elements must exist, mingo walks them
      const parts = path.split('.');
      const leafKey = parts.pop() as string;
      let parent: unknown = copy;
      let walkable = true;
      for (const part of parts) {
        if (Array.isArray(parent) && /^\d+$/.test(part)) parent = parent[Number(part)];
        else if (isPlainObject(parent)) parent = parent[part];
        else {
          walkable = false;
          break;
        }
        if (parent === undefined || parent === null) break;
      }
      if (!walkable) continue;
      if (parent === undefined || parent === null) {
        // Missing intermediate documents: create them, MongoDB does.
        if (parts.every((p) => !/^\d+$/.test(p))) {
          setPath(copy, path, []);
          created = true;
        }
        continue;
      }
      if (Array.isArray(parent) && !/^\d+$/.test(leafKey)) continue;
      if (!isPlainObject(parent) && !Array.isArray(parent)) continue;
      const container = parent as Record<string, unknown>;
      const leaf = container[leafKey];
      if (leaf === undefined) {
        container[leafKey] = [];
        created = true;
      } else if (!Array.isArray(leaf)) {
        throw new MongoCommandError('BadValue', `The field '${path}' must be an array but is of type ${bsonTypeName(leaf)} in document {_id: ${String(copy._id)}}`);
      }
    }
  }
  return created;
}

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) return 'date';
  if (isPlainObject(v)) return 'object';
  return typeof v;
}

/**
 * The base document of an upsert, by MongoDB's rules: the equality conditions of the filter
 * (top level, `$and`, `{$eq: v}`), with dotted paths expanded into sub-documents.
 */
export function upsertBase(filter: Document): Document {
  const base: Document = {};
  const collect = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) collect(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (isPlainObject(v)) {
        const keys = Object.keys(v);
        if (keys.some((x) => x.startsWith('$'))) {
          if ('$eq' in v) setPath(base, k, cloneValue(v.$eq));
          continue;
        }
      }
      setPath(base, k, cloneValue(v));
    }
  };
  collect(filter);
  return base;
}

/** Builds the document an upsert inserts (before uniqueness checks). */
export function buildUpsertDocument(filter: Document, update: UpdateSpec, arrayFilters: Document[] | undefined): Document {
  let doc: Document;
  if (!isPipelineUpdate(update) && !isOperatorUpdate(update)) {
    // Replacement upsert: the replacement, with _id taken from the filter when it has one.
    const base = upsertBase(filter);
    const { doc: replaced } = applyUpdate(base._id === undefined ? {} : { _id: base._id }, update, { filter, isInsert: true });
    doc = replaced;
  } else {
    doc = applyUpdate(upsertBase(filter), update, { filter, arrayFilters, isInsert: true }).doc;
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else if (Object.keys(doc)[0] !== '_id') {
    const { _id, ...rest } = doc;
    doc = { _id, ...rest };
  }
  return doc;
}
