import { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { isPlainObject } from './values.js';

/**
 * MongoDB's BSON type name of a decoded value ('int', 'double', 'string', 'object'...), as
 * `$type` aliases and `$jsonSchema`'s `bsonType` spell them. A plain JS number has lost its
 * wire type: integers in int32 range are reported as 'int', others as 'double' (see
 * `numberAliases` for how validation treats that ambiguity).
 */
export function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (v instanceof ObjectId) return 'objectId';
  if (v instanceof Long) return 'long';
  if (v instanceof Decimal128) return 'decimal';
  if (v instanceof Timestamp) return 'timestamp';
  if (v instanceof Binary || v instanceof Uint8Array) return 'binData';
  if (isPlainObject(v)) return 'object';
  switch ((v as { _bsontype?: string })._bsontype) {
    case 'Double':
      return 'double';
    case 'Int32':
      return 'int';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'Code':
      return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
    case 'BSONSymbol':
      return 'symbol';
    case 'DBRef':
      return 'object';
    case 'BSONRegExp':
      return 'regex';
    default:
      return 'object';
  }
}

/** Every `bsonType` name MongoDB accepts (plus the `number` alias). */
export const BSON_TYPE_NAMES = new Set([
  'double', 'string', 'object', 'array', 'binData', 'undefined', 'objectId', 'bool', 'date', 'null', 'regex', 'dbPointer',
  'javascript', 'symbol', 'javascriptWithScope', 'int', 'timestamp', 'long', 'decimal', 'minKey', 'maxKey', 'number',
]);

/** JSON Schema `type` names MongoDB accepts ('integer' is refused, as in MongoDB). */
export const JSON_TYPE_NAMES = new Set(['object', 'array', 'number', 'boolean', 'string', 'null']);

const NUMERIC = new Set(['int', 'long', 'double', 'decimal']);

/**
 * True when `v` is of BSON type `name`. A plain JS integer also satisfies 'double' and 'long':
 * the driver may have sent `1.0` or a Long that decoding turned into a JS number, and refusing
 * a value the client wrote with the right type would be worse than accepting a near miss.
 */
export function hasBsonType(v: unknown, name: string): boolean {
  const actual = bsonTypeName(v);
  if (name === 'number') return NUMERIC.has(actual);
  if (actual === name) return true;
  if (typeof v === 'number') {
    if (name === 'double') return true;
    if (name === 'long') return Number.isInteger(v);
  }
  return false;
}

export function hasJsonType(v: unknown, name: string): boolean {
  const actual = bsonTypeName(v);
  switch (name) {
    case 'object':
      return actual === 'object';
    case 'array':
      return actual === 'array';
    case 'number':
      return NUMERIC.has(actual);
    case 'boolean':
      return actual === 'bool';
    case 'string':
      return actual === 'string';
    case 'null':
      return actual === 'null';
    default:
      return false;
  }
}

export function isNumeric(v: unknown): boolean {
  return NUMERIC.has(bsonTypeName(v));
}

/** A numeric BSON value as a JS number (Long/Decimal128 may round: fine for bounds checks). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return Number(v.toString());
  const valueOf = (v as { valueOf?: () => unknown }).valueOf?.();
  return typeof valueOf === 'number' ? valueOf : Number.NaN;
}
