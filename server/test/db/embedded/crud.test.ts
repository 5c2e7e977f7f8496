import { ObjectId, type Collection, type Document, type UpdateFilter } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { LooseDoc, SessionDoc } from './helpers.js';
import { fileTestDb } from './support.js';

const t = fileTestDb('c');
const coll = t.coll;

describe('find', () => {
  it('filters, sorts, skips, limits and projects like MongoDB', async () => {
    const c = coll();
    await c.insertMany([
      { n: 3, tag: 'a', extra: 1 },
      { n: 1, tag: 'b', extra: 1 },
      { n: 5, tag: 'a', extra: 1 },
      { n: 4, tag: 'a', extra: 1 },
      { n: 2, tag: 'a', extra: 1 },
    ]);
    const rows = await c.find({ tag: 'a' }, { sort: { n: -1 }, skip: 1, limit: 2, projection: { _id: 0, n: 1 } }).toArray();
    expect(rows).toEqual([{ n: 4 }, { n: 3 }]);
    expect(await c.find({ n: { $gte: 4 } }, { projection: { extra: 0, _id: 0 } }).sort({ n: 1 }).toArray()).toEqual([
      { n: 4, tag: 'a' },
      { n: 5, tag: 'a' },
    ]);
  });

  it('pages through a cursor with getMore in batches of batchSize', async () => {
    const c = coll();
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const cursor = c.find({}, { batchSize: 40 }).sort({ i: 1 });
    const seen: number[] = [];
    for await (const doc of cursor) seen.push(doc.i as number);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
    // A raw find/getMore shows the real batches and the Long cursor id.
    const db = t.db;
    const first = await db.command({ find: c.collectionName, filter: {}, batchSize: 100 });
    expect(first.cursor.firstBatch).toHaveLength(100);
    expect(first.cursor.ns).toBe(`${t.dbName}.${c.collectionName}`);
    const more = await db.command({ getMore: first.cursor.id, collection: c.collectionName, batchSize: 100 });
    expect(more.cursor.nextBatch).toHaveLength(100);
    const last = await db.command({ getMore: first.cursor.id, collection: c.collectionName, batchSize: 100 });
    expect(last.cursor.nextBatch).toHaveLength(50);
    expect(Number(last.cursor.id)).toBe(0);
    await expect(db.command({ getMore: first.cursor.id, collection: c.collectionName })).rejects.toMatchObject({ code: 43 });
  });

  it('finds a document by ObjectId _id, by $in of ObjectIds, and by an ObjectId field', async () => {
    const c = coll();
    const ids: [ObjectId, ObjectId, ObjectId] = [new ObjectId(), new ObjectId(), new ObjectId()];
    const ref = new ObjectId();
    await c.insertMany(ids.map((_id, i) => ({ _id, i, ref: i === 1 ? ref : null })));
    expect(await c.findOne({ _id: new ObjectId(ids[2].toHexString()) })).toMatchObject({ i: 2 });
    expect((await c.find({ _id: { $in: [ids[0], ids[1]] } }).toArray()).map((d) => d.i)).toEqual([0, 1]);
    expect(await c.findOne({ ref: new ObjectId(ref.toHexString()) })).toMatchObject({ i: 1 });
    expect(await c.findOne({ _id: new ObjectId() })).toBeNull();
    const found = await c.findOne({ _id: ids[0] });
    expect(found?._id).toBeInstanceOf(ObjectId);
    expect((found?._id as ObjectId).equals(ids[0])).toBe(true);
  });

  it('round-trips Dates, nested documents, arrays, booleans and null', async () => {
    const c = coll();
    const at = new Date('2026-01-02T03:04:05.678Z');
    await c.insertOne({ _id: 'x', at, nested: { a: [1, 'two', { three: 3 }] }, yes: true, none: null, big: 2 ** 40, frac: 1.5 });
    expect(await c.findOne({ at: { $gte: new Date('2026-01-01') } })).toEqual({ _id: 'x', at, nested: { a: [1, 'two', { three: 3 }] }, yes: true, none: null, big: 2 ** 40, frac: 1.5 });
  });
});

function sessions(): Collection<SessionDoc> {
  return t.db.collection<SessionDoc>(t.name());
}

