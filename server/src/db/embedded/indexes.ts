import type { Document } from 'bson';
import { parseCollation, type Collation } from './collation.js';
import { MongoCommandError } from './errors.js';
import { compileFilter, type Filter } from './query.js';
import { isPlainObject, pathValues, shellValue, valueKey } from './values.js';

/** Index definition as stored and as returned by listIndexes. */
export interface IndexSpec extends Document {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  /** Not used by the planner or hint; still enforces uniqueness and TTL (MongoDB's rule). */
  hidden?: boolean;
  /** MongoDB's full collation document; absent = simple (binary). */
  collation?: Document;
}

interface KeyEntry {
  key: string;
  values: unknown[];
}

/** Default index name, as MongoDB derives it: field_dir joined by underscores. */
export function defaultIndexName(key: Document): string {
  return Object.keys(key)
    .map((k) => `${k}_${String(key[k])}`)
    .join('_');
}

/**
 * A secondary index. Only unique indexes keep an in-memory key map (used for enforcement);
 * non-unique ones are metadata: queries scan the collection.
 */
export class Index {
  readonly fields: string[];
  /** The top-level field of each key field ('voice' for 'voice.conversationId'). */
  private readonly roots: string[];
  private readonly entries = new Map<string, Set<string>>();
  private readonly partial: Filter | undefined;
  /** Strings are keyed by the collation's fold (a case-insensitive unique index). */
  readonly collation: Collation | undefined;

  /** Replaced by collMod (hidden, expireAfterSeconds): never the key, name, collation or uniqueness. */
  constructor(public spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.roots = [...new Set(this.fields.map((f) => f.split('.')[0] as string))];
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    this.collation = parseCollation(spec.collation);
  }

  /** The hash key of an indexed value (folded under the index's collation). */
  private keyOf(v: unknown): string {
    return this.collation ? valueKey(foldStrings(v, this.collation)) : valueKey(v);
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** Index keys of a document; [] when the document is not in the index (sparse/partial). */
  keysOf(doc: Document): KeyEntry[] {
    if (this.partial && !this.partial.test(doc)) return [];
    const perField = this.fields.map((f) => pathValues(doc, f));
    if (this.spec.sparse && perField.every((vals) => vals.length === 0)) return [];
    // Missing fields index as null (so two documents without the field collide in a unique index).
    let combos: unknown[][] = [[]];
    for (const vals of perField) {
      const options = vals.length === 0 ? [null] : vals;
      const next: unknown[][] = [];
      for (const c of combos) for (const v of options) next.push([...c, v === undefined ? null : v]);
      combos = next;
    }
    const seen = new Set<string>();
    const out: KeyEntry[] = [];
    for (const values of combos) {
      const key = values.map((v) => this.keyOf(v)).join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, values });
    }
    return out;
  }

  /**
   * True when `next` (a new version of `prev`, same _id) has the same keys in this index for
   * certain: stored versions are never mutated and updates copy only the containers they
   * change, so an identical top-level value means an identical subtree. A partial index's
   * membership depends on other fields: never certain.
   */
  sameKeys(prev: Document, next: Document): boolean {
    if (this.partial) return false;
    for (const root of this.roots) if (!Object.is(prev[root], next[root])) return false;
    return true;
  }

  /** Throws E11000 if `doc` (stored under `id`) would collide with another document. */
  check(ns: string, doc: Document, id: string): void {
    if (!this.unique) return;
    for (const entry of this.keysOf(doc)) {
      const owners = this.entries.get(entry.key);
      if (!owners) continue;
      for (const owner of owners) {
        if (owner !== id) throw duplicateKeyError(ns, this.spec.name, this.spec.key, entry.values);
      }
    }
  }

  /**
   * Ids of documents whose (single-field) key equals `value`, or undefined when this index
   * cannot answer the lookup exactly (compound or partial). Used to avoid collection scans.
   */
  lookup(field: string, value: unknown): Set<string> | undefined {
    if (!this.unique || this.partial || this.fields.length !== 1 || this.fields[0] !== field) return undefined;
    return this.entries.get(this.keyOf(value)) ?? new Set();
  }

  add(doc: Document, id: string): void {
    if (!this.unique) return;
    for (const { key } of this.keysOf(doc)) {
      let owners = this.entries.get(key);
      if (!owners) this.entries.set(key, (owners = new Set()));
      owners.add(id);
    }
  }

  remove(doc: Document, id: string): void {
    if (!this.unique) return;
    for (const { key } of this.keysOf(doc)) {
      const owners = this.entries.get(key);
      if (!owners) continue;
      owners.delete(id);
      if (owners.size === 0) this.entries.delete(key);
    }
  }
}

