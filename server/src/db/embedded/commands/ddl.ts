import type { Document } from 'bson';
import { Query } from 'mingo';
import { MongoCommandError } from '../errors.js';
import { normalizeIndexSpec, sameIndexOptions, type IndexSpec } from '../indexes.js';
import { queryOptions } from '../query.js';
import { ID_INDEX, type Collection } from '../store.js';
import { parseCollation } from '../collation.js';
import { isPlainObject, valueKey } from '../values.js';
import { collectionArg, optionalDoc } from './args.js';
import type { CommandContext, CommandHandler } from './context.js';

/** Fields the driver adds to every command; never collection options. */
export const GENERIC_FIELDS = new Set(['$db', 'lsid', '$clusterTime', '$readPreference', 'txnNumber', 'writeConcern', 'readConcern', 'comment', 'maxTimeMS', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'autocommit', 'startTransaction']);

function requireCollection(ctx: CommandContext, name: string): Collection {
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return coll;
}

export const create: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'create');
  const options: Document = {};
  for (const [k, v] of Object.entries(cmd)) if (k !== 'create' && !GENERIC_FIELDS.has(k)) options[k] = v;
  // A default collation is stored in MongoDB's full form; `simple` is no collation at all.
  if (options.collation !== undefined) {
    const collation = parseCollation(options.collation);
    if (collation) options.collation = collation.spec;
    else delete options.collation;
  }
  // MongoDB lists a validator's level and action with their defaults.
  if (isPlainObject(options.validator) && Object.keys(options.validator).length > 0) {
    options.validationLevel ??= 'strict';
    options.validationAction ??= 'error';
  }
  ctx.store.createCollection(ctx.db, name, options);
  return { ok: 1 };
};

export const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'drop');
  const coll = ctx.store.collection(ctx.db, name);
  // MongoDB 7 answers ok:1 for a collection that does not exist.
  const nIndexesWas = coll ? coll.indexSpecs().length : undefined;
  ctx.store.dropCollection(ctx.db, name);
  return nIndexesWas === undefined ? { ns: `${ctx.db}.${name}`, ok: 1 } : { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
};

export const dropDatabase: CommandHandler = (_cmd, ctx) => {
  for (const coll of ctx.store.collections(ctx.db)) ctx.store.dropCollection(ctx.db, coll.name);
  return { dropped: ctx.db, ok: 1 };
};

export const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'createIndexes');
  const raw: unknown = cmd.indexes;
  if (!Array.isArray(raw) || raw.length === 0) throw new MongoCommandError('BadValue', 'Must specify at least one index to create');
  const existing = ctx.store.collection(ctx.db, name);
  // An index without a collation takes the collection's default (MongoDB's rule).
  const inherited = existing?.defaultCollation?.spec;
  const specs = raw.map((r: unknown) => normalizeIndexSpec(inherited && isPlainObject(r) && r.collation === undefined ? { ...r, collation: inherited } : r));
  // Validate everything first so a conflicting spec creates nothing.
  const current = existing ? existing.indexSpecs() : [ID_INDEX];
  const toCreate: IndexSpec[] = [];
  for (const spec of specs) {
    const pending = [...current, ...toCreate];
    const byName = pending.find((s) => s.name === spec.name);
    if (byName) {
      if (sameIndexOptions(byName, spec) || (spec.name === '_id_' && valueKey(spec.key) === valueKey(ID_INDEX.key))) continue;
      if (valueKey(byName.key) !== valueKey(spec.key)) {
        throw new MongoCommandError('IndexKeySpecsConflict', `An existing index has the same name as the requested index but different key specification. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName)}`);
      }
      throw new MongoCommandError('IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName)}`);
    }
    const byKey = pending.find((s) => valueKey(s.key) === valueKey(spec.key));
    if (byKey) {
      if (sameIndexOptions(byKey, spec)) throw new MongoCommandError('IndexOptionsConflict', `Index already exists with a different name: ${byKey.name}`);
      // MongoDB allows several indexes on one key pattern only when their partial filters differ.
      if (valueKey(byKey.partialFilterExpression) === valueKey(spec.partialFilterExpression)) {
        throw new MongoCommandError('IndexOptionsConflict', `An existing index has the same key pattern but different options: ${byKey.name}`);
      }
    }
    toCreate.push(spec);
  }
  const { coll, created } = ctx.store.ensureCollection(ctx.db, name);
  const numIndexesBefore = coll.indexSpecs().length;
  for (const spec of toCreate) ctx.store.createIndex(coll, spec);
  const reply: Document = { numIndexesBefore, numIndexesAfter: coll.indexSpecs().length, createdCollectionAutomatically: created };
  if (toCreate.length === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
};

export const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'listIndexes');
  const coll = requireCollection(ctx, name);
  const batchSize = optionalDoc(cmd, 'cursor')?.batchSize;
  return { cursor: ctx.cursors.open(coll.ns, coll.indexSpecs(), typeof batchSize === 'number' ? batchSize : undefined, false), ok: 1 };
};

