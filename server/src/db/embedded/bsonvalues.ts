import { BSON, DBRef, Decimal128, Double, Long, type Document } from 'bson';

/**
 * How BSON values are held in memory, so every value written is read back bit for bit:
 * - int32 → JS number (an integer in the int32 range);
 * - double → JS number, except an integral double in the int32 range (and -0), which stays a
 *   bson `Double`: as a number it would be written back as an int32;
 * - int64 → bson `Long`, always (bigint-asking drivers get the exact value back, and
 *   `$type: 'long'` still matches after a restart);
 * - a DBRef → {@link StoredDBRef}, whose `$ref`/`$id`/`$db` a query can name;
 * - everything else as the `bson` package decodes it.
 * The wire layer and the journal both decode through {@link deserializeDocument}.
 */

/** A DBRef whose fields can be named in query paths (`'owner.$id'`), as in MongoDB. */
export class StoredDBRef extends DBRef {
  get $ref(): string {
    return this.collection;
  }
  get $id(): unknown {
    return this.oid;
  }
  get $db(): string | undefined {
    return this.db;
  }
}

const DECODE = { promoteValues: false, promoteLongs: false } as const;

/** Decodes one BSON document into the in-memory representation above. */
export function deserializeDocument(bytes: Uint8Array): Document {
  return normalize(BSON.deserialize(bytes, DECODE)) as Document;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** A JS number bson writes as an int32 (so a double of that value must stay a `Double`). */
export function isInt32Number(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0);
}

function bsontype(v: object): string | undefined {
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

/** In place: the decoder's fresh containers are owned by the caller. */
function normalize(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = normalize(v[i]);
    return v;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const doc = v as Document;
    for (const k of Object.keys(doc)) doc[k] = normalize(doc[k]);
    return doc;
  }
  switch (bsontype(v)) {
    case 'Int32':
      return (v as { value: number }).value;
    case 'Double': {
      const n = (v as Double).value;
      return isInt32Number(n) || Object.is(n, -0) ? v : n;
    }
    case 'BSONSymbol':
      return (v as { value: string }).value;
    case 'DBRef': {
      const ref = v as DBRef;
      return new StoredDBRef(ref.collection, normalize(ref.oid) as DBRef['oid'], ref.db, normalize(ref.fields) as Document);
    }
    default:
      return v;
  }
}

// ---- type names and order ----

export type BsonTypeName =
  | 'minKey'
  | 'double'
  | 'string'
  | 'object'
  | 'array'
  | 'binData'
  | 'undefined'
  | 'objectId'
  | 'bool'
  | 'date'
  | 'null'
  | 'regex'
  | 'dbPointer'
  | 'javascript'
  | 'symbol'
  | 'javascriptWithScope'
  | 'int'
  | 'timestamp'
  | 'long'
  | 'decimal'
  | 'maxKey';

/** `$type`'s numeric codes. */
export const BSON_TYPE_CODES: Readonly<Record<number, BsonTypeName>> = {
  [-1]: 'minKey',
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  12: 'dbPointer',
  13: 'javascript',
  14: 'symbol',
  15: 'javascriptWithScope',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  127: 'maxKey',
};

