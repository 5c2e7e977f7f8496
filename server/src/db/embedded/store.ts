import { BSON, ObjectId, type Document } from 'bson';
import { applyDiff, diffDocuments, type DiffOp } from './diff.js';
import { RecordTooLargeError } from './journal.js';
import { MongoCommandError } from './errors.js';
import { duplicateKeyError, Index, type IndexSpec } from './indexes.js';
import { parseCollation, type Collation } from './collation.js';
import { CollectionValidator } from './validator.js';
import { valueKey } from './values.js';

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * Physical journal records. They carry the RESULT of a write (the full new document, the
 * changed paths of an updated one, the _id removed...), so replay never re-evaluates queries
 * or operators.
 */
export type StoreRecord =
  | { op: 'createColl'; db: string; c: string; options: Document }
  | { op: 'dropColl'; db: string; c: string }
  | { op: 'createIndex'; db: string; c: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; c: string; name: string }
  /** collMod: the collection's options (validator...) as they are now. */
  | { op: 'collMod'; db: string; c: string; options: Document }
  /** collMod of an index (hidden, expireAfterSeconds): its spec as it is now. */
  | { op: 'modIndex'; db: string; c: string; spec: IndexSpec }
  /** Moves collection `c` to name `to` of the same db, replacing any collection there ($out). */
  | { op: 'renameColl'; db: string; c: string; to: string }
  | { op: 'put'; db: string; c: string; doc: Document }
  /** An update as a physical diff of the stored version (see diff.ts). */
  | { op: 'update'; db: string; c: string; id: unknown; d: DiffOp[] }
  | { op: 'del'; db: string; c: string; id: unknown };

export class Collection {
  /** idKey -> document. Map order is insertion order, our "natural order". Documents are never mutated in place. */
  readonly docs = new Map<string, Document>();
  /** Secondary indexes by name (the _id index is implicit: `docs` is keyed by _id). */
  readonly indexes = new Map<string, Index>();
  /** Compiled from `options`; undefined (no cost per write) for a collection without one. */
  validator: CollectionValidator | undefined;
  /** `create`'s `collation`: the default of queries and new indexes; undefined = simple. */
  readonly defaultCollation: Collation | undefined;

  constructor(
    readonly db: string,
    readonly name: string,
    public options: Document,
  ) {
    this.validator = CollectionValidator.fromOptions(options);
    this.defaultCollation = parseCollation(options.collation);
  }

  setOptions(options: Document): void {
    this.validator = CollectionValidator.fromOptions(options);
    this.options = options;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  all(): Document[] {
    return [...this.docs.values()];
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  /** Rejects a document version that would violate a unique index (including _id). */
  checkUnique(doc: Document, previous: Document | undefined): void {
    const id = valueKey(doc._id);
    if (!previous || (previous._id !== doc._id && valueKey(previous._id) !== id)) {
      if (this.docs.has(id)) throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, [doc._id]);
    }
    for (const index of this.indexes.values()) {
      // A new version with the same keys still owns them: nothing to check (most updates).
      if (previous && index.unique && index.sameKeys(previous, doc)) continue;
      index.check(this.ns, doc, id);
    }
  }
}

/** Options of one document write. */
export interface WriteOptions {
  /** `bypassDocumentValidation: true`: the collection's validator is not applied. */
  bypassValidation?: boolean;
  /** The insert is an upsert's (its size error is MongoDB's upsert one). */
  upsert?: boolean;
}

export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  /** Called for a write that breaks a validator with `validationAction: 'warn'` (MongoDB logs it). */
  onValidationWarning: (coll: Collection, id: unknown, details: Document) => void = () => undefined;

  /**
   * `log` receives every record before it is applied in memory (the journal). It must throw
   * RecordTooLargeError, queuing nothing, when a record's payload exceeds `maxBytes`.
   */
  constructor(private readonly log: (rec: StoreRecord, maxBytes: number) => void = () => undefined) {}

  // ---- reads ----

  collection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  databases(): string[] {
    return [...this.dbs.keys()].filter((db) => (this.dbs.get(db)?.size ?? 0) > 0);
  }

