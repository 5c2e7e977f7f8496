import { DBRef, type Document } from 'bson';
import { compareValues, fitsInt64, integralValue, makeNumber, numericKind, toJsNumber, valuesEqual, type NumericKind } from './bsonvalues.js';
import { MongoCommandError } from './errors.js';
import { compileFilter, type Filter } from './query.js';
import { cloneValue, isPlainObject, shellValue } from './values.js';

/**
 * Update operators the embedded server implements itself, on concrete paths (positional `$`,
 * `$[]` and `$[id]` already resolved by {@link expandArrayUpdates}):
 * - `$inc`, `$mul`: MongoDB's number types (int + int stays int unless it overflows into a
 *   long, long stays long, a double makes a double; a long overflow is refused);
 * - `$min`, `$max`: BSON order across types;
 * - `$bit`: and/or/xor on int and long;
 * - `$pull`: a condition is a query on the elements (`{$or: [...]}` on sub-documents), an
 *   operator condition applies to the element itself (`{$gte: 6}`), anything else is equality.
 * Each mutates only containers on its path, which the caller has copied.
 */

export type OwnOperator = (copy: Document, path: string, arg: unknown, doc: Document) => boolean;

function pathNotViable(part: string, parentKey: string, parent: unknown): MongoCommandError {
  return new MongoCommandError('PathNotViable', `Cannot create field '${part}' in element {${parentKey}: ${shellValue(parent)}}`);
}

/**
 * The container and key a path ends at, through documents and arrays by index. A field inside
 * anything else (a string, a number, null, an array by name) is refused with 28 — by 'create',
 * which also creates missing documents on the way, and by 'check', which stops (undefined) at
 * a missing one; 'read' answers undefined for both.
 */
export function pathTarget(copy: Document, path: string, mode: 'read' | 'check' | 'create'): { parent: Document | unknown[]; key: string | number } | undefined {
  const parts = path.split('.');
  let cur: Document | unknown[] = copy;
  let curKey = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const last = i === parts.length - 1;
    let key: string | number = part;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(part)) {
        if (mode === 'read') return undefined;
        throw pathNotViable(part, curKey, cur);
      }
      key = Number(part);
    }
    if (last) return { parent: cur, key };
    const slot = cur as Record<string | number, unknown>;
    let next: unknown = slot[key];
    if (next === undefined || next === null) {
      if (mode === 'read') return undefined;
      if (next === null) throw pathNotViable(parts[i + 1] as string, part, null);
      if (mode === 'check') return undefined;
      if (Array.isArray(cur)) while (cur.length < (key as number)) cur.push(null);
      next = {};
      slot[key] = next;
    } else if (!isPlainObject(next) && !Array.isArray(next)) {
      if (mode === 'read') return undefined;
      throw pathNotViable(parts[i + 1] as string, part, next);
    }
    cur = next as Document | unknown[];
    curKey = part;
  }
  return undefined;
}

function read(t: { parent: Document | unknown[]; key: string | number }): unknown {
  return (t.parent as Record<string | number, unknown>)[t.key];
}

function write(t: { parent: Document | unknown[]; key: string | number }, value: unknown): void {
  if (Array.isArray(t.parent)) while (t.parent.length < (t.key as number)) t.parent.push(null);
  (t.parent as Record<string | number, unknown>)[t.key] = value;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v) || v instanceof DBRef) return 'object';
  if (typeof v === 'object') return String((v as { _bsontype?: unknown })._bsontype ?? 'object').toLowerCase();
  return typeof v;
}

function docId(doc: Document): string {
  return `{_id: ${shellValue(doc._id)}}`;
}

/** int + int → int (a long when it overflows), long → long, double → double, decimal → decimal. */
function arithmetic(a: unknown, b: unknown, op: 'add' | 'mul'): unknown {
  const ka = numericKind(a) as NumericKind;
  const kb = numericKind(b) as NumericKind;
  if (ka === 'decimal' || kb === 'decimal' || ka === 'double' || kb === 'double') {
    const x = toJsNumber(a);
    const y = toJsNumber(b);
    return makeNumber(ka === 'decimal' || kb === 'decimal' ? 'decimal' : 'double', op === 'add' ? x + y : x * y);
  }
  const x = integralValue(a) as bigint;
  const y = integralValue(b) as bigint;
  const r = op === 'add' ? x + y : x * y;
  if (ka === 'int' && kb === 'int' && r >= -2147483648n && r <= 2147483647n) return makeNumber('int', r);
  if (!fitsInt64(r)) return undefined;
  return makeNumber('long', r);
}

function sameNumber(a: unknown, b: unknown): boolean {
  return numericKind(a) === numericKind(b) && valuesEqual(a, b) && Object.is(toJsNumber(a), toJsNumber(b));
}

