import type { Collection, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { startTestDb, type TestDb } from './support.js';

// Runs against MONGODB_URI when set (see support.ts). Data and expected answers follow the
// MongoDB manual's pages on $pull, the positional operators, _id immutability and
// dollar-prefixed field names.
let t: TestDb;
let seq = 0;
beforeAll(async () => {
  t = await startTestDb();
});
afterAll(async () => {
  await t.stop();
});

function coll(): Collection<LooseDoc> {
  return t.db.collection<LooseDoc>(`update${++seq}`);
}

/** Raw update command: the driver refuses some of these shapes before sending them. */
async function update(c: Collection<LooseDoc>, q: Document, u: Document | Document[], opts: Document = {}): Promise<Document> {
  return t.db.command({ update: c.collectionName, updates: [{ q, u, ...opts }] });
}

describe('_id', () => {
  it('may be set to the value it has, whole or in part; any other value is refused with 66', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, n: 0 },
      { _id: { region: 'eu', seq: 7 } as unknown as number, n: 0 },
    ]);
    await c.updateOne({ _id: 1 }, { $set: { _id: 1, n: 1 } });
    await c.updateOne({ _id: { region: 'eu', seq: 7 } as unknown as number }, { $set: { '_id.seq': 7, n: 1 } });
    expect(await c.find({}).toArray()).toEqual([
      { _id: 1, n: 1 },
      { _id: { region: 'eu', seq: 7 }, n: 1 },
    ]);
    await expect(c.updateOne({ _id: 1 }, { $set: { _id: 2 } })).rejects.toMatchObject({ code: 66 });
    await expect(c.updateOne({ _id: { region: 'eu', seq: 7 } as unknown as number }, { $inc: { '_id.seq': 1 } })).rejects.toMatchObject({ code: 66 });
  });

  it('a pipeline-style update that changes _id is refused and changes nothing', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, n: 0 });
    const res = await update(c, { _id: 1 }, [{ $set: { _id: 2, n: 5 } }]);
    expect(res['writeErrors']).toMatchObject([{ code: 66 }]);
    expect(await c.find({}).toArray()).toEqual([{ _id: 1, n: 0 }]);
    await update(c, { _id: 1 }, [{ $set: { _id: '$_id', n: 6 } }]);
    expect(await c.find({}).toArray()).toEqual([{ _id: 1, n: 6 }]);
  });
});

interface ListsDoc {
  _id: number;
  items?: Array<{ sku: string; qty: number; status: string }>;
  results?: Array<{ item: string; score: number; answers: Array<{ q: number; a: number }> }>;
  votes?: number[];
  fruits?: string[];
  vegetables?: string[];
}

function lists(): Collection<ListsDoc> {
  return t.db.collection<ListsDoc>(`update${++seq}`);
}

describe('$pull', () => {
  it('removes sub-documents matching a query with $or, or an $elemMatch condition', async () => {
    const c = lists();
    await c.insertOne({
      _id: 1,
      items: [
        { sku: 'a', qty: 0, status: 'active' },
        { sku: 'b', qty: 5, status: 'discontinued' },
        { sku: 'c', qty: 3, status: 'active' },
      ],
      results: [
        { item: 'A', score: 5, answers: [{ q: 1, a: 4 }, { q: 2, a: 6 }] },
        { item: 'B', score: 8, answers: [{ q: 1, a: 8 }, { q: 2, a: 9 }] },
      ],
    });
    await c.updateOne({ _id: 1 }, { $pull: { items: { $or: [{ qty: { $lt: 1 } }, { status: 'discontinued' }] } } });
    await c.updateOne({ _id: 1 }, { $pull: { results: { answers: { $elemMatch: { q: 2, a: { $gte: 8 } } } } } });
    expect(await c.findOne({ _id: 1 })).toEqual({
      _id: 1,
      items: [{ sku: 'c', qty: 3, status: 'active' }],
      results: [{ item: 'A', score: 5, answers: [{ q: 1, a: 4 }, { q: 2, a: 6 }] }],
    });
  });

  it('an operator condition applies to each value; a plain value is an equality', async () => {
    const c = lists();
    await c.insertOne({ _id: 1, votes: [3, 5, 6, 7, 7, 8], fruits: ['apples', 'pears', 'oranges', 'grapes'], vegetables: ['carrots', 'celery'] });
    await c.updateOne({ _id: 1 }, { $pull: { votes: { $gte: 6 }, fruits: { $in: ['apples', 'oranges'] }, vegetables: 'carrots' } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, votes: [3, 5], fruits: ['pears', 'grapes'], vegetables: ['celery'] });
    const res = await t.db.command({ update: c.collectionName, updates: [{ q: { _id: 1 }, u: { $pull: { _id: 1 } } }] });
    expect(res['writeErrors']).toMatchObject([{ code: 2 }]);
  });
});

