import type { Document } from 'bson';
import { MongoCommandError } from './errors.js';
import { ExpressionEvaluator, isExpressionName } from './expressions.js';
import { matchedElementIndex } from './positional.js';
import { compileFilter, type Filter } from './query.js';
import { isPlainObject, numberValue } from './values.js';

/**
 * find / findAndModify projections with MongoDB's rules (4.4+):
 * - `1`/`true` includes, `0`/`false` excludes; the two do not mix, except `_id`, which is
 *   included unless excluded.
 * - Any other value is an aggregation expression (`{n: {$size: '$messages'}}`, `{a: 'literal'}`,
 *   `{a: '$b'}`); it makes the projection an inclusion and is evaluated against the whole
 *   document. Computed fields come after the included ones, in projection order.
 * - `{arr: {$slice: n | [skip, limit]}}` trims an array in place; it fits inclusion and
 *   exclusion projections alike (alone, it returns every other field).
 * - `{arr: {$elemMatch: cond}}` keeps the first matching element, as a computed field.
 * - `{'arr.$': 1}` keeps the element the query matched (one per projection).
 * - `{f: {$meta: name}}`: `textScore` needs a `$text` query, so it is refused (40218); the
 *   other metadata does not exist here and the field is omitted.
 * Errors carry MongoDB's codes (31254 exclusion in inclusion, 31250 path collision...).
 */

type Node =
  | { kind: 'path'; children: Map<string, Node> }
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'expr'; expr: unknown }
  | { kind: 'elemMatch'; field: string; filter: Filter }
  | { kind: 'slice'; skip: number | undefined; limit: number }
  | { kind: 'positional' }
  | { kind: 'meta' };

type PathNode = Extract<Node, { kind: 'path' }>;

/** Nodes whose value is computed from the whole document (added after the included fields). */
function isComputed(node: Node): boolean {
  return node.kind === 'expr' || node.kind === 'elemMatch' || node.kind === 'meta';
}

/** Find-only steps applied to the projected document, in projection order. */
type PostStep = { kind: 'slice'; path: string[]; skip: number | undefined; limit: number } | { kind: 'positional'; path: string[] };

interface ParseState {
  filter: Document;
  type: 'inclusion' | 'exclusion' | undefined;
  idSpecified: boolean;
  idIncluded: boolean;
  idExcluded: boolean;
  hasPositional: boolean;
  hasElemMatch: boolean;
  hasFindSlice: boolean;
  hasMeta: boolean;
  post: PostStep[];
}

const META_NAMES = new Set([
  'textScore',
  'randVal',
  'searchScore',
  'searchHighlights',
  'searchScoreDetails',
  'geoNearDistance',
  'geoNearPoint',
  'recordId',
  'indexKey',
  'sortKey',
  'vectorSearchScore',
  'score',
  'scoreDetails',
]);

function fail(code: number, msg: string): MongoCommandError {
  return new MongoCommandError(`Location${code}`, msg);
}

function validateFieldPath(path: string): string[] {
  const parts = path.split('.');
  for (const part of parts) {
    if (part === '') throw fail(15998, 'FieldPath field names may not be empty strings.');
    if (part.startsWith('$')) throw fail(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
  }
  return parts;
}

function addAtPath(root: PathNode, parts: readonly string[], node: Node): void {
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    let child = cur.children.get(part);
    if (!child) cur.children.set(part, (child = { kind: 'path', children: new Map() }));
    else if (child.kind !== 'path') throw fail(31249, `Path collision at ${parts.join('.')} remaining portion ${parts.slice(i + 1).join('.')}`);
    cur = child;
  }
  const last = parts[parts.length - 1] as string;
  if (cur.children.has(last)) throw fail(31250, `Path collision at ${parts.join('.')}`);
  cur.children.set(last, node);
}