describe('guarded $push', () => {
  it('a {messages.id: {$ne: id}} guard matches an empty array and rejects a present id', async () => {
    const c = sessions();
    await c.insertOne({ _id: 's1', messages: [] });
    const first = await c.updateOne({ _id: 's1', 'messages.id': { $ne: 'm1' } }, { $push: { messages: { id: 'm1', text: 'hi' } } });
    expect(first).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const again = await c.updateOne({ _id: 's1', 'messages.id': { $ne: 'm1' } }, { $push: { messages: { id: 'm1', text: 'hi' } } });
    expect(again).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect((await c.findOne({ _id: 's1' }))?.messages).toEqual([{ id: 'm1', text: 'hi' }]);
  });

  it('200 concurrent guarded pushes with distinct ids store 200 messages, with one id store 1', async () => {
    const c = sessions();
    await c.insertMany([{ _id: 'distinct', messages: [] }, { _id: 'same', messages: [] }]);
    const push = (doc: string, id: string): Promise<unknown> => c.updateOne({ _id: doc, 'messages.id': { $ne: id } }, { $push: { messages: { id } } });
    await Promise.all(Array.from({ length: 200 }, (_, i) => push('distinct', `m${i}`)));
    const same = await Promise.all(Array.from({ length: 200 }, () => push('same', 'only')));
    expect((await c.findOne({ _id: 'distinct' }))?.messages).toHaveLength(200);
    expect((await c.findOne({ _id: 'same' }))?.messages).toEqual([{ id: 'only' }]);
    expect(same.filter((r) => (r as { modifiedCount: number }).modifiedCount === 1)).toHaveLength(1);
  });

  it('updates the matched array element with the positional $ operator and arrayFilters', async () => {
    const c = sessions();
    await c.insertOne({ _id: 1, messages: [{ id: 'a', text: 'x' }, { id: 'b', text: 'y' }] });
    await c.updateOne({ _id: 1, 'messages.id': 'b' }, { $set: { 'messages.$.text': 'Y' } });
    await c.updateOne({ _id: 1 }, { $set: { 'messages.$[m].seen': true } }, { arrayFilters: [{ 'm.id': 'a' }] });
    expect((await c.findOne({ _id: 1 }))?.messages).toEqual([
      { id: 'a', text: 'x', seen: true },
      { id: 'b', text: 'Y' },
    ]);
  });
});

describe('update and upsert', () => {
  it('upserts a document from the filter equality conditions plus $set and $setOnInsert', async () => {
    const c = coll();
    const res = await c.updateOne(
      { clientSessionId: 'abc', 'voice.agentId': 'ag', status: { $in: ['created'] } },
      { $set: { role: 'dev' }, $setOnInsert: { createdAt: 1 } },
      { upsert: true },
    );
    expect(res.upsertedCount).toBe(1);
    expect(res.upsertedId).toBeInstanceOf(ObjectId);
    const doc = await c.findOne({ clientSessionId: 'abc' }, { projection: { _id: 0 } });
    expect(doc).toEqual({ clientSessionId: 'abc', voice: { agentId: 'ag' }, role: 'dev', createdAt: 1 });
    // A second upsert matches: $setOnInsert does not apply.
    const res2 = await c.updateOne({ clientSessionId: 'abc' }, { $set: { role: 'ops' }, $setOnInsert: { createdAt: 2 } }, { upsert: true });
    expect(res2).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    expect(await c.findOne({ clientSessionId: 'abc' }, { projection: { _id: 0, role: 1, createdAt: 1 } })).toEqual({ role: 'ops', createdAt: 1 });
  });

  it('replacement upsert keeps the filter _id; an update never changes _id (code 66)', async () => {
    const c = coll();
    await c.replaceOne({ _id: 'r1' }, { a: 1 }, { upsert: true });
    expect(await c.findOne({ _id: 'r1' })).toEqual({ _id: 'r1', a: 1 });
    await c.replaceOne({ _id: 'r1' }, { b: 2 });
    expect(await c.findOne({ _id: 'r1' })).toEqual({ _id: 'r1', b: 2 });
    await expect(c.updateOne({ _id: 'r1' }, { $set: { _id: 'other' } })).rejects.toMatchObject({ code: 66 });
    await expect(c.replaceOne({ _id: 'r1' }, { _id: 'other', b: 3 })).rejects.toMatchObject({ code: 66 });
    expect(await c.findOne({ _id: 'r1' })).toEqual({ _id: 'r1', b: 2 });
  });

  it('multi updates report n and nModified; a no-op update is matched but not modified', async () => {
    const c = coll();
    await c.insertMany([{ g: 1, v: 0 }, { g: 1, v: 1 }, { g: 2, v: 0 }]);
    expect(await c.updateMany({ g: 1 }, { $set: { v: 1 } })).toMatchObject({ matchedCount: 2, modifiedCount: 1 });
    expect(await c.updateMany({ g: 1 }, { $inc: { v: 1 } })).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(await c.countDocuments({ v: 2 })).toBe(2);
  });

  it('concurrent upserts on one unique key leave exactly one document', async () => {
    const c = coll();
    await c.createIndex({ key: 1 }, { unique: true });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => c.updateOne({ key: 'k' }, { $setOnInsert: { first: i }, $inc: { hits: 1 } }, { upsert: true })));
    const rejected = results.filter((r) => r.status === 'rejected');
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
    expect(await c.countDocuments({ key: 'k' })).toBe(1);
    expect((await c.findOne({ key: 'k' }))?.hits).toBe(50 - rejected.length);
  });

  it('an update that would grow a document past 16 MiB is rejected and changes nothing', async () => {
    const c = coll();
    const nine = 'x'.repeat(9 * 1024 * 1024);
    await c.insertOne({ _id: 'big', a: nine });
    await expect(c.updateOne({ _id: 'big' }, { $set: { b: nine } })).rejects.toMatchObject({ code: 10334 });
    expect(await c.findOne({ _id: 'big' }, { projection: { b: 1 } })).toEqual({ _id: 'big' });
  });

  it('deletes one or many', async () => {
    const c = coll();
    await c.insertMany([{ a: 1 }, { a: 1 }, { a: 1 }, { a: 2 }]);
    expect((await c.deleteOne({ a: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ a: 1 })).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(1);
  });
});