  // ---- writes: each one builds a physical record, applies it and logs it ----

  /**
   * Logs `rec`, then applies it in memory (`live` when the caller already holds the result,
   * e.g. the new version of an updated document: no need to replay the diff).
   */
  private commit(rec: StoreRecord, live?: () => void, tooLarge?: (docBytes: number) => MongoCommandError): void {
    // Log first: encoding can throw (document too large, closed journal) and then memory
    // must stay untouched. A `put`'s size check rides on the journal's serialization (one
    // pass): the record is the document plus a wrapper of exactly known size.
    const overhead = rec.op === 'put' ? putOverhead(rec.db, rec.c) : 0;
    try {
      this.log(rec, rec.op === 'put' ? MAX_BSON_OBJECT_SIZE + overhead : MAX_RECORD_BYTES);
    } catch (err) {
      if (err instanceof RecordTooLargeError) {
        const docBytes = err.size - overhead;
        throw tooLarge ? tooLarge(docBytes) : insertTooLarge(docBytes);
      }
      throw err;
    }
    if (live) live();
    else this.apply(rec);
  }

  /** Applies the collection's validator to a new document version (121, or a warning). */
  private validate(coll: Collection, next: Document, previous: Document | undefined, opts: WriteOptions): void {
    const validator = coll.validator;
    if (!validator || opts.bypassValidation === true || !validator.fails(next, previous)) return;
    if (validator.action === 'warn') {
      this.onValidationWarning(coll, next._id, validator.details(next));
      return;
    }
    throw validator.error(next);
  }

  /** Returns the collection, creating it implicitly (as MongoDB does on first write). */
  ensureCollection(db: string, name: string): { coll: Collection; created: boolean } {
    const existing = this.collection(db, name);
    if (existing) return { coll: existing, created: false };
    validateCollectionName(name);
    this.commit({ op: 'createColl', db, c: name, options: {} });
    return { coll: this.collection(db, name) as Collection, created: true };
  }

  createCollection(db: string, name: string, options: Document): void {
    if (this.collection(db, name)) {
      throw new MongoCommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    validateCollectionName(name);
    CollectionValidator.fromOptions(options); // a bad validator creates nothing
    this.commit({ op: 'createColl', db, c: name, options });
  }

  /** collMod: replaces the collection's options (validated first; journaled). */
  setCollectionOptions(coll: Collection, options: Document): void {
    CollectionValidator.fromOptions(options);
    this.commit({ op: 'collMod', db: coll.db, c: coll.name, options });
  }

  /**
   * Renames `from` to `to` in one journal record, dropping what `to` held: `$out` fills a
   * temporary collection and swaps it in with this, so a crash shows the old or the new
   * result, never a mix.
   */
  renameCollection(db: string, from: string, to: string): void {
    validateCollectionName(to);
    this.commit({ op: 'renameColl', db, c: from, to });
  }

  /** Drops `$out`'s temporary collections a crash left behind (MongoDB does so at startup too). */
  dropTemporaryCollections(): void {
    for (const db of this.databases()) {
      for (const coll of this.collections(db)) if (coll.name.startsWith(TEMP_COLLECTION_PREFIX)) this.dropCollection(db, coll.name);
    }
  }

  /** collMod of an index: replaces its spec (hidden, expireAfterSeconds; same key and name). */
  modifyIndex(coll: Collection, spec: IndexSpec): void {
    this.commit({ op: 'modIndex', db: coll.db, c: coll.name, spec });
  }

  dropCollection(db: string, name: string): boolean {
    if (!this.collection(db, name)) return false;
    this.commit({ op: 'dropColl', db, c: name });
    return true;
  }

  createIndex(coll: Collection, spec: IndexSpec): void {
    // Building a unique index over existing duplicates fails like MongoDB (E11000), creating nothing.
    const probe = new Index(spec);
    for (const [id, doc] of coll.docs) {
      probe.check(coll.ns, doc, id);
      probe.add(doc, id);
    }
    this.commit({ op: 'createIndex', db: coll.db, c: coll.name, spec });
  }

  dropIndex(coll: Collection, name: string): void {
    this.commit({ op: 'dropIndex', db: coll.db, c: coll.name, name });
  }

  /**
   * Inserts a new document; `_id` is added (first) when missing. Checks validation and
   * uniqueness first, then the 16 MiB limit: a refused document stores nothing.
   */
  insert(coll: Collection, doc: Document, opts: WriteOptions = {}): Document {
    const stored = doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc);
    if (Array.isArray(stored._id) || stored._id instanceof RegExp) {
      throw new MongoCommandError('BadValue', `can't use an array for _id`);
    }
    this.validate(coll, stored, undefined, opts);
    coll.checkUnique(stored, undefined);
    this.commit({ op: 'put', db: coll.db, c: coll.name, doc: stored }, undefined, opts.upsert ? upsertTooLarge : insertTooLarge);
    return stored;
  }

