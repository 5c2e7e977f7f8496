import { Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp, type Document } from 'bson';

/** The value of any BSON number (number, bigint, Long, Int32, Double, Decimal128) as a JS number; undefined for anything else. */
export function numberValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Int32 || v instanceof Double) return v.value;
  if (v instanceof Decimal128) return Number(v.toString());
  return undefined;
}

/** Plain object check that excludes arrays, Dates and bson value classes. */
export function isPlainObject(v: unknown): v is Document {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Canonical, type-aware string for a BSON value, used as a hash key for _id lookups and
 * unique indexes. Numbers of every numeric type compare equal by value, as in MongoDB.
 */
export function valueKey(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number') return `n:${Object.is(v, -0) ? 0 : v}`;
  if (typeof v === 'bigint') return `n:${v.toString()}`;
  if (typeof v === 'string') return `s:${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `b:${v}`;
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (v instanceof ObjectId) return `o:${v.toHexString()}`;
  if (v instanceof Long) return `n:${v.toString()}`;
  if (v instanceof Decimal128) return `n:${v.toString()}`;
  if (v instanceof Timestamp) return `t:${v.toString()}`;
  if (v instanceof Binary) return `x:${v.sub_type}:${Buffer.from(v.buffer).toString('hex')}`;
  if (v instanceof RegExp) return `r:${v.source}/${v.flags}`;
  if (Array.isArray(v)) return `a:[${v.map(valueKey).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .map((k) => `${JSON.stringify(k)}:${valueKey(v[k])}`)
      .join(',')}}`;
  }
  const bsontype = (v as { _bsontype?: unknown })._bsontype;
  return `${typeof bsontype === 'string' ? bsontype : 'other'}:${String(v)}`;
}

/**
 * Deep copy of a document. Stored documents are never mutated in place (copy-on-write),
 * so this is needed only before applying an update.
 */
export function cloneValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x: unknown) => cloneValue(x)) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (v instanceof Binary) return new Binary(Buffer.from(v.buffer), v.sub_type) as T;
  if (v instanceof Uint8Array) return Buffer.from(v) as T;
  if (isPlainObject(v)) {
    const src: Document = v;
    const out: Document = {};
    for (const k of Object.keys(src)) out[k] = cloneValue(src[k]);
    return out as T;
  }
  // ObjectId, Long, Decimal128, Timestamp, RegExp...: treated as immutable values.
  return v;
}

/** Values of a dotted path, expanding arrays like MongoDB index keys do. Missing -> []. */
export function pathValues(doc: unknown, path: string): unknown[] {
  const parts = path.split('.');
  const out: unknown[] = [];
  const walk = (cur: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(cur)) {
        if (cur.length === 0) out.push(undefined);
        else out.push(...cur);
      } else out.push(cur);
      return;
    }
    const part = parts[i] as string;
    if (Array.isArray(cur)) {
      if (/^\d+$/.test(part) && Number(part) < cur.length) walk(cur[Number(part)], i + 1);
      else for (const el of cur) if (isPlainObject(el)) walk(el, i);
      return;
    }
    if (isPlainObject(cur) && part in cur && cur[part] !== undefined) walk(cur[part], i + 1);
  };
  walk(doc, 0);
  return out;
}

/** Sets a dotted path, creating intermediate objects (used to build upsert documents). */
export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    const next: unknown = cur[p];
    if (!isPlainObject(next)) cur[p] = {};
    cur = cur[p] as Document;
  }
  cur[parts[parts.length - 1] as string] = value;
}

/** Renders a value like the mongo shell does in E11000 messages: "x", 1, ObjectId('...'), null. */
export function shellValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(shellValue).join(', ')} ]`;
  if (isPlainObject(v)) return `{ ${Object.keys(v).map((k) => `${k}: ${shellValue(v[k])}`).join(', ')} }`;
  return String(v);
}