describe('query and update operators', () => {
  it('applies the update operators mongoose and the app use, with MongoDB results', async () => {
    interface OpDoc {
      _id: string;
      n?: number;
      tags?: string[];
      msgs?: Array<{ id: string }>;
      list?: number[];
      set?: number[];
      fresh?: number;
      old?: number;
      renamed?: number;
      at?: Date;
      gone?: boolean;
      touched?: Date;
    }
    const c = t.db.collection<OpDoc>(t.name());
    await c.insertOne({ _id: 'op', n: 1, tags: ['a'], msgs: [{ id: 'x' }, { id: 'y' }], old: 1, at: new Date(1000), gone: true });
    await c.updateOne(
      { _id: 'op' },
      {
        $inc: { n: 2, fresh: 1 },
        $addToSet: { tags: { $each: ['a', 'b'] } },
        $pull: { msgs: { id: 'x' } },
        $rename: { old: 'renamed' },
        $max: { at: new Date(2000) },
        $unset: { gone: '' },
        $push: { list: { $each: [3, 1, 2], $sort: 1, $slice: 2 } },
      },
    );
    expect(await c.findOne({ _id: 'op' })).toEqual({ _id: 'op', n: 3, tags: ['a', 'b'], msgs: [{ id: 'y' }], at: new Date(2000), fresh: 1, renamed: 1, list: [1, 2] });
    await c.updateOne({ _id: 'op' }, { $currentDate: { touched: true }, $pop: { tags: -1 }, $mul: { n: 2 } });
    const doc = await c.findOne({ _id: 'op' });
    expect(doc?.touched).toBeInstanceOf(Date);
    expect(doc).toMatchObject({ tags: ['b'], n: 6 });
    await c.updateOne({ _id: 'op' }, { $addToSet: { set: { $each: [1, 1, 2] } } });
    expect((await c.findOne({ _id: 'op' }))?.set).toEqual([1, 2]);
    // Deliberately ill-typed: $push onto a number must fail like MongoDB.
    await expect(c.updateOne({ _id: 'op' }, { $push: { n: 1 } } as unknown as UpdateFilter<OpDoc>)).rejects.toMatchObject({ code: 2 });
  });

  it('matches with $or, $and, $exists, $elemMatch, $regex, $size, nulls and dates', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, status: 'active', msgs: [{ role: 'c', n: 1 }], lease: new Date(1000), name: 'Alpha' },
      { _id: 2, status: 'paused', msgs: [], lease: null, name: 'beta' },
      { _id: 3, status: 'ended', name: 'Gamma' },
    ]);
    const ids = async (f: Document): Promise<unknown[]> => (await c.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ $or: [{ status: 'active' }, { status: 'ended' }] })).toEqual([1, 3]);
    expect(await ids({ lease: null })).toEqual([2, 3]);
    expect(await ids({ lease: { $exists: false } })).toEqual([3]);
    expect(await ids({ lease: { $lt: new Date(5000) } })).toEqual([1]);
    expect(await ids({ msgs: { $elemMatch: { role: 'c', n: { $gte: 1 } } } })).toEqual([1]);
    expect(await ids({ msgs: { $size: 0 } })).toEqual([2]);
    expect(await ids({ name: { $regex: '^a', $options: 'i' } })).toEqual([1]);
    expect(await ids({ $and: [{ _id: { $in: [1, 2, 3] } }, { status: { $nin: ['paused'] } }] })).toEqual([1, 3]);
    // null and missing sort as equal (then by _id), before dates.
    expect((await c.find({}).sort({ lease: 1, _id: 1 }).toArray()).map((d) => d._id)).toEqual([2, 3, 1]);
  });
});

