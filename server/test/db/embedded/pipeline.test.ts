import type { Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { startTestDb, type TestDb } from './support.js';

// MongoDB manual: "db.aggregate()" / "$documents", "$out", "$merge".

let t: TestDb;
let seq = 0;
beforeAll(async () => {
  t = await startTestDb();
});
afterAll(async () => {
  await t.stop();
});

function name(): string {
  return `pp${++seq}`;
}

function coll(n = name()): Collection<LooseDoc> {
  return t.db.collection<LooseDoc>(n);
}

describe('database-level aggregate ({aggregate: 1})', () => {
  it('runs a pipeline that starts with $documents', async () => {
    const rows = await t.db.aggregate([{ $documents: [{ x: 10 }, { x: 2 }, { x: 5 }] }, { $bucketAuto: { groupBy: '$x', buckets: 2 } }]).toArray();
    expect(rows).toEqual([
      { _id: { min: 2, max: 10 }, count: 2 },
      { _id: { min: 10, max: 10 }, count: 1 },
    ]);
    const sorted = await t.db.aggregate([{ $documents: [{ n: 3 }, { n: 1 }] }, { $sort: { n: 1 } }, { $project: { _id: 0, n: 1 } }]).toArray();
    expect(sorted).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('refuses a first stage that needs a collection with 73 InvalidNamespace, and $documents on a collection', async () => {
    await expect(t.db.aggregate([{ $match: {} }]).toArray()).rejects.toMatchObject({ code: 73, message: "{aggregate: 1} is not valid for '$match'; a collection is required." });
    await expect(coll().aggregate([{ $documents: [{ a: 1 }] }]).toArray()).rejects.toMatchObject({ code: 73 });
  });

  it('$documents results can be written with $merge', async () => {
    const target = name();
    await t.db.aggregate([{ $documents: [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }] }, { $merge: { into: target } }]).toArray();
    expect(await coll(target).find().toArray()).toEqual([
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
  });
});

async function seedSales(): Promise<Collection<LooseDoc>> {
  const c = coll();
  await c.insertMany([
    { _id: 1, item: 'abc', qty: 10 },
    { _id: 2, item: 'jkl', qty: 20 },
    { _id: 3, item: 'abc', qty: 5 },
    { _id: 4, item: 'xyz', qty: 7 },
  ]);
  return c;
}

describe('$out', () => {
  it('replaces the target collection with the results and keeps its indexes', async () => {
    const sales = await seedSales();
    const target = name();
    await coll(target).insertOne({ _id: 'stale' });
    await coll(target).createIndex({ total: 1 }, { name: 'by_total' });
    const cursor = sales.aggregate([{ $group: { _id: '$item', total: { $sum: '$qty' } } }, { $sort: { _id: 1 } }, { $out: target }]);
    expect(await cursor.toArray()).toEqual([]);
    expect(await coll(target).find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'abc', total: 15 },
      { _id: 'jkl', total: 20 },
      { _id: 'xyz', total: 7 },
    ]);
    expect((await coll(target).listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'by_total']);
  });

  it('a failing $out (duplicate key in a unique index of the target) leaves the target as it was', async () => {
    const sales = await seedSales();
    const target = name();
    await coll(target).insertOne({ _id: 'keep', item: 'old' });
    await coll(target).createIndex({ item: 1 }, { unique: true });
    await expect(sales.aggregate([{ $project: { _id: 1, item: 1 } }, { $out: target }]).toArray()).rejects.toMatchObject({ code: 11000 });
    expect(await coll(target).find().toArray()).toEqual([{ _id: 'keep', item: 'old' }]);
    const names = (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.some((n) => n.startsWith('tmp.agg_out'))).toBe(false);
  });

  it('writes into another database with {db, coll} and must be the last stage', async () => {
    const sales = await seedSales();
    const otherDb = `${t.dbName}_out`;
    try {
      await sales.aggregate([{ $match: { item: 'abc' } }, { $out: { db: otherDb, coll: 'abc' } }]).toArray();
      expect(await t.client.db(otherDb).collection('abc').countDocuments()).toBe(2);
    } finally {
      await t.client.db(otherDb).dropDatabase();
    }
    await expect(sales.aggregate([{ $out: name() }, { $match: {} }]).toArray()).rejects.toMatchObject({ code: 40601 });
  });
});

describe('$merge', () => {
  it('default (whenMatched merge, whenNotMatched insert) merges fields into matches and inserts the rest', async () => {
    const target = name();
    await coll(target).insertMany([{ _id: 'abc', total: 0, note: 'keep me' }]);
    const sales = await seedSales();
    await sales.aggregate([{ $group: { _id: '$item', total: { $sum: '$qty' } } }, { $merge: { into: target } }]).toArray();
    expect(await coll(target).find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'abc', total: 15, note: 'keep me' },
      { _id: 'jkl', total: 20 },
      { _id: 'xyz', total: 7 },
    ]);
  });

  it('replace, keepExisting, a pipeline with $$new, discard and fail', async () => {
    const src = coll();
    await src.insertMany([{ _id: 1, v: 10 }, { _id: 2, v: 20 }]);
    const seedTarget = async (): Promise<string> => {
      const n = name();
      await coll(n).insertOne({ _id: 1, v: 1, extra: true });
      return n;
    };
    let target = await seedTarget();
    await src.aggregate([{ $merge: { into: target, whenMatched: 'replace', whenNotMatched: 'discard' } }]).toArray();
    expect(await coll(target).find().toArray()).toEqual([{ _id: 1, v: 10 }]);
    target = await seedTarget();
    await src.aggregate([{ $merge: { into: target, whenMatched: 'keepExisting' } }]).toArray();
    expect(await coll(target).find({}, { sort: { _id: 1 } }).toArray()).toEqual([{ _id: 1, v: 1, extra: true }, { _id: 2, v: 20 }]);
    target = await seedTarget();
    await src.aggregate([{ $merge: { into: target, whenMatched: [{ $set: { v: { $add: ['$v', '$$new.v'] } } }], whenNotMatched: 'discard' } }]).toArray();
    expect(await coll(target).find().toArray()).toEqual([{ _id: 1, v: 11, extra: true }]);
    target = await seedTarget();
    await expect(src.aggregate([{ $merge: { into: target, whenMatched: 'fail' } }]).toArray()).rejects.toMatchObject({ code: 11000 });
    target = await seedTarget();
    await expect(src.aggregate([{ $merge: { into: target, whenNotMatched: 'fail' } }]).toArray()).rejects.toMatchObject({ code: 13113 });
  });

  it('merging on a field other than _id needs a unique index on it', async () => {
    const src = coll();
    await src.insertMany([{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }]);
    const target = name();
    await coll(target).insertOne({ sku: 'a', qty: 0, name: 'Apple' });
    await expect(src.aggregate([{ $project: { _id: 0 } }, { $merge: { into: target, on: 'sku' } }]).toArray()).rejects.toMatchObject({ code: 51183 });
    await coll(target).createIndex({ sku: 1 }, { unique: true });
    await src.aggregate([{ $project: { _id: 0 } }, { $merge: { into: target, on: 'sku' } }]).toArray();
    const rows = await coll(target).find({}, { projection: { _id: 0 }, sort: { sku: 1 } }).toArray();
    expect(rows).toEqual([{ sku: 'a', qty: 1, name: 'Apple' }, { sku: 'b', qty: 2 }]);
  });

  it('applies the target collection\'s validator unless bypassDocumentValidation', async () => {
    const target = name();
    await t.db.createCollection(target, { validator: { qty: { $gte: 5 } } });
    const src = coll();
    await src.insertMany([{ _id: 1, qty: 10 }, { _id: 2, qty: 1 }]);
    await expect(src.aggregate([{ $merge: { into: target } }]).toArray()).rejects.toMatchObject({ code: 121 });
    await src.aggregate([{ $merge: { into: target } }], { bypassDocumentValidation: true }).toArray();
    expect(await coll(target).countDocuments()).toBe(2);
  });
});


