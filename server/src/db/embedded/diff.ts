import { BSON, type Document } from 'bson';
import { isPlainObject, valueKey } from './values.js';

/**
 * Physical document diffs: what an update changed, as a short list of path operations, so the
 * journal records a few hundred bytes for a `$push` to a 250 KB document instead of the whole
 * document. Diffs are computed from the old and new versions (never re-derived from update
 * operators), so replaying one is deterministic: no query, no operator, no clock.
 *
 * Updates build the new version copy-on-write ({@link copyAlongPaths}): only the containers on
 * an updated path are copied, everything else is shared with the old version. Identity
 * (`===`) then finds the changed parts in time proportional to the change, not the document.
 */

/** A path into a document: object keys are strings, array indexes numbers. */
export type DiffPath = Array<string | number>;

export type DiffOp =
  /** Set (or add, at the end of its object) the value at path. */
  | { s: DiffPath; v: unknown }
  /** Remove the field at path. */
  | { u: DiffPath }
  /** Append elements to the array at path. */
  | { p: DiffPath; v: unknown[] };

/** More operations than this: the update rewrote much of the document, journal it whole. */
const MAX_OPS = 64;

class TooManyOps extends Error {}

/** Size in bytes of the BSON element `key: value` (type byte, key, value). An array hole (undefined) is written as null. */
function elementSize(key: string | number, value: unknown): number {
  // Type byte + key (a C string), then the value: the common types directly, without a wrapper document.
  const head = 2 + (typeof key === 'number' ? String(key).length : Buffer.byteLength(key, 'utf8'));
  if (value === undefined || value === null) return head;
  if (typeof value === 'string') return head + 5 + Buffer.byteLength(value, 'utf8');
  if (typeof value === 'boolean') return head + 1;
  if (value instanceof Date) return head + 8;
  if (Array.isArray(value) || isPlainObject(value)) return head + BSON.calculateObjectSize(value);
  return BSON.calculateObjectSize({ [String(key)]: value }) - 5;
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b) || isPlainObject(a) || isPlainObject(b)) return false;
  // Dates, ObjectIds, Binary...: equal by their type-aware canonical form.
  return Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && valueKey(a) === valueKey(b);
}

interface DiffState {
  ops: DiffOp[];
  /** new size - old size, in bytes (BSON sizes are additive: a nested change changes every enclosing size by the same amount). */
  sizeDelta: number;
}

function push(state: DiffState, op: DiffOp): void {
  if (state.ops.length >= MAX_OPS) throw new TooManyOps();
  state.ops.push(op);
}

function setOp(state: DiffState, path: DiffPath, key: string | number, oldValue: unknown, newValue: unknown, existed: boolean): void {
  push(state, { s: path, v: newValue });
  state.sizeDelta += elementSize(key, newValue) - (existed ? elementSize(key, oldValue) : 0);
}

/** True when `next`'s keys are `prev`'s surviving keys in order followed by the added ones (what replaying set/unset yields). */
function keyOrderReplayable(prev: Document, next: Document): boolean {
  const nextKeys = Object.keys(next);
  let i = 0;
  for (const k of Object.keys(prev)) {
    if (!Object.hasOwn(next, k)) continue;
    if (nextKeys[i] !== k) return false;
    i++;
  }
  for (; i < nextKeys.length; i++) if (Object.hasOwn(prev, nextKeys[i] as string)) return false;
  return true;
}

function diffObject(prev: Document, next: Document, path: DiffPath, state: DiffState): void {
  for (const k of Object.keys(prev)) {
    if (!Object.hasOwn(next, k) || next[k] === undefined) {
      push(state, { u: [...path, k] });
      state.sizeDelta -= elementSize(k, prev[k]);
    }
  }
  for (const k of Object.keys(next)) {
    const nv: unknown = next[k];
    if (nv === undefined) continue;
    if (!Object.hasOwn(prev, k)) setOp(state, [...path, k], k, undefined, nv, false);
    // Shared with the old version (copy-on-write): unchanged, and no path to build.
    else if (prev[k] !== nv) diffValue(prev[k], nv, [...path, k], k, state);
  }
}