/** Where the first positional `$` is in a projected path: `a.$.b` or `a.$` (or `$` alone). */
function positionalAt(path: string): { begin: number; end: number } | undefined {
  const mid = path.indexOf('.$.');
  if (mid >= 0) return { begin: mid, end: mid + 3 };
  if (path.endsWith('.$')) return { begin: path.length - 2, end: path.length };
  if (path === '$') return { begin: 0, end: 1 };
  return undefined;
}

/** Does the query constrain the field `matchField` (the first part of a positional path)? */
function queryConstrains(filter: Document, matchField: string): boolean {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (Array.isArray(cond) && cond.some((sub) => isPlainObject(sub) && queryConstrains(sub, matchField))) return true;
      continue;
    }
    if (key.startsWith('$')) continue;
    if (key.split('.')[0] === matchField) return true;
  }
  return false;
}

function toInt(v: unknown): number {
  const n = numberValue(v) ?? 0;
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function isNumeric(v: unknown): boolean {
  return numberValue(v) !== undefined;
}

function parseFindSlice(arg: unknown): { skip: number | undefined; limit: number } | { error: MongoCommandError } {
  if (isNumeric(arg)) return { skip: undefined, limit: toInt(arg) };
  if (Array.isArray(arg)) {
    if (arg.length !== 2) return { error: fail(31272, '$slice array argument should be of form [skip, limit]') };
    const [skip, limit] = arg as [unknown, unknown];
    if (!isNumeric(skip)) return { error: fail(31257, `$slice expects the skip argument to be a number, got ${typeof skip}`) };
    if (!isNumeric(limit)) return { error: fail(31258, `$slice expects the limit argument to be a number, got ${typeof limit}`) };
    if (toInt(limit) <= 0) return { error: fail(31259, `$slice limit must be positive, got ${toInt(limit)}`) };
    return { skip: toInt(skip), limit: toInt(limit) };
  }
  return { error: fail(31273, '$slice only supports numbers and [skip, limit] arrays') };
}

function markInclusion(state: ParseState, field: string, isTopLevelId: boolean): void {
  if (isTopLevelId) return;
  if (state.type === 'exclusion') throw fail(31253, `Cannot do inclusion on field ${field} in exclusion projection`);
  state.type = 'inclusion';
}

/** `{field: {$op: arg}}`: a find operator or an aggregation expression; false when it is neither (a sub-projection). */
function parseOperatorObject(state: ParseState, parent: PathNode, parts: string[], fullPath: string[], value: Document, isRoot: boolean): boolean {
  const [op] = Object.keys(value) as [string];
  const arg: unknown = value[op];
  if (op === '$slice') {
    const slice = parseFindSlice(arg);
    if (!('error' in slice)) {
      addAtPath(parent, parts, { kind: 'slice', ...slice });
      state.post.push({ kind: 'slice', path: [...fullPath, ...parts], ...slice });
      state.hasFindSlice = true;
      return true;
    }
    // Not find's $slice syntax: maybe the aggregation $slice ({$slice: ['$arr', 2]}).
    if (!Array.isArray(arg) || arg.length < 2 || isNumeric(arg[0])) throw slice.error;
  }
  if (op === '$elemMatch') {
    if (!isPlainObject(arg)) throw fail(31274, `elemMatch: Invalid argument, object required, but got ${Array.isArray(arg) ? 'array' : typeof arg}`);
    if (state.hasPositional) throw fail(31255, 'Cannot specify positional operator and $elemMatch.');
    if (!isRoot || parts.length !== 1) throw fail(31275, 'Cannot use $elemMatch projection on a nested field.');
    const field = parts[0] as string;
    addAtPath(parent, parts, { kind: 'elemMatch', field, filter: compileFilter({ [field]: { $elemMatch: arg } }) });
    state.hasElemMatch = true;
    return true;
  }
  if (op === '$meta') {
    if (typeof arg !== 'string' || !META_NAMES.has(arg)) throw fail(17308, `Unsupported argument to $meta: ${String(arg)}`);
    // Only a $text query produces a text score, and the embedded server has no text search.
    if (arg === 'textScore') throw fail(40218, 'query requires text score metadata, but it is not available');
    addAtPath(parent, parts, { kind: 'meta' });
    state.hasMeta = true;
    return true;
  }
  if (!isExpressionName(op)) return false;
  if (state.type === 'exclusion') throw fail(31252, 'Cannot use expression other than $meta in exclusion projection');
  state.type = 'inclusion';
  addAtPath(parent, parts, { kind: 'expr', expr: value });
  return true;
}

function parseElement(state: ParseState, parent: PathNode, field: string, value: unknown, fullPath: string[]): void {
  const isRoot = fullPath.length === 0;
  const positional = positionalAt(field);
  if (isPlainObject(value)) {
    if (positional) throw fail(31271, 'positional projection cannot be used with an expression or sub object');
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] as string).startsWith('$')) {
      const parts = validateFieldPath(field);
      if (parseOperatorObject(state, parent, parts, fullPath, value, isRoot)) return;
      throw fail(31325, `Unknown expression ${keys[0] as string}`);
    }
    if (keys.length === 0) throw fail(51270, `An empty sub-projection is not a valid value. Found empty object at path ${[...fullPath, field].join('.')}`);
    const parts = validateFieldPath(field);
    const node: PathNode = { kind: 'path', children: new Map() };
    addAtPath(parent, parts, node);
    for (const key of keys) parseElement(state, node, key, value[key], [...fullPath, ...parts]);
    return;
  }
  if (typeof value === 'boolean' || isNumeric(value)) {
    const truthy = typeof value === 'boolean' ? value : numberValue(value) !== 0;
    const isTopLevelId = isRoot && field === '_id';
    if (!truthy) {
      addAtPath(parent, validateFieldPath(field), { kind: 'exclude' });
      if (isTopLevelId) {
        state.idExcluded = true;
        return;
      }
      if (state.type === 'inclusion') throw fail(31254, `Cannot do exclusion on field ${field} in inclusion projection`);
      state.type = 'exclusion';
      return;
    }
    if (!positional) {
      addAtPath(parent, validateFieldPath(field), { kind: 'include' });
      if (isTopLevelId) state.idIncluded = true;
      markInclusion(state, field, isTopLevelId);
      return;
    }
    if (state.hasPositional) throw fail(31276, 'Cannot specify more than one positional projection per query.');
    if (state.hasElemMatch) throw fail(31256, 'Cannot specify positional operator and $elemMatch.');
    const matchField = fullPath[0] ?? (field.split('.')[0] as string);
    if (!queryConstrains(state.filter, matchField)) throw fail(31277, `Positional projection '${field}' does not match the query document.`);
    if (field.endsWith('.$.')) throw fail(31270, "Path cannot end with '.$.'");
    const rest = field.slice(positional.end);
    if (positionalAt(rest) || rest === '$') throw fail(31287, `Cannot use positional operator twice: ${field}`);
    const parts = validateFieldPath(field.slice(0, positional.begin));
    addAtPath(parent, parts, { kind: 'positional' });
    state.post.push({ kind: 'positional', path: [...fullPath, ...parts] });
    state.hasPositional = true;
    markInclusion(state, field, false);
    return;
  }
  if (positional) throw fail(31308, 'positional projection cannot be used with a literal');
  // Any other value (string, array, null, date...) is an expression: a literal or a field path.
  if (state.type === 'exclusion') throw fail(31310, `Cannot use an expression ${field}: ${String(value)} in an exclusion projection`);
  state.type = 'inclusion';
  addAtPath(parent, validateFieldPath(field), { kind: 'expr', expr: value });
}

