import type { Document } from 'bson';
import { compareValues, type StringCompare } from './bsonvalues.js';
import { leafValues } from './queryops.js';

/**
 * Sorts documents by MongoDB's rules: BSON order across types (numbers of every width by
 * value), an array field sorts by its smallest element ascending and its largest descending,
 * a missing field sorts as null and an empty array below it; strings compare binary or under
 * the command's collation. Stable: ties keep natural order.
 */
export function sortDocuments(docs: readonly Document[], spec: Readonly<Record<string, 1 | -1>>, strings?: StringCompare): Document[] {
  const keys = Object.entries(spec).map(([path, dir]) => ({ parts: path.split('.'), dir }));
  const decorated = docs.map((doc, index) => ({ doc, index, key: keys.map(({ parts, dir }) => sortKey(doc, parts, dir, strings)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const order = compareValues(a.key[i], b.key[i], strings);
      if (order !== 0) return order * (keys[i] as { dir: 1 | -1 }).dir;
    }
    return a.index - b.index;
  });
  return decorated.map((d) => d.doc);
}

function sortKey(doc: Document, parts: readonly string[], dir: 1 | -1, strings: StringCompare | undefined): unknown {
  let best: unknown;
  let found = false;
  let sawEmptyArray = false;
  for (const leaf of leafValues(doc, parts)) {
    const values = Array.isArray(leaf) ? leaf : [leaf === undefined ? null : leaf];
    if (Array.isArray(leaf) && leaf.length === 0) sawEmptyArray = true;
    for (const v of values) {
      if (!found || compareValues(v, best, strings) * dir < 0) {
        best = v;
        found = true;
      }
    }
  }
  // An empty array (and nothing else) sorts below null: as "undefined".
  return found ? best : sawEmptyArray ? undefined : null;
}
