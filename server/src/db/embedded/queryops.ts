import { DBRef, type Document } from 'bson';
import { Query as BareQuery } from 'mingo/query';
import type { Options } from 'mingo/types';
import { BSON_TYPE_CODES, bsonTypeOf, compareValues, fitsInt64, integralValue, numericKind, sameBracket, toJsNumber, valuesEqual, type BsonTypeName, type StringCompare } from './bsonvalues.js';
import { badValue } from './errors.js';
import { isPlainObject } from './values.js';

/**
 * Query operators that replace mingo's where it differs from MongoDB: BSON comparison and
 * equality across number widths (int, long, double, decimal) and types (type brackets, arrays
 * compared element by element in order, binary by length/subtype/bytes), `$type` with every
 * alias and code (and on array elements), `$all` as an AND of equalities / `$elemMatch`es,
 * `$mod` and the `$bits*` family on 64-bit integers and on BinData, DBRef fields (`$id`,
 * `$ref`, `$db`) in paths, and MongoDB's path rules ({@link leafValues}).
 */

type Predicate = (doc: Document) => boolean;
type QueryOperator = (selector: string, value: unknown, options: Options) => Predicate;

/**
 * The values a condition on a dotted path meets in a document, by MongoDB's rules: arrays met
 * before the end of the path are walked element by element (documents only; a numeric part
 * also indexes the array), the value at the end is one "leaf" (an array there is tested whole
 * and element by element, one level deep). `undefined` stands for a missing field; a path that
 * reaches nothing at all yields one missing leaf.
 */
export function leafValues(doc: unknown, parts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  const walk = (cur: unknown, i: number): void => {
    if (i === parts.length) {
      out.push(cur);
      return;
    }
    const part = parts[i] as string;
    if (Array.isArray(cur)) {
      if (/^\d+$/.test(part)) {
        const index = Number(part);
        if (index < cur.length) walk(cur[index], i + 1);
      }
      for (const el of cur) if (isPlainObject(el) || el instanceof DBRef) walk(el, i);
      return;
    }
    if (isPlainObject(cur)) walk(cur[part], i + 1);
    else if (cur instanceof DBRef) walk(dbRefField(cur, part), i + 1);
    else out.push(undefined);
  };
  walk(doc, 0);
  if (out.length === 0) out.push(undefined);
  return out;
}

function dbRefField(ref: DBRef, part: string): unknown {
  if (part === '$ref') return ref.collection;
  if (part === '$id') return ref.oid;
  if (part === '$db') return ref.db;
  return (ref.fields as Document)[part];
}

function isNil(v: unknown): boolean {
  return v === null || v === undefined;
}

function isRegex(v: unknown): v is RegExp {
  return v instanceof RegExp || (v as { _bsontype?: unknown } | null)?._bsontype === 'BSONRegExp';
}

function regexTest(re: unknown, s: unknown): boolean {
  if (typeof s !== 'string') return false;
  if (re instanceof RegExp) {
    re.lastIndex = 0;
    return re.test(s);
  }
  const b = re as { pattern: string; options: string };
  return new RegExp(b.pattern, b.options.replace(/[^gimsuy]/g, '')).test(s);
}

const TYPE_ALIASES = new Set<string>([...Object.values(BSON_TYPE_CODES), 'number']);
const NUMBER_TYPES = new Set<BsonTypeName>(['int', 'long', 'double', 'decimal']);

function typeSet(spec: unknown): Set<string> {
  const out = new Set<string>();
  for (const t of Array.isArray(spec) ? spec : [spec]) {
    if (typeof t === 'string') {
      if (!TYPE_ALIASES.has(t)) throw badValue(`Unknown type name alias: ${t}`);
      out.add(t);
      continue;
    }
    const code = integralValue(t);
    if (numericKind(t) === undefined || code === undefined) throw badValue('type must be represented as a number or a string');
    const name = BSON_TYPE_CODES[Number(code)];
    if (!name) throw badValue(`Invalid numerical type code: ${String(code)}`);
    out.add(name);
  }
  return out;
}

function hasType(v: unknown, types: Set<string>): boolean {
  const t = bsonTypeOf(v);
  if (t === undefined) return false;
  return types.has(t) || (types.has('number') && NUMBER_TYPES.has(t));
}

function wholeNumber(op: string, v: unknown, what: string): bigint {
  if (numericKind(v) === undefined) throw badValue(`${op} ${what} must be a number`);
  const n = integralValue(v);
  if (n === undefined) throw badValue(`${op} ${what} must be a whole number`);
  return n;
}

// ---- bit tests ----