/** A compiled projection: parse once per command, apply to each returned document. */
export class Projection {
  private readonly evaluator = new ExpressionEvaluator();

  private constructor(
    private readonly root: PathNode,
    private readonly inclusion: boolean,
    private readonly post: readonly PostStep[],
    private readonly filter: Document,
  ) {}

  /** Undefined for an absent or empty projection (the whole document is returned). */
  static compile(spec: Document | undefined, filter: Document): Projection | undefined {
    if (!spec || Object.keys(spec).length === 0) return undefined;
    const state: ParseState = {
      filter,
      type: undefined,
      idSpecified: false,
      idIncluded: false,
      idExcluded: false,
      hasPositional: false,
      hasElemMatch: false,
      hasFindSlice: false,
      hasMeta: false,
      post: [],
    };
    const root: PathNode = { kind: 'path', children: new Map() };
    for (const [field, value] of Object.entries(spec)) {
      if (field === '_id' || field.startsWith('_id.')) state.idSpecified = true;
      parseElement(state, root, field, value, []);
    }
    // MongoDB's rules for projections that state neither (only _id and find operators).
    let type = state.type;
    if (!type) {
      if (state.hasFindSlice) type = state.idIncluded ? 'inclusion' : 'exclusion';
      else if (state.hasElemMatch) type = 'inclusion';
      else if (state.hasMeta) type = state.idIncluded && !state.idExcluded ? 'inclusion' : 'exclusion';
      else type = state.idIncluded ? 'inclusion' : 'exclusion';
    }
    if (type === 'inclusion' && !state.idSpecified) root.children.set('_id', { kind: 'include' });
    if (type === 'exclusion' && state.idIncluded) root.children.delete('_id');
    return new Projection(root, type === 'inclusion', state.post, filter);
  }