  /** Replaces `previous` by `next` (same _id). Checks validation and uniqueness first; a failure changes nothing. */
  replace(coll: Collection, previous: Document, next: Document, opts: WriteOptions = {}): void {
    this.validate(coll, next, previous, opts);
    coll.checkUnique(next, previous);
    const diff = diffDocuments(previous, next);
    if (!diff) {
      this.commit({ op: 'put', db: coll.db, c: coll.name, doc: next }, undefined, updateTooLarge);
      return;
    }
    // The journal no longer sees the whole document, so the 16 MiB limit is checked on its
    // tracked size (BSON sizes are additive: old size + the diff's delta is exact).
    const size = bsonSize(previous) + diff.sizeDelta;
    if (size > MAX_BSON_OBJECT_SIZE) throw updateTooLarge(size);
    this.commit({ op: 'update', db: coll.db, c: coll.name, id: next._id, d: diff.ops }, () => {
      docSizes.set(next, size);
      putDocument(coll, next);
    });
  }

  remove(coll: Collection, doc: Document): void {
    this.commit({ op: 'del', db: coll.db, c: coll.name, id: doc._id });
  }

  // ---- physical apply (live writes and journal replay) ----

  apply(rec: StoreRecord): void {
    switch (rec.op) {
      case 'createColl': {
        let db = this.dbs.get(rec.db);
        if (!db) this.dbs.set(rec.db, (db = new Map()));
        if (!db.has(rec.c)) db.set(rec.c, new Collection(rec.db, rec.c, rec.options));
        return;
      }
      case 'dropColl':
        this.dbs.get(rec.db)?.delete(rec.c);
        return;
      case 'createIndex': {
        const coll = this.applyTarget(rec.db, rec.c);
        const index = new Index(rec.spec);
        for (const [id, doc] of coll.docs) index.add(doc, id);
        coll.indexes.set(rec.spec.name, index);
        return;
      }
      case 'dropIndex':
        this.collection(rec.db, rec.c)?.indexes.delete(rec.name);
        return;
      case 'collMod':
        this.applyTarget(rec.db, rec.c).setOptions(rec.options);
        return;
      case 'renameColl': {
        const db = this.dbs.get(rec.db);
        const src = db?.get(rec.c);
        if (!db || !src) return;
        const moved = new Collection(rec.db, rec.to, src.options);
        for (const [id, doc] of src.docs) moved.docs.set(id, doc);
        // Index entries are keyed by document id, not by collection: they move as they are.
        for (const [name, index] of src.indexes) moved.indexes.set(name, index);
        db.delete(rec.c);
        db.delete(rec.to);
        db.set(rec.to, moved);
        return;
      }
      case 'modIndex': {
        const index = this.collection(rec.db, rec.c)?.indexes.get(rec.spec.name);
        if (index) index.spec = rec.spec;
        return;
      }
      case 'put':
        putDocument(this.applyTarget(rec.db, rec.c), rec.doc);
        return;
      case 'update': {
        const coll = this.collection(rec.db, rec.c);
        const old = coll?.docs.get(valueKey(rec.id));
        if (!coll || !old) throw new Error(`journal update of a missing document ${rec.db}.${rec.c} _id ${String(rec.id)}`);
        putDocument(coll, applyDiff(old, rec.d));
        return;
      }
      case 'del': {
        const coll = this.collection(rec.db, rec.c);
        if (!coll) return;
        const id = valueKey(rec.id);
        const old = coll.docs.get(id);
        if (!old) return;
        for (const index of coll.indexes.values()) index.remove(old, id);
        coll.docs.delete(id);
        return;
      }
    }
  }