function arithmeticOperator(name: '$inc' | '$mul', op: 'add' | 'mul'): OwnOperator {
  const verb = name === '$inc' ? 'increment' : 'multiply';
  return (copy, path, arg, doc) => {
    if (numericKind(arg) === undefined) {
      throw new MongoCommandError('TypeMismatch', `Cannot ${verb} with non-numeric argument: {${path}: ${shellValue(arg)}}`);
    }
    const t = pathTarget(copy, path, 'create') as { parent: Document | unknown[]; key: string | number };
    const current = read(t);
    if (current === undefined) {
      // A missing field takes the argument ($inc), or 0 of the argument's type ($mul).
      write(t, op === 'add' ? arg : makeNumber(numericKind(arg) as NumericKind, 0));
      return true;
    }
    if (numericKind(current) === undefined) {
      throw new MongoCommandError('TypeMismatch', `Cannot apply ${name} to a value of non-numeric type. ${docId(doc)} has the field '${String(t.key)}' of non-numeric type ${typeName(current)}`);
    }
    const next = arithmetic(current, arg, op);
    if (next === undefined) {
      throw new MongoCommandError('BadValue', `Failed to apply ${name} operations to current value (${shellValue(current)}) for document ${docId(doc)}`);
    }
    if (sameNumber(current, next)) return false;
    write(t, next);
    return true;
  };
}

function minMaxOperator(keep: (order: number) => boolean): OwnOperator {
  return (copy, path, arg) => {
    const t = pathTarget(copy, path, 'create') as { parent: Document | unknown[]; key: string | number };
    const current = read(t);
    if (current !== undefined && !keep(compareValues(arg, current))) return false;
    write(t, cloneValue(arg));
    return true;
  };
}

