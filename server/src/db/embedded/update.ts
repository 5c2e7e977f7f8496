import { ObjectId, type Document } from 'bson';
import { updateOne } from 'mingo';
import type { Modifier, PipelineStage } from 'mingo/updater';
import { MongoCommandError } from './errors.js';
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
    const result = runMingoUpdate(doc, modifier as Modifier<Document>, opts);
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

function runMingoUpdate(doc: Document, modifier: Modifier<Document> | PipelineStage[], opts: ApplyOptions): { doc: Document; modified: boolean } {
  const copy = cloneValue(doc);
  const created = Array.isArray(modifier) ? false : prepareArrayTargets(copy, modifier);
  const docs = [copy];
  const res = updateOne(docs, opts.isInsert ? {} : opts.filter, modifier, { arrayFilters: opts.arrayFilters ?? [], cloneMode: 'deep' }, queryOptions);
  return { doc: docs[0] as Document, modified: created || res.modifiedCount > 0 };
}

/**
 * mingo sets a missing $push/$addToSet target to the raw `$each` list, skipping $sort/$slice/
 * $position and de-duplication, and silently ignores a non-array target. MongoDB starts from an
 * empty array and rejects non-arrays, so do that first on the (private) copy.
 * Returns true when an empty array was created.
 */
function prepareArrayTargets(copy: Document, modifier: Document): boolean {
  let created = false;
  for (const op of ['$push', '$addToSet']) {
    const spec: unknown = modifier[op];
    if (!isPlainObject(spec)) continue;
    for (const path of Object.keys(spec)) {
      if (path.includes('$')) continue; // positional paths: the element must exist, mingo resolves them
      const parts = path.split('.');
      let cur: unknown = copy;
      let walkable = true;
      for (const part of parts.slice(0, -1)) {
        if (!isPlainObject(cur)) {
          walkable = false;
          break;
        }
        cur = cur[part];
        if (cur === undefined || cur === null) break;
      }
      if (!walkable || Array.isArray(cur)) continue;
      const leaf = isPlainObject(cur) ? cur[parts[parts.length - 1] as string] : undefined;
      if (leaf === undefined) {
        if (cur !== undefined && cur !== null && !isPlainObject(cur)) continue;
        setPath(copy, path, []);
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