describe('findAndModify', () => {
  it('returns the document before or after, honours sort, upserts and removes', async () => {
    const c = coll();
    await c.insertMany([{ q: 'job', pri: 1, state: 'new' }, { q: 'job', pri: 5, state: 'new' }]);
    const before = await c.findOneAndUpdate({ q: 'job', state: 'new' }, { $set: { state: 'taken' } }, { sort: { pri: -1 }, returnDocument: 'before', includeResultMetadata: true });
    expect(before.value).toMatchObject({ pri: 5, state: 'new' });
    expect(before.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
    const after = await c.findOneAndUpdate({ q: 'job', state: 'new' }, { $set: { state: 'taken' } }, { returnDocument: 'after', projection: { _id: 0, pri: 1, state: 1 } });
    expect(after).toEqual({ pri: 1, state: 'taken' });
    expect(await c.findOneAndUpdate({ q: 'job', state: 'new' }, { $set: { state: 'x' } })).toBeNull();

    const up = await c.findOneAndUpdate({ q: 'other' }, { $set: { state: 'made' } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(up.value).toMatchObject({ q: 'other', state: 'made' });
    expect(up.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(up.lastErrorObject?.upserted).toBeInstanceOf(ObjectId);

    const removed = await c.findOneAndDelete({ q: 'job' }, { sort: { pri: 1 } });
    expect(removed).toMatchObject({ pri: 1 });
    expect(await c.countDocuments({ q: 'job' })).toBe(1);
  });
});

describe('aggregation, counting and metadata', () => {
  it('aggregates with $match, $group, $sort, $count, $unwind and $facet', async () => {
    const c = coll();
    await c.insertMany([
      { mode: 'text', score: 7, tags: ['a', 'b'] },
      { mode: 'voice', score: 9, tags: ['a'] },
      { mode: 'text', score: 5, tags: [] },
    ]);
    const grouped = await c.aggregate([{ $match: { score: { $gte: 5 } } }, { $group: { _id: '$mode', n: { $sum: 1 }, avg: { $avg: '$score' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(grouped).toEqual([
      { _id: 'text', n: 2, avg: 6 },
      { _id: 'voice', n: 1, avg: 9 },
    ]);
    expect(await c.aggregate([{ $match: { mode: 'text' } }, { $count: 'total' }]).toArray()).toEqual([{ total: 2 }]);
    expect(await c.aggregate([{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray()).toEqual([
      { _id: 'a', n: 2 },
      { _id: 'b', n: 1 },
    ]);
    const [facet] = await c.aggregate([{ $facet: { top: [{ $sort: { score: -1 } }, { $limit: 1 }, { $project: { _id: 0, score: 1 } }], count: [{ $count: 'n' }] } }]).toArray();
    expect(facet).toEqual({ top: [{ score: 9 }], count: [{ n: 3 }] });
    // The pipeline never mutates stored documents.
    await c.aggregate([{ $addFields: { score: 0 } }]).toArray();
    expect(await c.countDocuments({ score: 0 })).toBe(0);
  });

  it('counts, estimates and lists distinct values', async () => {
    const c = coll();
    await c.insertMany([{ r: 'dev', t: ['x', 'y'] }, { r: 'dev', t: ['y'] }, { r: 'ops' }]);
    expect(await c.countDocuments({ r: 'dev' })).toBe(2);
    expect(await c.countDocuments({}, { skip: 1, limit: 1 })).toBe(1);
    expect(await c.estimatedDocumentCount()).toBe(3);
    expect((await c.distinct('r')).sort()).toEqual(['dev', 'ops']);
    expect((await c.distinct('t', { r: 'dev' })).sort()).toEqual(['x', 'y']);
  });

  it('lists indexes (always with _id_), drops indexes and collections, lists collections', async () => {
    const c = coll();
    await c.createIndex({ a: 1 }, { name: 'a_1' });
    await c.createIndex({ b: -1 });
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1', 'b_-1']);
    await c.dropIndex('a_1');
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'b_-1']);
    await expect(c.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
    const names = (await t.db.listCollections({ name: c.collectionName }).toArray()).map((x) => x.name);
    expect(names).toEqual([c.collectionName]);
    expect(await c.drop()).toBe(true);
    expect(await t.db.listCollections({ name: c.collectionName }).toArray()).toEqual([]);
    await expect(c.listIndexes().toArray()).rejects.toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
    await expect(t.db.createCollection('dupe')).resolves.toBeDefined();
    await expect(t.db.command({ create: 'dupe' })).rejects.toMatchObject({ code: 48 });
  });
});
