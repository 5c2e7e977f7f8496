import type { Document } from 'bson';
import { MongoCommandError } from './errors.js';
import { compileFilter, type Filter } from './query.js';
import { isPlainObject } from './values.js';

/**
 * Resolves the positional `$` operator of an update to the index of the matched array
 * element, before mingo sees the update. (mingo resolves `$` itself, but checks path conflicts
 * on the path BEFORE the `$`: `{$inc: {'a.$.x': 1, 'a.$.y': 1}}` fails there with "updating the
 * path 'a' would create a conflict", while MongoDB applies both.)
 *
 * MongoDB's rule: `$` stands for the first element of the array that matched the query's
 * condition on that array: `{arr: {$elemMatch: ...}}`, `{'arr.field': ...}`, `{arr: value}`,
 * at the top level of the filter or inside `$and`. Negations (`$ne`, `$nin`, `$not`) and
 * conditions on the array as a whole (`$size`, `$exists`) do not pin an element. When the filter
 * has several conditions on the array, the first element satisfying all of them wins; if none
 * does (each condition matched a different element), the first element matching the last one.
 * No usable condition, or no matching element: code 2 "The positional operator did not find the
 * match needed from the query."
 */

const NOT_FOUND = 'The positional operator did not find the match needed from the query.';
const NEGATIONS = new Set(['$ne', '$nin', '$not']);
const WHOLE_ARRAY = new Set(['$size', '$exists']);

function hasPositional(path: string): boolean {
  return path === '$' || path.startsWith('$.') || path.endsWith('.$') || path.includes('.$.');
}

/** The update with every `x.$.y` path rewritten to `x.<index>.y`; the same object when it has none. */
export function resolvePositional(doc: Document, modifier: Document, filter: Document): Document {
  let out: Document | undefined;
  const cache = new Map<string, number>();
  for (const [op, spec] of Object.entries(modifier)) {
    if (!isPlainObject(spec) || !Object.keys(spec).some(hasPositional)) continue;
    // Rebuilt in the same key order (the order the paths are applied in).
    const resolved: Document = {};
    for (const [path, value] of Object.entries(spec)) {
      if (!hasPositional(path)) {
        resolved[path] = value;
        continue;
      }
      const parts = path.split('.');
      const at = parts.indexOf('$');
      if (parts.indexOf('$', at + 1) >= 0) {
        throw new MongoCommandError('BadValue', `Too many positional (i.e. '$') elements found in path '${path}'`);
      }
      const arrayPath = parts.slice(0, at).join('.');
      let index = cache.get(arrayPath);
      if (index === undefined) {
        index = matchedIndex(doc, arrayPath, filter);
        cache.set(arrayPath, index);
      }
      parts[at] = String(index);
      resolved[parts.join('.')] = value;
    }
    out ??= { ...modifier };
    out[op] = resolved;
  }
  return out ?? modifier;
}

/** Conditions of the filter (top level and `$and`) that can pin an element of `arrayPath`. */
function arrayConditions(filter: Document, arrayPath: string, out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) arrayConditions(sub, arrayPath, out);
      continue;
    }
    if (key !== arrayPath && !key.startsWith(`${arrayPath}.`)) continue;
    if (isPlainObject(cond)) {
      const ops = Object.keys(cond).filter((k) => k.startsWith('$'));
      if (ops.some((k) => NEGATIONS.has(k))) continue;
      if (ops.length > 0 && ops.every((k) => WHOLE_ARRAY.has(k))) continue;
    }
    out.push([key, cond]);
  }
  return out;
}

function valueAt(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isPlainObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/** `{a: {b: [el]}}` for arrayPath 'a.b': the document seen by a condition when the array holds only `el`. */
function probe(arrayPath: string, el: unknown): Document {
  const parts = arrayPath.split('.');
  let value: unknown = [el];
  for (let i = parts.length - 1; i >= 0; i--) value = { [parts[i] as string]: value };
  return value as Document;
}

function matchedIndex(doc: Document, arrayPath: string, filter: Document): number {
  const index = matchedElementIndex(doc, arrayPath, filter);
  if (index === undefined) throw new MongoCommandError('BadValue', NOT_FOUND);
  return index;
}

/**
 * The index of the element of the array at `arrayPath` that the filter's conditions on that
 * array matched (MongoDB's "elemMatchKey"), by the rule above; undefined when the filter has no
 * such condition or no element satisfies one. Shared with the positional projection (`'arr.$': 1`).
 */
export function matchedElementIndex(doc: Document, arrayPath: string, filter: Document): number | undefined {
  const arr = valueAt(doc, arrayPath);
  const conditions = arrayConditions(filter, arrayPath);
  if (!Array.isArray(arr) || conditions.length === 0) return undefined;
  const queries = conditions.map(([key, cond]) => compileFilter({ [key]: cond }));
  for (let i = 0; i < arr.length; i++) {
    const p = probe(arrayPath, arr[i]);
    if (queries.every((q) => q.test(p))) return i;
  }
  const last = queries[queries.length - 1] as Filter;
  for (let i = 0; i < arr.length; i++) if (last.test(probe(arrayPath, arr[i]))) return i;
  return undefined;
}