const bitOperator: OwnOperator = (copy, path, arg, doc) => {
  if (!isPlainObject(arg) || Object.keys(arg).length === 0) {
    throw new MongoCommandError('BadValue', `The $bit modifier is not compatible with a ${typeName(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  }
  for (const [op, v] of Object.entries(arg)) {
    if (op !== 'and' && op !== 'or' && op !== 'xor') {
      throw new MongoCommandError('BadValue', `The $bit modifier only supports 'and', 'or', and 'xor', not '${op}' which is an unknown operator: {${op}: ${shellValue(v)}}`);
    }
    const kind = numericKind(v);
    if (kind !== 'int' && kind !== 'long') {
      throw new MongoCommandError('BadValue', `The $bit modifier field must be an Integer(32/64 bit); a '${kind ?? typeName(v)}' is not supported here: {${op}: ${shellValue(v)}}`);
    }
  }
  const t = pathTarget(copy, path, 'create') as { parent: Document | unknown[]; key: string | number };
  const current = read(t);
  const currentKind = current === undefined ? 'int' : numericKind(current);
  if (currentKind !== 'int' && currentKind !== 'long') {
    throw new MongoCommandError('BadValue', `Cannot apply $bit to a value of non-integral type.${docId(doc)} has the field ${String(t.key)} of non-integer type ${typeName(current)}`);
  }
  let value = current === undefined ? 0n : (integralValue(current) as bigint);
  let long = currentKind === 'long';
  for (const [op, v] of Object.entries(arg)) {
    const n = integralValue(v) as bigint;
    long ||= numericKind(v) === 'long';
    value = op === 'and' ? value & n : op === 'or' ? value | n : value ^ n;
  }
  const next = long ? makeNumber('long', BigInt.asIntN(64, value)) : makeNumber('int', BigInt.asIntN(32, value));
  if (current !== undefined && sameNumber(current, next)) return false;
  write(t, next);
  return true;
};

/** Operators that test a path's value; logical ones (`$or`...) make a query on element documents. */
const NOT_PATH_OPERATORS = new Set(['$and', '$or', '$nor', '$expr', '$where', '$text', '$comment', '$jsonSchema', '$alwaysTrue', '$alwaysFalse']);

function pullMatcher(spec: unknown): (el: unknown) => boolean {
  if (isPlainObject(spec)) {
    const first = Object.keys(spec)[0];
    if (first?.startsWith('$') && !NOT_PATH_OPERATORS.has(first)) {
      const filter: Filter = compileFilter({ v: spec });
      return (el) => filter.test({ v: el });
    }
    const filter = compileFilter(spec);
    return (el) => isPlainObject(el) && filter.test(el);
  }
  if (spec instanceof RegExp || (spec as { _bsontype?: unknown } | null)?._bsontype === 'BSONRegExp') {
    const filter = compileFilter({ v: spec });
    return (el) => filter.test({ v: el });
  }
  return (el) => valuesEqual(el, spec);
}

const pullOperator: OwnOperator = (copy, path, arg) => {
  const t = pathTarget(copy, path, 'read');
  if (!t) return false;
  const current = read(t);
  if (current === undefined) return false;
  if (!Array.isArray(current)) throw new MongoCommandError('BadValue', 'Cannot apply $pull to a non-array value');
  const matches = pullMatcher(arg);
  const kept = current.filter((el) => !matches(el));
  if (kept.length === current.length) return false;
  write(t, kept);
  return true;
};

export const OWN_OPERATORS: Readonly<Record<string, OwnOperator>> = {
  $inc: arithmeticOperator('$inc', 'add'),
  $mul: arithmeticOperator('$mul', 'mul'),
  $min: minMaxOperator((order) => order < 0),
  $max: minMaxOperator((order) => order > 0),
  $bit: bitOperator,
  $pull: pullOperator,
};

// ---- $[] and $[identifier] ----

const IDENTIFIER = /^\$\[([^\]]*)\]$/;

interface ArrayFilter {
  filter: Filter;
  used: boolean;
}

function parseArrayFilters(arrayFilters: readonly Document[]): Map<string, ArrayFilter> {
  const out = new Map<string, ArrayFilter>();
  for (const f of arrayFilters) {
    let id: string | undefined;
    for (const key of Object.keys(f)) {
      const top = key.split('.')[0] as string;
      if (id !== undefined && top !== id) {
        throw new MongoCommandError('FailedToParse', `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${id}' and '${top}'`);
      }
      id = top;
    }
    if (id === undefined) throw new MongoCommandError('FailedToParse', 'Cannot use an expression without a top-level field name in arrayFilters');
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) {
      throw new MongoCommandError('BadValue', `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
    }
    if (out.has(id)) throw new MongoCommandError('FailedToParse', `Found multiple array filters with the same top-level field name ${id}`);
    out.set(id, { filter: compileFilter(f), used: false });
  }
  return out;
}

function childOf(v: unknown, part: string): unknown {
  if (Array.isArray(v)) return /^\d+$/.test(part) ? v[Number(part)] : undefined;
  return isPlainObject(v) ? v[part] : undefined;
}

/** The concrete paths (`a.2.b`) a path with `$[]`/`$[id]` designates in `doc`. */
function concretePaths(doc: Document, path: string, filters: Map<string, ArrayFilter>): string[] {
  const parts = path.split('.');
  const out: string[] = [];
  const walk = (value: unknown, i: number, prefix: string[]): void => {
    if (i === parts.length) {
      out.push(prefix.join('.'));
      return;
    }
    const part = parts[i] as string;
    const m = IDENTIFIER.exec(part);
    if (!m) {
      walk(childOf(value, part), i + 1, [...prefix, part]);
      return;
    }
    const id = m[1] as string;
    const af = id === '' ? undefined : filters.get(id);
    if (id !== '' && !af) throw new MongoCommandError('BadValue', `No array filter found for identifier '${id}' in path '${path}'`);
    if (af) af.used = true;
    if (value === undefined) throw new MongoCommandError('BadValue', `The path '${prefix.join('.')}' must exist in the document in order to apply array updates.`);
    if (!Array.isArray(value)) {
      throw new MongoCommandError('BadValue', `Cannot apply array updates to non-array element ${prefix[prefix.length - 1] ?? ''}: ${shellValue(value)}`);
    }
    for (let j = 0; j < value.length; j++) {
      if (af && !af.filter.test({ [id]: value[j] })) continue;
      walk(value[j], i + 1, [...prefix, String(j)]);
    }
  };
  walk(doc, 0, []);
  return out;
}

/**
 * The update with every `$[]` / `$[id]` path replaced by the concrete paths it designates in
 * `doc` (array filters are tested on the document before the update, as in MongoDB); the same
 * object when it has none. Every array filter must be used.
 */
export function expandArrayUpdates(doc: Document, modifier: Document, arrayFilters: readonly Document[]): Document {
  const filters = parseArrayFilters(arrayFilters);
  let out: Document | undefined;
  for (const [op, spec] of Object.entries(modifier)) {
    if (!isPlainObject(spec) || !Object.keys(spec).some((p) => p.includes('$['))) continue;
    const expanded: Document = {};
    for (const [path, value] of Object.entries(spec)) {
      if (!path.includes('$[')) expanded[path] = value;
      else for (const concrete of concretePaths(doc, path, filters)) expanded[concrete] = value;
    }
    out ??= { ...modifier };
    out[op] = expanded;
  }
  for (const [id, af] of filters) {
    if (!af.used) throw new MongoCommandError('FailedToParse', `The array filter for identifier '${id}' was not used in the update ${shellValue(modifier)}`);
  }
  return out ?? modifier;
}
