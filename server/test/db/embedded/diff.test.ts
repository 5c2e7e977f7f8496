import { BSON, type Document } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDiff, diffDocuments } from '../../../src/db/embedded/diff.js';
import { MongoCommandError } from '../../../src/db/embedded/errors.js';
import { applyUpdate } from '../../../src/db/embedded/update.js';

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** Byte equality: same values, same types, same key order. */
function sameBson(a: Document, b: Document): boolean {
  return Buffer.from(BSON.serialize(a)).equals(Buffer.from(BSON.serialize(b)));
}

function session(messages: number): Document {
  return {
    _id: 'id1',
    clientSessionId: 'c',
    status: 'active',
    messages: Array.from({ length: messages }, (_, i) => ({ id: `m${i}`, role: 'candidate', text: 'x'.repeat(300), at: new Date(i) })),
    usage: [{ model: 'a', calls: 1 }],
    turn: { state: 'idle' },
    updatedAt: new Date(0),
  };
}

describe('journal diffs of updates', () => {
  it('a guarded $push to a large document is a diff of the pushed element and updatedAt, sharing the rest', () => {
    const prev = deepFreeze(session(500));
    const msg = { id: 'new', role: 'candidate', text: 'hello', at: new Date(5) };
    const { doc: next } = applyUpdate(prev, { $push: { messages: msg }, $set: { updatedAt: new Date(9) } }, { filter: { 'messages.id': { $ne: 'new' } }, isInsert: false });
    expect(next.messages[0]).toBe(prev.messages[0]); // structural sharing, no deep copy
    const diff = diffDocuments(prev, next);
    expect(diff?.ops).toEqual([
      { p: ['messages'], v: [msg] },
      { s: ['updatedAt'], v: new Date(9) },
    ]);
    expect(BSON.serialize({ d: diff?.ops }).length).toBeLessThan(300);
    expect(sameBson(applyDiff(prev, diff?.ops ?? []), next)).toBe(true);
    expect(BSON.calculateObjectSize(prev) + (diff?.sizeDelta ?? 0)).toBe(BSON.calculateObjectSize(next));
  });

  it('a positional $inc is a diff of the two changed leaves', () => {
    const prev = deepFreeze(session(3));
    const { doc: next } = applyUpdate(prev, { $inc: { 'usage.$.calls': 1, 'usage.$.inputTokens': 10 } }, { filter: { usage: { $elemMatch: { model: 'a' } } }, isInsert: false });
    expect(diffDocuments(prev, next)?.ops).toEqual([
      { s: ['usage', 0, 'calls'], v: 2 },
      { s: ['usage', 0, 'inputTokens'], v: 10 },
    ]);
  });

  it('key order changes fall back to a full document (undefined diff)', () => {
    expect(diffDocuments({ _id: 1, a: 1, b: 2 }, { _id: 1, b: 2, a: 1 })).toBeUndefined();
  });

  // Any update on any document: the stored version is never mutated (deep-frozen), and replaying
  // the diff gives the new version byte for byte, with the exact size change.
  it('property: replaying the diff reproduces every update exactly', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'arr', 'obj');
    const leaf = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.date({ min: new Date(0), max: new Date(1e12), noInvalidDate: true }));
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
    })).v;
    const doc = fc.record({ a: value, b: value, arr: fc.array(fc.record({ x: fc.integer({ min: 0, max: 3 }), y: value }), { maxLength: 4 }), obj: fc.dictionary(key, value, { maxKeys: 3 }) }, { requiredKeys: ['arr'] });
    const path = fc.constantFrom('a', 'b', 'c', 'obj.a', 'obj.b', 'obj.arr', 'arr', 'arr.0.x', 'arr.1.y', 'arr.$.y', 'arr.$.x', 'arr.$[].x', 'arr.$[e].y', 'c.d.e');
    const op = fc.oneof(
      fc.record({ op: fc.constant('$set'), path, v: value }),
      fc.record({ op: fc.constant('$unset'), path, v: fc.constant('') }),
      fc.record({ op: fc.constant('$inc'), path, v: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant('$push'), path, v: value }),
      fc.record({ op: fc.constant('$addToSet'), path, v: leaf }),
      fc.record({ op: fc.constant('$pull'), path, v: leaf }),
      fc.record({ op: fc.constant('$pop'), path, v: fc.constantFrom(1, -1) }),
      fc.record({ op: fc.constant('$rename'), path: fc.constantFrom('a', 'b', 'obj.a'), v: fc.constantFrom('c', 'z', 'obj.z') }),
    );
    fc.assert(
      fc.property(doc, fc.array(op, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), (raw, ops, x) => {
        const prev = deepFreeze({ _id: 1, ...structuredClone(raw) } as Document);
        const update: Document = {};
        for (const o of ops) update[o.op] = { ...(update[o.op] as Document | undefined), [o.path]: o.v };
        let next: Document;
        try {
          next = applyUpdate(prev, update, { filter: { 'arr.x': x }, arrayFilters: [{ 'e.x': x }], isInsert: false }).doc;
        } catch (err) {
          // A write into the frozen stored version is the bug this test hunts; anything else is a refused update.
          if (err instanceof TypeError && /read only|not extensible|Cannot (add|delete) property/.test(err.message)) throw err;
          if (err instanceof MongoCommandError || err instanceof Error) return;
          throw err;
        }
        const diff = diffDocuments(prev, next);
        if (!diff) return; // journaled whole
        expect(sameBson(applyDiff(prev, diff.ops), next)).toBe(true);
        expect(BSON.calculateObjectSize(prev) + diff.sizeDelta).toBe(BSON.calculateObjectSize(next));
      }),
      { numRuns: 1000 },
    );
  });
});