describe('positional updates on map (object) paths', () => {
  it('$, $[] and $[id] reach arrays under map keys; on the map itself or a missing path they are refused (2) and change nothing', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, prefs: { 2024: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }], team: [{ k: 'x', v: 10 }, { k: 'y', v: 20 }] } });
    await c.updateOne({ _id: 1, 'prefs.2024.k': 'b' }, { $set: { 'prefs.2024.$.v': 3 } });
    await c.updateOne({ _id: 1 }, { $inc: { 'prefs.team.$[e].v': 5 } }, { arrayFilters: [{ 'e.v': { $gte: 20 } }] });
    await c.updateOne({ _id: 1 }, { $set: { 'prefs.2024.$[].seen': true, 'prefs.2025.first': 1 } });
    const expected = {
      _id: 1,
      prefs: {
        2024: [
          { k: 'a', v: 1, seen: true },
          { k: 'b', v: 3, seen: true },
        ],
        team: [
          { k: 'x', v: 10 },
          { k: 'y', v: 25 },
        ],
        2025: { first: 1 },
      },
    };
    expect(await c.findOne({ _id: 1 })).toEqual(expected);

    await expect(c.updateOne({ _id: 1 }, { $set: { 'prefs.$[].v': 0 } })).rejects.toMatchObject({ code: 2 });
    await expect(c.updateOne({ _id: 1, 'prefs.2025.first': 1 }, { $set: { 'prefs.$.first': 0 } })).rejects.toMatchObject({ code: 2 });
    await expect(c.updateOne({ _id: 1 }, { $set: { 'missing.$[].v': 0 } })).rejects.toMatchObject({ code: 2 });
    await expect(c.updateOne({ _id: 1 }, { $set: { 'prefs.2025.first': 0 } }, { arrayFilters: [{ 'e.v': 1 }] })).rejects.toMatchObject({ code: 9 });
    expect(await c.findOne({ _id: 1 })).toEqual(expected);
  });
});

describe('dollar-prefixed field names', () => {
  it('a pipeline update writes and reads them with $setField, $getField and $literal', async () => {
    const c = coll();
    await c.insertOne({ _id: 100001, $term: 'fall', registered: true, grade: 4 });
    await update(c, { _id: 100001 }, [{ $replaceWith: { $setField: { field: { $literal: '$term' }, input: '$$ROOT', value: 'spring' } } }]);
    await update(c, { _id: 100001 }, [{ $replaceWith: { $setField: { field: { $literal: '$price' }, input: '$$ROOT', value: 50 } } }]);
    await update(c, { _id: 100001 }, [{ $set: { previous: { $getField: { $literal: '$term' } } } }]);
    expect(await c.findOne({ _id: 100001 })).toEqual({ _id: 100001, $term: 'spring', registered: true, grade: 4, $price: 50, previous: 'spring' });
  });

  it('an operator update may set nested ones; a top-level one only in an upsert that inserts (else 52)', async () => {
    const c = coll();
    await c.insertOne({ _id: 'E123', address: { $number: 123, $street: 'Elm Road' }, $rooms: { br: 2, bath: 1 } });
    await c.updateOne({ _id: 'E123' }, { $set: { 'address.$street': 'Elm Ave' } });
    expect(await c.findOne({ _id: 'E123' })).toEqual({ _id: 'E123', address: { $number: 123, $street: 'Elm Ave' }, $rooms: { br: 2, bath: 1 } });

    const upsert = (): Promise<Document> => update(c, { date: '2021-07-07' }, { $set: { phone: 25.17, $hotel: 320.1 } }, { upsert: true });
    expect(await upsert()).toMatchObject({ n: 1, upserted: [{ index: 0 }] });
    expect(await c.findOne({ date: '2021-07-07' }, { projection: { _id: 0 } })).toEqual({ date: '2021-07-07', phone: 25.17, $hotel: 320.1 });
    // The same statement now matches the inserted document: an update, refused.
    expect((await upsert())['writeErrors']).toMatchObject([{ code: 52 }]);
  });

  it('upserts build nested fields named like operators from the filter and the update', async () => {
    const c = coll();
    await update(c, { key: 'k1', 'spec.$inc': 5 }, { $set: { 'ops.$set': true } }, { upsert: true });
    expect(await c.findOne({ key: 'k1' }, { projection: { _id: 0 } })).toEqual({ key: 'k1', spec: { $inc: 5 }, ops: { $set: true } });
    // A replacement document may not start its fields with $ (52); a filter cannot use an unknown operator (2).
    expect((await update(c, { key: 'k2' }, { a: 1, $b: 2 }, { upsert: true }))['writeErrors']).toMatchObject([{ code: 52 }]);
    expect((await update(c, { key: { $inc: 1 } }, { $set: { a: 1 } }, { upsert: true }))['writeErrors']).toMatchObject([{ code: 2 }]);
    expect(await c.countDocuments()).toBe(1);
  });
});