/** Bit positions of a `$bits*` mask: a non-negative 64-bit integer, an array of positions, or BinData. */
function maskPositions(op: string, mask: unknown): number[] {
  if (numericKind(mask) !== undefined) {
    const n = integralValue(mask);
    if (n === undefined || !fitsInt64(n)) throw badValue(`${op} cannot represent as a 64-bit integer: ${String(mask)}`);
    if (n < 0n) throw badValue(`${op} cannot take a negative number: ${String(mask)}`);
    const out: number[] = [];
    for (let i = 0; i < 64; i++) if ((n >> BigInt(i)) & 1n) out.push(i);
    return out;
  }
  if (Array.isArray(mask)) {
    return mask.map((p) => {
      if (numericKind(p) === undefined) throw badValue(`${op} bit positions must be integers: ${String(p)}`);
      const n = integralValue(p);
      if (n === undefined) throw badValue(`${op} bit positions must be integers: ${String(p)}`);
      if (n < 0n) throw badValue(`${op} bit positions cannot be negative: ${String(p)}`);
      return Number(n);
    });
  }
  if (bsonTypeOf(mask) === 'binData') {
    const bytes = binaryBytes(mask);
    const out: number[] = [];
    for (let i = 0; i < bytes.length * 8; i++) if (((bytes[i >> 3] as number) >> (i & 7)) & 1) out.push(i);
    return out;
  }
  throw badValue(`${op} takes an Array, a number, or a BinData but received: ${op}: ${String(mask)}`);
}

function binaryBytes(v: unknown): Uint8Array {
  const b = v as { buffer: Uint8Array; position?: number };
  return typeof b.position === 'number' ? b.buffer.subarray(0, b.position) : b.buffer;
}

/** A value's bit tester: numbers as 64-bit two's complement (sign-extended), BinData little-endian by byte. */
function bitReader(v: unknown): ((position: number) => boolean) | undefined {
  if (numericKind(v) !== undefined) {
    if (numericKind(v) === 'decimal') return undefined;
    const n = integralValue(v);
    if (n === undefined || !fitsInt64(n)) return undefined;
    const bits = BigInt.asUintN(64, n);
    return (p) => (p >= 64 ? n < 0n : ((bits >> BigInt(p)) & 1n) === 1n);
  }
  if (bsonTypeOf(v) === 'binData') {
    const bytes = binaryBytes(v);
    return (p) => (p >> 3 < bytes.length ? (((bytes[p >> 3] as number) >> (p & 7)) & 1) === 1 : false);
  }
  return undefined;
}

/**
 * A condition on one value, as MongoDB's `matchesSingleElement`: no array expansion (an array is
 * just a value of type array). Path conditions apply it to each leaf and to a leaf array's
 * elements; `$elemMatch` applies it to each element.
 */
type SingleValueTest = (v: unknown) => boolean;
type SingleValueOperator = (arg: unknown, options: Options) => SingleValueTest;

function isMinOrMaxKey(v: unknown): boolean {
  const t = bsonTypeOf(v);
  return t === 'minKey' || t === 'maxKey';
}

function regexOf(arg: unknown, options: unknown): unknown {
  if (typeof arg === 'string') return new RegExp(arg, typeof options === 'string' ? options.replace(/[^gimsuy]/g, '') : '');
  if (!isRegex(arg)) throw badValue('$regex has to be a string');
  return arg;
}

function bits(op: string, test: (set: boolean[]) => boolean): SingleValueOperator {
  return (mask) => {
    const positions = maskPositions(op, mask);
    return (v) => {
      const read = bitReader(v);
      return read !== undefined && test(positions.map(read));
    };
  };
}

const LOGICAL = new Set(['$and', '$or', '$nor']);

// ---- path operators ----

/** A path condition from a single-value test: some leaf, or an element of a leaf array, passes. */
function onPath(make: SingleValueOperator): QueryOperator {
  return (selector, arg, options) => {
    const test = make(arg, options);
    const parts = selector.split('.');
    return (doc) => leafValues(doc, parts).some((leaf) => test(leaf) || (Array.isArray(leaf) && leaf.some(test)));
  };
}

function negated(op: QueryOperator): QueryOperator {
  return (selector, arg, options) => {
    const test = op(selector, arg, options);
    return (doc) => !test(doc);
  };
}

/**
 * The operators, with string values compared binary (`strings` undefined) or under a collation
 * (collation.ts passes its comparison).
 */