  apply(doc: Document): Document {
    // Included fields first (in document order), then computed ones (in projection order), then find's $slice / '.$'.
    let out = this.inclusion ? this.include(doc, this.root) : this.exclude(doc, this.root);
    this.compute(out, this.root, doc);
    for (const step of this.post) out = step.kind === 'slice' ? sliceAt(out, step.path, 0, step.skip, step.limit) : this.positional(doc, out, step.path);
    return out;
  }

  private include(input: Document, node: PathNode): Document {
    const out: Document = {};
    for (const key of Object.keys(input)) {
      const child = node.children.get(key);
      if (!child) continue;
      const v: unknown = input[key];
      if (child.kind === 'include' || child.kind === 'slice' || child.kind === 'positional') {
        if (v !== undefined) out[key] = v;
      } else if (child.kind === 'path') {
        if (isPlainObject(v)) out[key] = this.include(v, child);
        else if (Array.isArray(v)) out[key] = this.includeArray(v, child);
      }
    }
    return out;
  }

  private includeArray(arr: readonly unknown[], node: PathNode): unknown[] {
    const out: unknown[] = [];
    for (const el of arr) {
      if (isPlainObject(el)) out.push(this.include(el, node));
      else if (Array.isArray(el)) out.push(this.includeArray(el, node));
      // Scalars have none of the projected fields: an inclusion drops them.
    }
    return out;
  }

  private exclude(input: Document, node: PathNode): Document {
    const out: Document = {};
    for (const key of Object.keys(input)) {
      const child = node.children.get(key);
      const v: unknown = input[key];
      if (!child) out[key] = v;
      else if (child.kind === 'path') out[key] = isPlainObject(v) ? this.exclude(v, child) : Array.isArray(v) ? this.excludeArray(v, child) : v;
      else if (child.kind !== 'exclude' && !isComputed(child)) out[key] = v;
    }
    return out;
  }

  private excludeArray(arr: readonly unknown[], node: PathNode): unknown[] {
    return arr.map((el) => (isPlainObject(el) ? this.exclude(el, node) : Array.isArray(el) ? this.excludeArray(el, node) : el));
  }