export const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, Object.keys(cmd)[0] ?? 'dropIndexes');
  const coll = requireCollection(ctx, name);
  const nIndexesWas = coll.indexSpecs().length;
  const target: unknown = cmd.index;
  let names: string[];
  if (target === '*') names = [...coll.indexes.keys()];
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target) && target.every((t): t is string => typeof t === 'string')) names = target;
  else if (target !== null && typeof target === 'object') {
    const match = coll.indexSpecs().find((s) => valueKey(s.key) === valueKey(target));
    if (!match) throw new MongoCommandError('IndexNotFound', `can't find index with key: ${JSON.stringify(target)}`);
    names = [match.name];
  } else throw new MongoCommandError('TypeMismatch', "BSON field 'index' is the wrong type");
  for (const n of names) {
    if (n === '_id_') throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.has(n)) throw new MongoCommandError('IndexNotFound', `index not found with name [${n}]`);
  }
  for (const n of names) ctx.store.dropIndex(coll, n);
  return { nIndexesWas, ok: 1 };
};

export const listCollections: CommandHandler = (cmd, ctx) => {
  const filter = optionalDoc(cmd, 'filter');
  const nameOnly = cmd.nameOnly === true;
  let entries: Document[] = ctx.store.collections(ctx.db).map((c) =>
    nameOnly ? { name: c.name, type: 'collection' } : { name: c.name, type: 'collection', options: c.options, info: { readOnly: false }, idIndex: ID_INDEX },
  );
  if (filter) {
    const q = new Query(filter, queryOptions);
    entries = entries.filter((e) => q.test(e));
  }
  const batchSize = optionalDoc(cmd, 'cursor')?.batchSize;
  return { cursor: ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, entries, typeof batchSize === 'number' ? batchSize : undefined, false), ok: 1 };
};

export const listDatabases: CommandHandler = (cmd, ctx) => {
  let dbs: Document[] = ctx.store.databases().map((name) => ({ name, sizeOnDisk: 0, empty: false }));
  const filter = optionalDoc(cmd, 'filter');
  if (filter) {
    const q = new Query(filter, queryOptions);
    dbs = dbs.filter((d) => q.test(d));
  }
  if (cmd.nameOnly === true) return { databases: dbs.map((d) => ({ name: d.name as string })), ok: 1 };
  return { databases: dbs, totalSize: 0, totalSizeMb: 0, ok: 1 };
};

export const collStats: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'collStats');
  const coll = requireCollection(ctx, name);
  const specs = coll.indexSpecs();
  return { ns: coll.ns, count: coll.docs.size, size: 0, storageSize: 0, nindexes: specs.length, indexSizes: Object.fromEntries(specs.map((s) => [s.name, 0])), ok: 1 };
};

export const dbStats: CommandHandler = (_cmd, ctx) => {
  const colls = ctx.store.collections(ctx.db);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects: colls.reduce((n, c) => n + c.docs.size, 0),
    indexes: colls.reduce((n, c) => n + c.indexSpecs().length, 0),
    dataSize: 0,
    storageSize: 0,
    ok: 1,
  };
};