  private applyTarget(db: string, c: string): Collection {
    const coll = this.collection(db, c);
    if (coll) return coll;
    this.apply({ op: 'createColl', db, c, options: {} });
    return this.collection(db, c) as Collection;
  }

  /** Records that rebuild the whole state (for snapshots). Synchronous: a consistent cut. */
  *snapshotRecords(): Iterable<StoreRecord> {
    for (const db of this.dbs.values()) {
      for (const coll of db.values()) {
        yield { op: 'createColl', db: coll.db, c: coll.name, options: coll.options };
        for (const doc of coll.docs.values()) yield { op: 'put', db: coll.db, c: coll.name, doc };
        for (const index of coll.indexes.values()) yield { op: 'createIndex', db: coll.db, c: coll.name, spec: index.spec };
      }
    }
  }
}

/** Stores a document version (insert or replace), keeping the indexes in step. */
function putDocument(coll: Collection, doc: Document): void {
  const id = valueKey(doc._id);
  const old = coll.docs.get(id);
  coll.docs.set(id, doc);
  for (const index of coll.indexes.values()) {
    // Only unique indexes keep entries; a version with the same keys keeps them as they are.
    if (!index.unique || (old && index.sameKeys(old, doc))) continue;
    if (old) index.remove(old, id);
    index.add(doc, id);
  }
}

/** BSON size of stored document versions, computed once per version and then carried by diffs. */
const docSizes = new WeakMap<Document, number>();

function bsonSize(doc: Document): number {
  let size = docSizes.get(doc);
  if (size === undefined) {
    size = BSON.calculateObjectSize(doc);
    docSizes.set(doc, size);
  }
  return size;
}

/** Name prefix of `$out`'s temporary collections (as MongoDB's `tmp.agg_out.`). */
export const TEMP_COLLECTION_PREFIX = 'tmp.agg_out.';

/** BSONObjMaxUserSize: the largest document MongoDB stores. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
/** Records other than `put` carry no whole document; only the journal's frame limit applies. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Exact BSON bytes a `put` record adds around its document: {op: 'put', db, c, doc: <doc>}. */
function putOverhead(db: string, c: string): number {
  const key = `${db}\0${c}`;
  let bytes = putOverheads.get(key);
  if (bytes === undefined) {
    bytes = BSON.calculateObjectSize({ op: 'put', db, c, doc: {} }) - BSON.calculateObjectSize({});
    putOverheads.set(key, bytes);
  }
  return bytes;
}
const putOverheads = new Map<string, number>();

// MongoDB's messages and codes for a document over 16 MiB, by the write that produced it
// (insert.cpp: BadValue; update: BSONObjectTooLarge; upsert: location 17420).
function insertTooLarge(size: number): MongoCommandError {
  return new MongoCommandError('BadValue', `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`);
}

function updateTooLarge(_size: number): MongoCommandError {
  return new MongoCommandError('BSONObjectTooLarge', `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`);
}

function upsertTooLarge(_size: number): MongoCommandError {
  return new MongoCommandError('Location17420', `Document to upsert is larger than ${MAX_BSON_OBJECT_SIZE}`);
}

function idFirst(doc: Document): Document {
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

export function validateCollectionName(name: string): void {
  if (name.length === 0 || name.includes('$') || name.includes('\0') || name.startsWith('.') || name.startsWith('system.')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
}

/** Parses a journal document back into a StoreRecord (trusting our own writer, checking the op). */
export function toStoreRecord(doc: Document): StoreRecord {
  switch (doc.op) {
    case 'createColl':
    case 'dropColl':
    case 'createIndex':
    case 'dropIndex':
    case 'collMod':
    case 'modIndex':
    case 'renameColl':
    case 'put':
    case 'update':
    case 'del':
      return doc as StoreRecord;
    default:
      throw new Error(`unknown journal record op ${String(doc.op)}`);
  }
}
