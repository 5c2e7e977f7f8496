import { BSON, ObjectId, Timestamp, type Document } from 'bson';
import { Aggregator } from 'mingo';
import * as mingoUpdate from 'mingo/operators/update';
import { isEqual as mingoEqual, isObject as mingoObject } from 'mingo/util';
import { valuesEqual } from './bsonvalues.js';
import { copyAlongPaths } from './diff.js';
import { MongoCommandError } from './errors.js';
import { resolvePositional } from './positional.js';
import { queryOptions } from './query.js';
import { OWN_OPERATORS, expandArrayUpdates, pathTarget } from './updateops.js';
import { cloneValue, isPlainObject, setPath, shellValue } from './values.js';

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
    if (op) throw new MongoCommandError('DollarPrefixedFieldName', `The dollar ($) prefixed field '${op}' in '${op}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
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
    next = runPipelineUpdate(doc, update, opts);
  } else if (isOperatorUpdate(update)) {
    const modifier: Document = { ...update };
    const onInsert: unknown = modifier.$setOnInsert;
    delete modifier.$setOnInsert;
    if (opts.isInsert && isPlainObject(onInsert)) modifier.$set = { ...(isPlainObject(modifier.$set) ? modifier.$set : {}), ...onInsert };
    if (Object.keys(modifier).length === 0) return { doc, modified: false };
    const result = runMingoUpdate(doc, modifier, opts);
    // MongoDB checks the result: setting _id (or a part of it) to the value it has is allowed.
    if (doc._id !== undefined && !valuesEqual(result.doc._id, doc._id)) {
      throw new MongoCommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    // The operators report whether they changed a value: cheaper than comparing whole documents.
    return { doc: result.doc, modified: result.modified };
  } else {
    const { _id: _ignored, ...rest } = update;
    next = doc._id === undefined ? cloneValue(rest) : { _id: doc._id, ...cloneValue(rest) };
    if (update._id !== undefined) next._id = update._id;
  }
  if (next._id === undefined && doc._id !== undefined) next = { _id: doc._id, ...next };
  if (doc._id !== undefined && !valuesEqual(next._id, doc._id)) {
    throw new MongoCommandError('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${shellValue(next._id)}`);
  }
  // Byte comparison: a value of another BSON type (5 → 5.0) is a modification.
  return { doc: next, modified: Buffer.compare(BSON.serialize(next), BSON.serialize(doc)) !== 0 };
}

function isIdPath(path: string): boolean {
  return path === '_id' || path.startsWith('_id.');
}

/**
 * Top-level `$`-prefixed field names (`{$set: {$hotel: 1}}`) may only be created by an upsert
 * that inserts (MongoDB validates it as an insert); on an existing document MongoDB refuses them
 * (52). Nested ones (`'address.$street'`) are ordinary fields.
 */