function foldStrings(v: unknown, collation: Collation): unknown {
  if (typeof v === 'string') return collation.fold(v);
  if (Array.isArray(v)) return v.map((x) => foldStrings(x, collation));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, foldStrings(x, collation)]));
  return v;
}

/** MongoDB's duplicate key error, including keyPattern and keyValue. */
export function duplicateKeyError(ns: string, indexName: string, keyPattern: Document, values: unknown[]): MongoCommandError {
  const fields = Object.keys(keyPattern);
  const keyValue: Document = {};
  fields.forEach((f, i) => {
    keyValue[f] = values[i] ?? null;
  });
  const dup = `{ ${fields.map((f, i) => `${f}: ${shellValue(values[i])}`).join(', ')} }`;
  return new MongoCommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${dup}`,
    { keyPattern: { ...keyPattern }, keyValue },
  );
}

/** Validates a createIndexes spec and normalizes it into the stored shape. */
export function normalizeIndexSpec(raw: unknown): IndexSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new MongoCommandError('TypeMismatch', 'index specification must be an object');
  }
  const doc = raw as Document;
  const key: unknown = doc.key;
  if (key === null || typeof key !== 'object' || Array.isArray(key) || Object.keys(key).length === 0) {
    throw new MongoCommandError('BadValue', "The 'key' field must be a non-empty object");
  }
  refuseUnsupportedIndexTypes(key as Document);
  if (doc.collation !== undefined) {
    const collation = parseCollation(doc.collation);
    if (collation) doc.collation = collation.spec;
  }
  const name = typeof doc.name === 'string' && doc.name.length > 0 ? doc.name : defaultIndexName(key as Document);
  const spec: IndexSpec = { v: 2, key: { ...(key as Document) }, name };
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'key' || k === 'name' || k === 'v' || k === 'ns' || k === 'background') continue;
    spec[k] = v;
  }
  if (spec.unique === false) delete spec.unique;
  if (spec.sparse === false) delete spec.sparse;
  if (spec.hidden === false) delete spec.hidden;
  if (spec.collation === undefined) delete spec.collation;
  else if (!isPlainObject(spec.collation) || spec.collation.locale === 'simple') delete spec.collation;
  if (spec.hidden !== undefined && typeof spec.hidden !== 'boolean') throw new MongoCommandError('TypeMismatch', "The field 'hidden' must be a boolean");
  if (spec.hidden === true && name === '_id_') throw new MongoCommandError('BadValue', "can't hide _id index");
  if (spec.expireAfterSeconds !== undefined) checkExpireAfterSeconds(spec.expireAfterSeconds, 'InvalidIndexSpecificationOption');
  return spec;
}

/** A TTL's `expireAfterSeconds`: an integer in [0, 2^31 - 1], as MongoDB accepts. */
export function checkExpireAfterSeconds(v: unknown, codeName: 'InvalidIndexSpecificationOption' | 'InvalidOptions'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647) {
    throw new MongoCommandError(codeName, `TTL index 'expireAfterSeconds' option must be within an acceptable range, try a lower number: ${String(v)}`);
  }
  return v;
}

/** Index types the embedded server refuses (no text or geo search): MongoDB's 67 CannotCreateIndex. */
const REFUSED_INDEX_TYPES: Record<string, string> = { text: 'text', '2d': 'geo', '2dsphere': 'geo', geoHaystack: 'geo' };

function refuseUnsupportedIndexTypes(key: Document): void {
  for (const [field, type] of Object.entries(key)) {
    if (typeof type !== 'string' || !Object.hasOwn(REFUSED_INDEX_TYPES, type)) continue;
    throw new MongoCommandError(
      'CannotCreateIndex',
      `the embedded MongoDB server does not support '${type}' indexes (${field}: '${type}'): ${REFUSED_INDEX_TYPES[type]} search needs a real MongoDB; set MONGODB_URI to use one`,
    );
  }
}

/** True when two specs describe the same index (ignoring name). */
export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  // Option order is irrelevant (the key pattern's order is not: it is part of `key`).
  const strip = (s: IndexSpec): string =>
    Object.keys(s)
      .filter((k) => k !== 'name' && k !== 'v')
      .sort()
      .map((k) => `${k}=${valueKey(s[k])}`)
      .join(';');
  return strip(a) === strip(b);
}