  /** Adds the computed fields of `node` (and below it) to `out`, in projection order. */
  private compute(out: Document, node: PathNode, root: Document): void {
    for (const [key, child] of node.children) {
      if (child.kind === 'expr') {
        const v = this.evaluator.evaluate(root, child.expr);
        if (v !== undefined) out[key] = v;
        else delete out[key];
      } else if (child.kind === 'elemMatch') {
        const arr: unknown = root[child.field];
        if (!Array.isArray(arr)) continue;
        const hit = arr.find((el) => child.filter.test({ [child.field]: [el] }));
        if (hit !== undefined) out[key] = [hit];
      } else if (child.kind === 'path' && hasComputed(child)) {
        out[key] = this.computeInto(out[key], child, root);
      }
    }
  }

  /** Computed fields below a path: into each sub-document, and a new document where there is none. */
  private computeInto(value: unknown, node: PathNode, root: Document): unknown {
    if (isPlainObject(value)) {
      this.compute(value, node, root);
      return value;
    }
    if (Array.isArray(value)) return value.map((el) => this.computeInto(Array.isArray(el) || isPlainObject(el) ? el : undefined, node, root));
    const fresh: Document = {};
    this.compute(fresh, node, root);
    return fresh;
  }

  /** `'arr.$': 1`: the first array on the path keeps only the element the query matched. */
  private positional(doc: Document, out: Document, path: readonly string[]): Document {
    let pre: unknown = doc;
    let post: unknown = out;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string;
      pre = isPlainObject(pre) ? pre[key] : undefined;
      post = isPlainObject(post) ? post[key] : undefined;
      if (Array.isArray(post)) {
        const arrayPath = path.slice(0, i + 1).join('.');
        const index = Array.isArray(pre) ? matchedElementIndex(doc, arrayPath, this.filter) : undefined;
        if (index === undefined) throw fail(51246, "positional operator '.$' couldn't find a matching element in the array");
        if (index >= post.length) throw fail(51247, "positional operator '.$' element mismatch");
        return setAt(out, path.slice(0, i + 1), [post[index]]);
      }
      if (!isPlainObject(post)) break;
    }
    return out;
  }
}

/** Whether a value is computed somewhere below `node` (`$meta` computes nothing here: no metadata exists). */
function hasComputed(node: PathNode): boolean {
  for (const child of node.children.values()) if (child.kind === 'expr' || child.kind === 'elemMatch' || (child.kind === 'path' && hasComputed(child))) return true;
  return false;
}

/** `out` with `value` at `path` (each object on the path copied: they may be shared with the stored document). */
function setAt(out: Document, path: readonly string[], value: unknown): Document {
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...out };
  copy[head] = rest.length === 0 ? value : setAt(copy[head] as Document, rest, value);
  return copy;
}

/** find's `$slice`: the array at the end of the path is sliced, arrays on the way are walked element by element. */
function sliceAt(doc: Document, path: readonly string[], at: number, skip: number | undefined, limit: number): Document {
  const key = path[at] as string;
  if (!Object.hasOwn(doc, key)) return doc;
  const v: unknown = doc[key];
  const last = at === path.length - 1;
  let next: unknown = v;
  if (Array.isArray(v)) next = last ? sliceArray(v, skip, limit) : v.map((el) => (isPlainObject(el) ? sliceAt(el, path, at + 1, skip, limit) : el));
  else if (isPlainObject(v) && !last) next = sliceAt(v, path, at + 1, skip, limit);
  if (next === v) return doc;
  return { ...doc, [key]: next };
}

function sliceArray(arr: readonly unknown[], skip: number | undefined, limit: number): unknown[] {
  const len = arr.length;
  if (skip === undefined) return limit < 0 ? arr.slice(Math.max(0, len + limit)) : arr.slice(0, Math.min(len, limit));
  const start = skip < 0 ? Math.max(0, len + skip) : Math.min(len, skip);
  return arr.slice(start, start + Math.min(len - start, limit));
}