function diffValue(pv: unknown, nv: unknown, path: DiffPath, key: string | number, state: DiffState): void {
  if (pv === nv || sameScalar(pv, nv)) return;
  if (isPlainObject(pv) && isPlainObject(nv) && keyOrderReplayable(pv, nv)) {
    diffObject(pv, nv, path, state);
    return;
  }
  if (Array.isArray(pv) && Array.isArray(nv) && nv.length >= pv.length) {
    if (nv.length === pv.length) {
      for (let i = 0; i < nv.length; i++) diffValue(pv[i], nv[i], [...path, i], i, state);
      return;
    }
    // An append ($push): the old elements are still there, unchanged, in front.
    let prefix = true;
    for (let i = 0; i < pv.length && prefix; i++) prefix = pv[i] === nv[i] || sameScalar(pv[i], nv[i]);
    if (prefix) {
      const tail = nv.slice(pv.length);
      push(state, { p: path, v: tail });
      for (let i = 0; i < tail.length; i++) state.sizeDelta += elementSize(pv.length + i, tail[i]);
      return;
    }
  }
  setOp(state, path, key, pv, nv, true);
}

/**
 * The operations that turn `prev` into `next`, plus the BSON size change; undefined when a
 * diff would not be smaller than the document (the update rewrote most of it, or moved keys).
 */
export function diffDocuments(prev: Document, next: Document): { ops: DiffOp[]; sizeDelta: number } | undefined {
  if (!keyOrderReplayable(prev, next)) return undefined;
  const state: DiffState = { ops: [], sizeDelta: 0 };
  try {
    diffObject(prev, next, [], state);
  } catch (err) {
    if (err instanceof TooManyOps) return undefined;
    throw err;
  }
  return state;
}

export class DiffApplyError extends Error {
  override name = 'DiffApplyError';
}

type Container = Document | unknown[];

function isContainer(v: unknown): v is Container {
  return Array.isArray(v) || isPlainObject(v);
}

function shallowCopy(v: Container): Container {
  return Array.isArray(v) ? v.slice() : { ...v };
}

/** Replays `ops` on a copy-on-write version of `doc` (which is never mutated). */
export function applyDiff(doc: Document, ops: readonly DiffOp[]): Document {
  const root: Document = { ...doc };
  const owned = new Set<Container>([root]);
  const fail = (op: DiffOp, why: string): never => {
    throw new DiffApplyError(`cannot replay diff operation ${JSON.stringify(op)} on document ${String(doc._id)}: ${why}`);
  };
  for (const op of ops) {
    const path = 's' in op ? op.s : 'u' in op ? op.u : op.p;
    if (!Array.isArray(path) || path.length === 0) fail(op, 'empty path');
    let cur: Container = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string | number;
      const child: unknown = Array.isArray(cur) ? (typeof key === 'number' ? cur[key] : undefined) : cur[key];
      if (!isContainer(child)) return fail(op, `no container at ${path.slice(0, i + 1).join('.')}`);
      let copy = child;
      if (!owned.has(child)) {
        copy = shallowCopy(child);
        owned.add(copy);
        (cur as Record<string | number, unknown>)[key] = copy;
      }
      cur = copy;
    }
    const last = path[path.length - 1] as string | number;
    if (Array.isArray(cur) !== (typeof last === 'number')) fail(op, 'path does not match the container type');
    const slot = cur as Record<string | number, unknown>;
    if ('s' in op) slot[last] = op.v;
    else if ('u' in op) delete slot[last];
    else {
      const target = slot[last];
      if (!Array.isArray(target) || !Array.isArray(op.v)) return fail(op, 'not an array');
      slot[last] = [...(target as unknown[]), ...op.v];
    }
  }
  return root;
}

/**
 * A copy of `doc` that is safe to mutate along `paths` (dotted update paths, positional `$`
 * already resolved): every container on a path is copied, the rest is shared with `doc`. Below
 * `$[]`/`$[id]` (or an array walked by field name) every element is deep-copied, since the
 * update may touch any of them.
 */
export function copyAlongPaths(doc: Document, paths: Iterable<string>, deepClone: <T>(v: T) => T): Document {
  const root: Document = { ...doc };
  const owned = new Set<Container>([root]);
  /** Fully private subtrees (an owned container may still hold shared children). */
  const deep = new Set<Container>();
  for (const path of paths) {
    let cur: Container = root;
    for (const part of path.split('.')) {
      let key: string | number = part;
      if (deep.has(cur)) break;
      if (Array.isArray(cur)) {
        if (!/^\d+$/.test(part)) {
          for (let j = 0; j < cur.length; j++) {
            const el: unknown = cur[j];
            if (isContainer(el) && !deep.has(el)) {
              const copy = deepClone(el);
              owned.add(copy);
              deep.add(copy);
              cur[j] = copy;
            }
          }
          break;
        }
        key = Number(part);
      }
      const child: unknown = (cur as Record<string | number, unknown>)[key];
      if (!isContainer(child)) break;
      let copy = child;
      if (!owned.has(child)) {
        copy = shallowCopy(child);
        owned.add(copy);
        (cur as Record<string | number, unknown>)[key] = copy;
      }
      cur = copy;
    }
  }
  return root;
}
