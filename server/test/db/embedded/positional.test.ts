import type { Collection, Document, UpdateFilter } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDb, type TestDb } from './support.js';

// Runs against MONGODB_URI when set (see support.ts): these are MongoDB's semantics.
let t: TestDb;
let seq = 0;
beforeAll(async () => {
  t = await startTestDb();
});
afterAll(async () => {
  await t.stop();
});

interface UsageDoc extends Document {
  _id: number | string;
  k?: number;
  usage?: Array<{ model: string; calls?: number; inputTokens?: number; history?: number[] }>;
  a?: Array<{ x?: number; y?: number }>;
}

function coll(): Collection<UsageDoc> {
  return t.db.collection<UsageDoc>(`pos${++seq}`);
}

const NOT_FOUND = 'The positional operator did not find the match needed from the query.';

describe('positional $ update operator', () => {
  it('applies several operators to distinct fields of the element matched by $elemMatch', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, k: 1, usage: [{ model: 'a', calls: 0, inputTokens: 0 }, { model: 'b', calls: 5, inputTokens: 5 }] });
    const after = await c.findOneAndUpdate(
      { k: 1, usage: { $elemMatch: { model: 'b' } } },
      { $inc: { 'usage.$.calls': 1, 'usage.$.inputTokens': 10 } },
      { returnDocument: 'after' },
    );
    expect(after?.usage).toEqual([
      { model: 'a', calls: 0, inputTokens: 0 },
      { model: 'b', calls: 6, inputTokens: 15 },
    ]);
  });

  it('resolves $ from a dotted condition, also inside $and, per document in a multi update', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, usage: [{ model: 'a' }, { model: 'b' }] },
      { _id: 2, usage: [{ model: 'b' }, { model: 'a' }] },
    ]);
    // The driver's types do not know positional paths inside $push.
    const res = await c.updateMany({ 'usage.model': 'a' }, { $set: { 'usage.$.calls': 1 }, $push: { 'usage.$.history': 7 } } as unknown as UpdateFilter<UsageDoc>);
    expect(res).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    await c.updateOne({ $and: [{ _id: 1 }, { 'usage.model': { $eq: 'b' } }] }, { $inc: { 'usage.$.calls': 2 } });
    expect(await c.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 1, usage: [{ model: 'a', calls: 1, history: [7] }, { model: 'b', calls: 2 }] },
      { _id: 2, usage: [{ model: 'b' }, { model: 'a', calls: 1, history: [7] }] },
    ]);
  });

  it('picks the first element that matched, by value on an array of scalars too', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, tags: ['x', 'y', 'y'], usage: [{ model: 'a', calls: 1 }, { model: 'a', calls: 2 }] });
    await c.updateOne({ _id: 1, tags: 'y' }, { $set: { 'tags.$': 'Y' } });
    await c.updateOne({ _id: 1, usage: { $elemMatch: { model: 'a', calls: { $gte: 2 } } } }, { $set: { 'usage.$.model': 'A' } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, tags: ['x', 'Y', 'y'], usage: [{ model: 'a', calls: 1 }, { model: 'A', calls: 2 }] });
  });

  it('without a matching array condition in the query, $ is error 2 and nothing changes', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, k: 1, usage: [{ model: 'a', calls: 0 }] });
    for (const filter of [{ _id: 1 }, { _id: 1, 'usage.model': { $ne: 'zzz' } }]) {
      const err = await c.updateOne(filter, { $inc: { 'usage.$.calls': 1 } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 2 });
      expect((err as Error).message).toContain(NOT_FOUND);
    }
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, k: 1, usage: [{ model: 'a', calls: 0 }] });
  });

  it('an upsert that inserts cannot use $ (error 2)', async () => {
    const c = coll();
    const err = await c.updateOne({ _id: 9, 'usage.model': 'a' }, { $inc: { 'usage.$.calls': 1 } }, { upsert: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2 });
    expect(await c.countDocuments()).toBe(0);
  });

  it('paths conflict only when equal or one is a prefix of the other (code 40)', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, usage: [{ model: 'a', calls: 0 }], a: [{ x: 0 }, { x: 1 }] });
    await expect(c.updateOne({ _id: 1, 'usage.model': 'a' }, { $set: { 'usage.$': { model: 'b' } }, $inc: { 'usage.$.calls': 1 } })).rejects.toMatchObject({ code: 40 });
    await expect(c.updateOne({ _id: 1 }, { $set: { usage: [] }, $inc: { 'usage.0.calls': 1 } })).rejects.toMatchObject({ code: 40 });
    // $[] on two different fields of every element is fine.
    await c.updateOne({ _id: 1 }, { $set: { 'a.$[].x': 5, 'a.$[].y': 6 } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, usage: [{ model: 'a', calls: 0 }], a: [{ x: 5, y: 6 }, { x: 5, y: 6 }] });
  });
});