/** The BSON type of an in-memory value; undefined for a missing one. */
export function bsonTypeOf(v: unknown): BsonTypeName | undefined {
  switch (typeof v) {
    case 'undefined':
      return undefined;
    case 'number':
      return isInt32Number(v) ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      break;
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (typeof v !== 'object') return undefined;
  switch (bsontype(v)) {
    case 'Long':
      return 'long';
    case 'Double':
      return 'double';
    case 'Int32':
      return 'int';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
    case 'ObjectID':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'Code':
      return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    default:
      return 'object';
  }
}

/** MongoDB's canonical order of types: values of different brackets never compare equal. */
function canonicalRank(v: unknown): number {
  switch (bsonTypeOf(v)) {
    case 'minKey':
      return -1;
    case undefined:
    case 'undefined':
      return 0;
    case 'null':
      return 5;
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
      return 10;
    case 'string':
    case 'symbol':
      return 15;
    case 'object':
      return 20;
    case 'array':
      return 25;
    case 'binData':
      return 30;
    case 'objectId':
      return 35;
    case 'bool':
      return 40;
    case 'date':
      return 45;
    case 'timestamp':
      return 47;
    case 'regex':
      return 50;
    case 'dbPointer':
      return 55;
    case 'javascript':
      return 60;
    case 'javascriptWithScope':
      return 65;
    case 'maxKey':
      return 127;
  }
}

/** Same canonical type bracket (numbers of every width together, strings with symbols...). */
export function sameBracket(a: unknown, b: unknown): boolean {
  return canonicalRank(a) === canonicalRank(b);
}

/** The exact value of a BSON number: a JS number, or a bigint for an int64. */
function exactNumber(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  const t = bsontype(v as object);
  if (t === 'Long') return BigInt((v as Long).toString());
  if (t === 'Double' || t === 'Int32') return (v as Double).value;
  // Decimal128 compares through a double (exact for every value a double holds).
  if (t === 'Decimal128') return Number((v as Decimal128).toString());
  return Number.NaN;
}

function cmp<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumberBigint(n: number, b: bigint): number {
  if (Number.isNaN(n)) return -1;
  if (n === Infinity) return 1;
  if (n === -Infinity) return -1;
  const floor = BigInt(Math.floor(n));
  if (floor < b) return -1;
  if (floor > b) return 1;
  return Number.isInteger(n) ? 0 : 1;
}

/** Numbers of any BSON width compared by value; NaN equals NaN and is below every other number (MongoDB). */
export function compareNumbers(a: unknown, b: unknown): number {
  const x = exactNumber(a);
  const y = exactNumber(b);
  if (typeof x === 'number' && typeof y === 'number') {
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
    if (Number.isNaN(y)) return 1;
    return cmp(x, y);
  }
  if (typeof x === 'bigint' && typeof y === 'bigint') return cmp(x, y);
  return typeof x === 'number' ? compareNumberBigint(x, y as bigint) : -compareNumberBigint(y as number, x);
}

/** How two strings compare: binary by default, or a collation's comparison. */
export type StringCompare = (a: string, b: string) => number;

/** Strings in UTF-8 byte order (code point order; plain `<` compares UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (U+10000 and up) sort after U+E000–U+FFFF in code point order.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return cmp(a.length, b.length);
}

function entries(v: unknown): Array<[string, unknown]> {
  if (v instanceof DBRef) {
    const out: Array<[string, unknown]> = [['$ref', v.collection], ['$id', v.oid]];
    if (v.db !== undefined) out.push(['$db', v.db]);
    return [...out, ...Object.entries(v.fields)];
  }
  return Object.entries(v as Document).filter(([, x]) => x !== undefined);
}

function compareSequences(xs: ReadonlyArray<[string, unknown]>, ys: ReadonlyArray<[string, unknown]>, withKeys: boolean, strings: StringCompare): number {
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const [kx, vx] = xs[i] as [string, unknown];
    const [ky, vy] = ys[i] as [string, unknown];
    const rank = cmp(canonicalRank(vx), canonicalRank(vy));
    if (rank !== 0) return rank;
    if (withKeys) {
      const key = compareStrings(kx, ky);
      if (key !== 0) return key;
    }
    const value = compareValues(vx, vy, strings);
    if (value !== 0) return value;
  }
  return cmp(xs.length, ys.length);
}

function bytesOf(v: { buffer: Uint8Array; position?: number }): Uint8Array {
  return typeof v.position === 'number' ? v.buffer.subarray(0, v.position) : v.buffer;
}

/**
 * MongoDB's total order of BSON values (sorts, $min/$max, comparisons, equality). `strings`
 * compares string values (a collation); field names always compare binary.
 */
export function compareValues(a: unknown, b: unknown, strings: StringCompare = compareStrings): number {
  if (a === b) return 0;
  const ra = canonicalRank(a);
  const rb = canonicalRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 10:
      return compareNumbers(a, b);
    case 15:
      return strings(String(a), String(b));
    case 20:
      return compareSequences(entries(a), entries(b), true, strings);
    case 25:
      return compareSequences(
        (a as unknown[]).map((x, i) => [String(i), x]),
        (b as unknown[]).map((x, i) => [String(i), x]),
        false,
        strings,
      );
    case 30: {
      const x = a as { sub_type: number; buffer: Uint8Array; position?: number };
      const y = b as { sub_type: number; buffer: Uint8Array; position?: number };
      const bx = bytesOf(x);
      const by = bytesOf(y);
      return cmp(bx.length, by.length) || cmp(x.sub_type, y.sub_type) || Buffer.compare(bx, by);
    }
    case 35:
      return compareStrings((a as { toHexString(): string }).toHexString(), (b as { toHexString(): string }).toHexString());
    case 40:
      return cmp(Number(a), Number(b));
    case 45:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 47: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return cmp(x.t, y.t) || cmp(x.i, y.i);
    }
    case 50: {
      const x = a as { source?: string; pattern?: string; flags?: string; options?: string };
      const y = b as { source?: string; pattern?: string; flags?: string; options?: string };
      return compareStrings(x.source ?? x.pattern ?? '', y.source ?? y.pattern ?? '') || compareStrings(x.flags ?? x.options ?? '', y.flags ?? y.options ?? '');
    }
    case 60:
    case 65:
      return compareStrings(String((a as { code: unknown }).code), String((b as { code: unknown }).code));
    default:
      // minKey, maxKey, null, undefined: one value each.
      return 0;
  }
}