function guardDollarFields(modifier: Document, isInsert: boolean): void {
  if (isInsert) return;
  for (const [op, spec] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(spec as Document)) {
      for (const p of op === '$rename' && typeof value === 'string' ? [path, value] : [path]) {
        if (!p.startsWith('$')) continue;
        const field = p.split('.')[0] as string;
        throw new MongoCommandError(
          'DollarPrefixedFieldName',
          `The dollar ($) prefixed field '${field}' in '${p}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
        );
      }
    }
  }
}

/** `$set` of a path mingo will not write (`_id…`, or a top-level `$field` of an upsert): set it here. */
function setDirectly(copy: Document, path: string, value: unknown): boolean {
  const parts = path.split('.');
  let cur: Document = copy;
  for (const part of parts.slice(0, -1)) {
    const next: unknown = cur[part];
    if (next === undefined) cur = cur[part] = {};
    else if (isPlainObject(next)) cur = next;
    else throw new MongoCommandError('PathNotViable', `Cannot create field '${parts[parts.length - 1] as string}' in element {${part}: ${shellValue(next)}}`);
  }
  const last = parts[parts.length - 1] as string;
  if (cur[last] !== undefined && Buffer.compare(BSON.serialize({ v: cur[last] }), BSON.serialize({ v: value })) === 0) return false;
  cur[last] = cloneValue(value);
  return true;
}

/** The stages MongoDB allows in a pipeline-style update. */
const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/**
 * A pipeline-style update: the stages run on a private copy of the document (so `$replaceWith`
 * with `$setField` may create top-level `$`-prefixed fields, as MongoDB allows there).
 */
function runPipelineUpdate(doc: Document, pipeline: Document[], opts: ApplyOptions): Document {
  if (opts.arrayFilters && opts.arrayFilters.length > 0) throw new MongoCommandError('FailedToParse', 'arrayFilters may not be specified for pipeline-style updates');
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0] ?? '';
    if (!UPDATE_STAGES.has(name)) throw new MongoCommandError('InvalidOptions', `${name} is not allowed to be used within an update`);
  }
  const [out] = new Aggregator(pipeline, queryOptions).run([cloneValue(doc)]) as Document[];
  if (!isPlainObject(out)) throw new MongoCommandError('BadValue', 'A pipeline-style update must produce a document');
  return out;
}

function runMingoUpdate(doc: Document, modifier: Document, opts: ApplyOptions): { doc: Document; modified: boolean } {
  // `$` becomes the matched index here, so mingo needs no query and conflicts are checked on real paths.
  const resolved = resolvePositional(doc, modifier, opts.isInsert ? {} : opts.filter);
  checkConflicts(updatePaths(resolved));
  guardDollarFields(resolved, opts.isInsert);
  // `$[]` and `$[id]` become the indexes they designate: operators then see concrete paths only.
  const concrete = expandArrayUpdates(doc, resolved, opts.arrayFilters ?? []);
  // Copy-on-write: only the containers on updated paths are copied; the rest stays shared
  // with the stored version (never mutated), which also lets the journal record a diff.
  const copy = copyAlongPaths(doc, updatePaths(concrete), cloneValue);
  let modified = prepareArrayTargets(copy, concrete);
  for (const [op, spec] of Object.entries(concrete)) {
    const own = OWN_OPERATORS[op];
    const apply = OPERATORS[op] as Operator;
    for (const [path, value] of Object.entries(spec as Document)) {
      if (own) {
        if (own(copy, path, value, doc)) modified = true;
      } else if (op === '$set' && (isIdPath(path) || path.startsWith('$'))) {
        if (setDirectly(copy, path, value)) modified = true;
      } else if (isIdPath(path) || (op === '$rename' && isIdPath(String(value)))) {
        throw new MongoCommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
      } else if (op === '$set' || op === '$push') {
        const fast = op === '$set' ? fastSet(copy, path, value) : fastPush(copy, path, value);
        // A field inside a scalar: mingo would skip it; MongoDB refuses (28).
        if (fast === undefined && op === '$set') pathTarget(copy, path, 'check');
        if (fast ?? apply({ [path]: value }, [])(copy).length > 0) modified = true;
      } else if (apply({ [path]: value }, [])(copy).length > 0) {
        // One path per call: mingo checks conflicts per operator on the path before a positional
        // element ('a.0.x' and 'a.0.y' would "conflict"); checkConflicts() already did it right.
        modified = true;
      }
    }
  }
  return { doc: copy, modified };
}

/**
 * The object holding the last field of `path` in `copy`, when every field before it is an
 * object there (mingo's own test) and no field is `__proto__` or holds a `$`; else undefined. The containers
 * on an updated path are private copies (copyAlongPaths).
 */
function objectParent(copy: Document, path: string): { parent: Document; key: string } | undefined {
  // `$`-prefixed fields (an upsert's) and positional leftovers: mingo's own checks apply.
  if (path.includes('$')) return undefined;
  let cur: Document = copy;
  let start = 0;
  for (;;) {
    const dot = path.indexOf('.', start);
    const key = dot < 0 ? path.slice(start) : path.slice(start, dot);
    if (key === '__proto__') return undefined;
    if (dot < 0) return { parent: cur, key };
    const next: unknown = cur[key];
    if (!mingoObject(next)) return undefined;
    cur = next as Document;
    start = dot + 1;
  }
}

/**
 * mingo's `$set` of one path through objects only, without its per-call path parsing, walk and
 * conflict tracking: the same equality test (no change when equal) and the same copy of the
 * value (mingo's "copy" clone mode). Undefined: not such a path, mingo does it.
 */
function fastSet(copy: Document, path: string, value: unknown): boolean | undefined {
  const at = objectParent(copy, path);
  if (!at || !mingoObject(at.parent)) return undefined;
  if (mingoEqual(at.parent[at.key], value)) return false;
  at.parent[at.key] = value instanceof Date ? new Date(value) : Array.isArray(value) ? value.slice() : mingoObject(value) ? Object.assign({}, value) : value instanceof RegExp ? new RegExp(value) : value;
  return true;
}

const PUSH_MODIFIERS = ['$each', '$slice', '$sort', '$position'];

/** mingo's `$push` of one plain value (no modifiers) onto an existing array reached through objects; else undefined. */
function fastPush(copy: Document, path: string, value: unknown): boolean | undefined {
  if (mingoObject(value) && PUSH_MODIFIERS.some((m) => Object.hasOwn(value as Document, m))) return undefined;
  const at = objectParent(copy, path);
  if (!at || !mingoObject(at.parent)) return undefined;
  const target: unknown = at.parent[at.key];
  if (!Array.isArray(target)) return undefined;
  target.push(value);
  return true;
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
 * clock here, so the journal's diff carries the value. `$inc`, `$mul`, `$min`, `$max`, `$bit`
 * and `$pull` are the embedded server's own (updateops.ts: BSON number types and order).
 */
const OPERATORS: Record<string, Operator> = {
  $set: mingoUpdate.$set,
  $unset: mingoUpdate.$unset,
  $rename: mingoUpdate.$rename,
  $push: mingoUpdate.$push,
  $addToSet: mingoUpdate.$addToSet,
  $pop: mingoUpdate.$pop,
  $pullAll: mingoUpdate.$pullAll,
  $currentDate: currentDate,
};

/** Every path an operator update writes (operators' field paths and `$rename` targets); validates the operators. */
function updatePaths(modifier: Document): string[] {
  const paths: string[] = [];
  for (const [op, spec] of Object.entries(modifier)) {
    if (!Object.hasOwn(OPERATORS, op) && !Object.hasOwn(OWN_OPERATORS, op)) {
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
      const at = pathTarget(copy, path, 'check');
      if (!at) {
        // Missing intermediate documents: create them, MongoDB does.
        if (path.split('.').slice(0, -1).every((p) => !/^\d+$/.test(p))) {
          setPath(copy, path, []);
          created = true;
        }
        continue;
      }
      const container = at.parent as Record<string | number, unknown>;
      const leaf = container[at.key];
      if (leaf === undefined) {
        container[at.key] = [];
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
