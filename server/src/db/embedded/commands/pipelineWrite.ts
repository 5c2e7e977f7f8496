import { randomBytes } from 'node:crypto';
import { ObjectId, type Document } from 'bson';
import { Aggregator } from 'mingo';
import { MongoCommandError } from '../errors.js';
import { queryOptions } from '../query.js';
import { TEMP_COLLECTION_PREFIX, type Collection, type Store, type WriteOptions } from '../store.js';
import { cloneValue, isPlainObject, pathValues, valueKey } from '../values.js';
import { matchDocs } from './args.js';

/** A pipeline's final `$out` / `$merge` stage, parsed. */
export type PipelineWrite = { kind: '$out'; db: string; coll: string } | { kind: '$merge'; db: string; coll: string; spec: MergeSpec };

interface MergeSpec {
  on: string[];
  whenMatched: 'replace' | 'keepExisting' | 'merge' | 'fail' | Document[];
  whenNotMatched: 'insert' | 'discard' | 'fail';
  let: Document;
}

function target(raw: unknown, defaultDb: string, stage: string): { db: string; coll: string } {
  if (typeof raw === 'string' && raw.length > 0) return { db: defaultDb, coll: raw };
  if (isPlainObject(raw) && typeof raw.coll === 'string') return { db: typeof raw.db === 'string' ? raw.db : defaultDb, coll: raw.coll };
  throw new MongoCommandError('FailedToParse', `${stage} requires a collection name or {db, coll}`);
}

/** Splits a pipeline into the stages to run and its final `$out`/`$merge` (which must be last). */
export function splitPipelineWrite(pipeline: Document[], db: string): { stages: Document[]; write?: PipelineWrite } {
  pipeline.forEach((stage, i) => {
    const name = Object.keys(stage)[0] ?? '';
    if ((name === '$out' || name === '$merge') && i !== pipeline.length - 1) {
      throw new MongoCommandError('Location40601', `${name} can only be the final stage in the pipeline`);
    }
  });
  const last = pipeline[pipeline.length - 1];
  if (!last) return { stages: pipeline };
  const name = Object.keys(last)[0];
  if (name === '$out') return { stages: pipeline.slice(0, -1), write: { kind: '$out', ...target(last.$out, db, '$out') } };
  if (name !== '$merge') return { stages: pipeline };
  const raw: unknown = last.$merge;
  const spec = isPlainObject(raw) ? raw : { into: raw };
  const on = spec.on === undefined ? ['_id'] : Array.isArray(spec.on) ? spec.on : [spec.on];
  if (on.length === 0 || !on.every((f): f is string => typeof f === 'string')) throw new MongoCommandError('FailedToParse', "$merge 'on' must be a string or an array of strings");
  const whenMatched: unknown = spec.whenMatched ?? 'merge';
  const whenNotMatched: unknown = spec.whenNotMatched ?? 'insert';
  if (!(Array.isArray(whenMatched) || whenMatched === 'replace' || whenMatched === 'keepExisting' || whenMatched === 'merge' || whenMatched === 'fail')) {
    throw new MongoCommandError('BadValue', `Enumeration value '${String(whenMatched)}' for field '$merge.whenMatched' is not a valid value.`);
  }
  if (whenNotMatched !== 'insert' && whenNotMatched !== 'discard' && whenNotMatched !== 'fail') {
    throw new MongoCommandError('BadValue', `Enumeration value '${String(whenNotMatched)}' for field '$merge.whenNotMatched' is not a valid value.`);
  }
  return {
    stages: pipeline.slice(0, -1),
    write: { kind: '$merge', ...target(spec.into, db, '$merge'), spec: { on, whenMatched: whenMatched as MergeSpec['whenMatched'], whenNotMatched, let: isPlainObject(spec.let) ? spec.let : {} } },
  };
}

/** Writes a pipeline's results as its `$out`/`$merge` stage says. */
export function runPipelineWrite(store: Store, write: PipelineWrite, results: Document[], opts: WriteOptions): void {
  if (write.kind === '$out') writeOut(store, write.db, write.coll, results, opts);
  else writeMerge(store, write.db, write.coll, write.spec, results, opts);
}