/** BSON equality (`{a: 5}` matches 5, 5.0 and NumberLong(5); field order matters in documents). */
export function valuesEqual(a: unknown, b: unknown, strings?: StringCompare): boolean {
  return compareValues(a, b, strings) === 0;
}

// ---- numbers ----

export type NumericKind = 'int' | 'long' | 'double' | 'decimal';

/** The BSON numeric type of a value, or undefined when it is not a number. */
export function numericKind(v: unknown): NumericKind | undefined {
  const t = bsonTypeOf(v);
  return t === 'int' || t === 'long' || t === 'double' || t === 'decimal' ? t : undefined;
}

/** The value as an exact bigint when it is an integral number (int64 range not checked). */
export function integralValue(v: unknown): bigint | undefined {
  const x = exactNumber(v);
  if (typeof x === 'bigint') return x;
  return Number.isInteger(x) ? BigInt(x) : undefined;
}

/** A JS number for a BSON number (lossy for an int64 beyond ±2^53). */
export function toJsNumber(v: unknown): number {
  const x = exactNumber(v);
  return typeof x === 'bigint' ? Number(x) : x;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function fitsInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** The in-memory value of a number of BSON type `kind` (see the representation above). */
export function makeNumber(kind: NumericKind, value: number | bigint): unknown {
  switch (kind) {
    case 'int':
      return Number(value);
    case 'long':
      return Long.fromBigInt(BigInt(value));
    case 'double': {
      const n = Number(value);
      return isInt32Number(n) || Object.is(n, -0) ? new Double(n) : n;
    }
    case 'decimal':
      return Decimal128.fromString(String(value));
  }
}

/**
 * A copy of `v` where int64 values within ±2^53 and `Double`s are plain JS numbers: what mingo's
 * aggregation and expression operators understand. Unchanged parts are shared; `v` is returned
 * as is when it holds no such value.
 */
export function jsNumbersView<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = jsNumbersView(x);
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return (out ?? v) as T;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    let out: Document | undefined;
    for (const [k, x] of Object.entries(v as Document)) {
      const y = jsNumbersView(x);
      if (y !== x) (out ??= { ...(v as Document) })[k] = y;
    }
    return (out ?? v) as T;
  }
  const t = bsontype(v);
  if (t === 'Double') return (v as unknown as Double).value as T;
  if (t === 'Long') {
    const n = (v as unknown as Long).toNumber();
    return (Number.isSafeInteger(n) ? n : v) as T;
  }
  return v;
}