describe('arithmetic and comparison operators', () => {
  it('$min/$max compare across types by BSON order; $inc refuses non-numbers (14); $bit works on integers', async () => {
    const c = coll();
    // Two operators on different fields of the element matched by $ are both applied.
    await c.insertOne({ _id: 2, usage: [{ model: 'a', calls: 0, inputTokens: 0 }] });
    await c.updateOne({ _id: 2, 'usage.model': 'a' }, { $inc: { 'usage.$.calls': 1 }, $max: { 'usage.$.inputTokens': 10 } });
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, usage: [{ model: 'a', calls: 1, inputTokens: 10 }] });
    await c.insertOne({ _id: 1, low: 5, high: new Date('2020-01-01'), label: 'x', flags: 13 });
    await c.updateOne({ _id: 1 }, { $min: { low: 2.5 }, $max: { high: new Date('2021-01-01') }, $bit: { flags: { and: 10, or: 1 } } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, low: 2.5, high: new Date('2021-01-01'), label: 'x', flags: 9 });
    await c.updateOne({ _id: 1 }, { $max: { label: 5 }, $min: { high: 'text' } });
    // Strings sort after numbers and before dates: neither value moves.
    expect(await c.findOne({ _id: 1 }, { projection: { label: 1, high: 1 } })).toEqual({ _id: 1, high: 'text', label: 'x' });
    await expect(c.updateOne({ _id: 1 }, { $inc: { label: 1 } })).rejects.toMatchObject({ code: 14 });
    await expect(c.updateOne({ _id: 1 }, { $inc: { 'label.sub': 1 } })).rejects.toMatchObject({ code: 28 });
  });
});

describe('$set and $push', () => {
  it('$set to an equal value (a date, a sub-document) modifies nothing; another value or type does', async () => {
    const c = coll();
    const at = new Date('2026-01-01T00:00:00Z');
    await c.insertOne({ _id: 1, at, turn: { state: 'a', n: 1 }, plan: { asked: [] } });
    expect(await c.updateOne({ _id: 1 }, { $set: { at: new Date(at.getTime()), turn: { state: 'a', n: 1 }, 'plan.asked': [] } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await c.updateOne({ _id: 1 }, { $set: { 'turn.n': 2 } })).toMatchObject({ modifiedCount: 1 });
    expect(await c.updateOne({ _id: 1 }, { $set: { 'turn.state': 'a' } })).toMatchObject({ modifiedCount: 0 });
    await c.updateOne({ _id: 1 }, { $set: { 'deep.new.path': 1, 'turn.sub': { x: [1] } } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, at, turn: { state: 'a', n: 2, sub: { x: [1] } }, plan: { asked: [] }, deep: { new: { path: 1 } } });
  });

  it('$push appends to nested arrays, creates missing ones, takes modifiers, and refuses a non-array (2)', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, messages: [{ id: 'm1' }], plan: { asked: [] }, s: 'x' });
    // Raw commands: the driver types $push only for declared array fields.
    expect(await update(c, { _id: 1 }, { $push: { messages: { id: 'm2' }, 'plan.asked': { q: 1 }, 'plan.scores': 5, tags: { $each: ['b', 'a'], $sort: 1 } } })).toMatchObject({ n: 1, nModified: 1 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, messages: [{ id: 'm1' }, { id: 'm2' }], plan: { asked: [{ q: 1 }], scores: [5] }, s: 'x', tags: ['a', 'b'] });
    expect(await update(c, { _id: 1 }, { $push: { s: 1 } })).toMatchObject({ n: 0, nModified: 0, writeErrors: [{ code: 2 }] });
    expect((await c.findOne({ _id: 1 }))?.s).toBe('x');
  });

  it('a path through a string or a number cannot be created: $push, $set and $inc are refused with 28 and change nothing', async () => {
    const c = coll();
    const doc = { _id: 1, s: 'x', n: 5, sub: { s: 'y' }, none: null, list: [{ a: 1 }] };
    await c.insertOne(doc);
    const refused = [
      { $push: { 's.t': 1 } },
      { $push: { 'sub.s.t': 1 } },
      { $push: { 'none.t': 1 } },
      { $push: { 'list.a': 1 } },
      { $set: { 'n.t': 1 } },
      { $set: { 'sub.s.t': 1 } },
      { $set: { 'none.t.u': 1 } },
      { $set: { 'list.a': 1 } },
      { $inc: { 's.t': 1 } },
    ];
    for (const u of refused) {
      expect(await update(c, { _id: 1 }, u), JSON.stringify(u)).toMatchObject({ n: 0, nModified: 0, writeErrors: [{ code: 28 }] });
    }
    expect(await c.findOne({ _id: 1 })).toEqual(doc);
    // By index, through an array, a field is created.
    await update(c, { _id: 1 }, { $set: { 'list.0.b': 2 }, $push: { 'list.0.c': 3 } });
    expect((await c.findOne({ _id: 1 }))?.['list']).toEqual([{ a: 1, b: 2, c: [3] }]);
  });
});