/**
 * `$out`: the target is replaced by the results, keeping its indexes and options (validator).
 * The results go into a temporary collection first and are swapped in by one rename record,
 * so a failure (duplicate key, validation) or a crash leaves the old contents untouched.
 */
function writeOut(store: Store, db: string, name: string, results: Document[], opts: WriteOptions): void {
  const existing = store.collection(db, name);
  const tmpName = `${TEMP_COLLECTION_PREFIX}${randomBytes(6).toString('hex')}`;
  store.createCollection(db, tmpName, existing ? existing.options : {});
  const tmp = store.collection(db, tmpName) as Collection;
  try {
    if (existing) for (const index of existing.indexes.values()) store.createIndex(tmp, index.spec);
    for (const doc of results) store.insert(tmp, doc, opts);
  } catch (err) {
    store.dropCollection(db, tmpName);
    throw err;
  }
  store.renameCollection(db, tmpName, name);
}

function onKey(doc: Document, on: string[]): Document | undefined {
  const key: Document = {};
  for (const field of on) {
    const values = pathValues(doc, field);
    const v = values[0];
    if (values.length !== 1 || v === undefined || v === null || Array.isArray(v)) return undefined;
    key[field] = v;
  }
  return key;
}

function hasUniqueIndexOn(coll: Collection | undefined, on: string[]): boolean {
  if (on.length === 1 && on[0] === '_id') return true;
  if (!coll) return false;
  const wanted = [...on].sort().join('\0');
  for (const index of coll.indexes.values()) {
    if (index.unique && !index.spec.partialFilterExpression && [...index.fields].sort().join('\0') === wanted) return true;
  }
  return false;
}

/** `$merge`: each result is matched on `on` in the target and inserted, replaced, merged, kept or refused. */
function writeMerge(store: Store, db: string, name: string, spec: MergeSpec, results: Document[], opts: WriteOptions): void {
  const existing = store.collection(db, name);
  if (!hasUniqueIndexOn(existing, spec.on)) {
    throw new MongoCommandError('Location51183', 'Cannot find index to verify that join fields will be unique');
  }
  const coll = existing ?? store.ensureCollection(db, name).coll;
  const idOnly = spec.on.length === 1 && spec.on[0] === '_id';
  for (const result of results) {
    let key = onKey(result, spec.on);
    let doc = result;
    if (!key && idOnly && result._id === undefined) {
      // MongoDB gives a result without _id a new one, so it can only be inserted.
      doc = { _id: new ObjectId(), ...result };
      key = { _id: doc._id };
    }
    if (!key) throw new MongoCommandError('Location51132', "$merge write error: 'on' field cannot be missing, null, undefined or an array");
    const matched = matchDocs(coll, key)[0];
    if (!matched) {
      if (spec.whenNotMatched === 'discard') continue;
      if (spec.whenNotMatched === 'fail') {
        throw new MongoCommandError('Location13113', '$merge could not find a matching document in the target collection for at least one document in the source collection');
      }
      store.insert(coll, doc, opts);
      continue;
    }
    const mode = spec.whenMatched;
    if (mode === 'keepExisting') continue;
    if (mode === 'fail') {
      throw new MongoCommandError('DuplicateKey', `E11000 duplicate key error collection: ${coll.ns} index: ${idOnly ? '_id_' : spec.on.join('_')} dup key: ${JSON.stringify(key)}`);
    }
    if (!Array.isArray(mode) && doc._id !== undefined && valueKey(doc._id) !== valueKey(matched._id)) {
      throw new MongoCommandError('ImmutableField', "$merge failed to update the matching document, did you attempt to modify the _id or the shard key? :: caused by :: Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    let next: Document;
    if (mode === 'replace') next = { _id: matched._id, ...cloneValue(doc) };
    else if (mode === 'merge') next = { ...matched, ...cloneValue(doc) };
    else next = new Aggregator(mode, { ...queryOptions, variables: { ...spec.let, new: doc } }).run([cloneValue(matched)])[0] as Document;
    if (valueKey(next) !== valueKey(matched)) store.replace(coll, matched, next, opts);
  }
}