export function makeQueryOperators(strings?: StringCompare): Record<string, QueryOperator> {
  function equalTo(arg: unknown): SingleValueTest {
    if (isNil(arg)) return isNil;
    // Only a string equals a string (symbols are decoded as strings): the common case, made cheap.
    if ((typeof arg === 'string' && !strings) || typeof arg === 'boolean') return (v) => v === arg;
    return (v) => valuesEqual(v, arg, strings);
  }

  /** `$gt`/`$gte`/`$lt`/`$lte`: only within the operand's type bracket (MinKey/MaxKey compare with all); null counts as equal to missing. */
  function comparison(test: (order: number) => boolean, orEqual: boolean): SingleValueOperator {
    return (arg) => {
      if (arg === null) return orEqual ? isNil : () => false;
      const crossType = isMinOrMaxKey(arg);
      return (v) => v !== undefined && (crossType || sameBracket(v, arg)) && test(compareValues(v, arg, strings));
    };
  }

  function inList(op: string): SingleValueOperator {
    return (list) => {
      if (!Array.isArray(list)) throw badValue(`${op} needs an array`);
      for (const v of list) {
        if (isPlainObject(v) && Object.keys(v)[0]?.startsWith('$')) throw badValue(`cannot nest $ under ${op}`);
      }
      const tests = list.map((x) => (isRegex(x) ? (v: unknown) => regexTest(x, v) : equalTo(x)));
      return (v) => tests.some((t) => t(v));
    };
  }

  const singleOps: Record<string, SingleValueOperator> = {
    $eq: equalTo,
    $gt: comparison((o) => o > 0, false),
    $gte: comparison((o) => o >= 0, true),
    $lt: comparison((o) => o < 0, false),
    $lte: comparison((o) => o <= 0, true),
    $in: inList('$in'),
    $type: (spec) => {
      const types = typeSet(spec);
      return (v) => hasType(v, types);
    },
    $size: (n) => {
      const size = wholeNumber('$size', n, 'argument');
      if (size < 0n) throw badValue('$size may not be negative');
      return (v) => Array.isArray(v) && BigInt(v.length) === size;
    },
    $exists: (arg) => {
      const want = arg !== false && arg !== 0 && arg !== null;
      return (v) => (v !== undefined) === want;
    },
    $mod: (spec) => {
      if (!Array.isArray(spec)) throw badValue('malformed mod, needs to be an array');
      if (spec.length < 2) throw badValue('malformed mod, not enough elements');
      if (spec.length > 2) throw badValue('malformed mod, too many elements');
      const [d, r] = spec as [unknown, unknown];
      if (numericKind(d) === undefined) throw badValue('malformed mod, divisor not a number');
      if (numericKind(r) === undefined) throw badValue('malformed mod, remainder not a number');
      const divisor = truncated(d);
      const remainder = truncated(r);
      if (divisor === undefined || remainder === undefined) throw badValue('malformed mod, divisor value is invalid');
      if (divisor === 0n) throw badValue('divisor cannot be 0');
      return (v) => {
        if (numericKind(v) === undefined) return false;
        const n = truncated(v);
        return n !== undefined && n % divisor === remainder;
      };
    },
    $bitsAllSet: bits('$bitsAllSet', (set) => set.every(Boolean)),
    $bitsAnySet: bits('$bitsAnySet', (set) => set.some(Boolean)),
    $bitsAllClear: bits('$bitsAllClear', (set) => set.every((b) => !b)),
    $bitsAnyClear: bits('$bitsAnyClear', (set) => set.some((b) => !b)),
    $elemMatch: (criteria, options) => {
      const test = elementTest(criteria, options);
      return (v) => Array.isArray(v) && v.some(test);
    },
  };

  /**
   * `$elemMatch`'s test of one element. `{$gte: 80, $lt: 85}` (operators only) tests the element
   * itself, all conditions on the same element, an array element being a single value; a query
   * (`{product: 'xyz', score: {$gte: 8}}`) tests elements that are documents.
   */
  function elementTest(criteria: unknown, options: Options): SingleValueTest {
    if (!isPlainObject(criteria)) throw badValue('$elemMatch needs an Object');
    const keys = Object.keys(criteria);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$') && !LOGICAL.has(k))) {
      const tests = keys.filter((k) => k !== '$options').map((k) => singleValueTest(k, criteria[k], criteria, options));
      return (v) => tests.every((t) => t(v));
    }
    const query = new BareQuery(criteria, options);
    return (v) => (isPlainObject(v) || Array.isArray(v)) && query.test(v as Document);
  }

  /** The single-value test of operator `op`, including the negations and `$not`, `$regex`, `$all`. */
  function singleValueTest(op: string, arg: unknown, siblings: Document, options: Options): SingleValueTest {
    const single = singleOps[op];
    if (single) return single(arg, options);
    switch (op) {
      case '$ne': {
        const eq = equalTo(arg);
        return (v) => !eq(v);
      }
      case '$nin': {
        const within = inList('$nin')(arg, options);
        return (v) => !within(v);
      }
      case '$regex': {
        const re = regexOf(arg, siblings.$options);
        return (v) => regexTest(re, v);
      }
      case '$not': {
        if (isRegex(arg)) return (v) => !regexTest(arg, v);
        if (!isPlainObject(arg)) throw badValue('$not needs a regex or a document');
        const inner = Object.keys(arg)
          .filter((k) => k !== '$options')
          .map((k) => singleValueTest(k, arg[k], arg, options));
        return (v) => !inner.every((t) => t(v));
      }
      case '$all': {
        if (!Array.isArray(arg)) throw badValue('$all needs an array');
        const parts = arg.map((x) => (isPlainObject(x) && Object.keys(x)[0] === '$elemMatch' ? (singleOps.$elemMatch as SingleValueOperator)(x.$elemMatch, options) : equalTo(x)));
        return (v) => parts.length > 0 && parts.every((t) => t(v));
      }
      default: {
        // Anything else: mingo's operator on a one-field probe document.
        const query = new BareQuery({ v: { [op]: arg } }, options);
        return (v) => query.test({ v });
      }
    }
  }

  return {
    $eq: onPath(equalTo),
    $ne: negated(onPath(equalTo)),
    $gt: onPath(singleOps.$gt as SingleValueOperator),
    $gte: onPath(singleOps.$gte as SingleValueOperator),
    $lt: onPath(singleOps.$lt as SingleValueOperator),
    $lte: onPath(singleOps.$lte as SingleValueOperator),
    $in: onPath(singleOps.$in as SingleValueOperator),
    $nin: negated(onPath(singleOps.$in as SingleValueOperator)),
    $type: onPath(singleOps.$type as SingleValueOperator),
    $mod: onPath(singleOps.$mod as SingleValueOperator),
    $bitsAllSet: onPath(singleOps.$bitsAllSet as SingleValueOperator),
    $bitsAnySet: onPath(singleOps.$bitsAnySet as SingleValueOperator),
    $bitsAllClear: onPath(singleOps.$bitsAllClear as SingleValueOperator),
    $bitsAnyClear: onPath(singleOps.$bitsAnyClear as SingleValueOperator),
    // The array itself has the size; its elements are not looked into.
    $size: (selector, n, options) => {
      const test = (singleOps.$size as SingleValueOperator)(n, options);
      const parts = selector.split('.');
      return (doc) => leafValues(doc, parts).some(test);
    },
    // Only arrays have elements: a leaf array's elements are tested, the leaf itself is not.
    $elemMatch: (selector, criteria, options) => {
      const test = elementTest(criteria, options);
      const parts = selector.split('.');
      return (doc) => leafValues(doc, parts).some((leaf) => Array.isArray(leaf) && leaf.some(test));
    },
    $all: (selector, list, options) => {
      if (!Array.isArray(list)) throw badValue('$all needs an array');
      const isElemMatch = (v: unknown): boolean => isPlainObject(v) && Object.keys(v)[0] === '$elemMatch';
      if (list.length > 0 && isElemMatch(list[0])) {
        if (!list.every(isElemMatch)) throw badValue('$all/$elemMatch has to be consistent');
      } else if (list.some((v) => isPlainObject(v) && Object.keys(v)[0]?.startsWith('$'))) {
        throw badValue('no $ expressions in $all');
      }
      // MongoDB: {a: {$all: [x, y]}} is {$and: [{a: x}, {a: y}]}; an empty list matches nothing.
      const parts = list.map((v) => new BareQuery({ [selector]: isElemMatch(v) || isRegex(v) ? v : { $eq: v } }, options));
      return (doc) => parts.length > 0 && parts.every((q) => q.test(doc));
    },
  };
}

/** The operators with binary string comparison (no collation). */
export const queryOperatorOverrides = makeQueryOperators();

/** A number truncated toward zero, as a bigint; undefined for NaN, ±Infinity or beyond int64. */
function truncated(v: unknown): bigint | undefined {
  const exact = integralValue(v);
  if (exact !== undefined) return fitsInt64(exact) ? exact : undefined;
  const n = toJsNumber(v);
  if (!Number.isFinite(n)) return undefined;
  const t = BigInt(Math.trunc(n));
  return fitsInt64(t) ? t : undefined;
}
