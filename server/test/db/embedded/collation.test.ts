import type { Collection } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { fileTestDb } from './support.js';

// MongoDB manual, "Collation": locale, strength 1 (base letters), 2 (plus diacritics),
// 3 (plus case, the default); `simple` is binary comparison.

const t = fileTestDb('co');
const coll = t.coll;

const names = ['cafe', 'Café', 'CAFE', 'café', 'Cafe', 'bob'];

async function seeded(): Promise<Collection<LooseDoc>> {
  const c = coll();
  await c.insertMany(names.map((name, i) => ({ _id: i, name })));
  return c;
}

const ids = (rows: LooseDoc[]): unknown[] => rows.map((r) => r._id);

describe('collation on queries', () => {
  it('strength 2 matches case-insensitively but tells accents apart; strength 1 ignores both', async () => {
    const c = await seeded();
    expect(ids(await c.find({ name: 'cafe' }).toArray())).toEqual([0]);
    expect(ids(await c.find({ name: 'cafe' }, { collation: { locale: 'en', strength: 2 } }).toArray())).toEqual([0, 2, 4]);
    expect(ids(await c.find({ name: 'cafe' }, { collation: { locale: 'en', strength: 1 } }).toArray())).toEqual([0, 1, 2, 3, 4]);
    expect(await c.countDocuments({ name: { $in: ['CAFÉ'] } }, { collation: { locale: 'en', strength: 2 } })).toBe(2);
    expect(await c.countDocuments({ name: { $ne: 'cafe' } }, { collation: { locale: 'en', strength: 1 } })).toBe(1);
    // simple is binary comparison, like no collation.
    expect(ids(await c.find({ name: 'cafe' }, { collation: { locale: 'simple' } }).toArray())).toEqual([0]);
  });

  it('applies to updates, deletes, findAndModify, distinct and aggregate', async () => {
    const c = await seeded();
    const ci = { locale: 'en', strength: 2 };
    expect((await c.updateMany({ name: 'CAFE' }, { $set: { hit: true } }, { collation: ci })).modifiedCount).toBe(3);
    expect(await c.findOneAndUpdate({ name: 'BOB' }, { $set: { hit: true } }, { collation: ci, returnDocument: 'after' })).toMatchObject({ _id: 5, hit: true });
    expect((await c.distinct('name', {}, { collation: { locale: 'en', strength: 1 } })).length).toBe(2);
    const agg = await c.aggregate([{ $match: { name: 'café' } }, { $count: 'n' }], { collation: ci }).toArray();
    expect(agg).toEqual([{ n: 2 }]);
    expect((await c.deleteMany({ name: 'Cafe' }, { collation: ci })).deletedCount).toBe(3);
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('collation on sorts', () => {
  it('sorts with the locale instead of by code point: lowercase and uppercase together', async () => {
    const c = coll();
    await c.insertMany(['b', 'B', 'a', 'A', 'c'].map((name) => ({ name })));
    const binary = await c.find({}, { projection: { _id: 0 } }).sort({ name: 1 }).toArray();
    expect(binary.map((d) => d.name)).toEqual(['A', 'B', 'a', 'b', 'c']);
    const en = await c.find({}, { projection: { _id: 0 }, collation: { locale: 'en' } }).sort({ name: 1 }).toArray();
    expect(en.map((d) => d.name)).toEqual(['a', 'A', 'b', 'B', 'c']);
    const upperFirst = await c.find({}, { projection: { _id: 0 }, collation: { locale: 'en', caseFirst: 'upper' } }).sort({ name: 1 }).toArray();
    expect(upperFirst.map((d) => d.name)).toEqual(['A', 'a', 'B', 'b', 'c']);
    const numeric = coll();
    await numeric.insertMany(['10', '9', '100'].map((v) => ({ v })));
    const ordered = await numeric.find({}, { collation: { locale: 'en', numericOrdering: true } }).sort({ v: 1 }).toArray();
    expect(ordered.map((d) => d.v)).toEqual(['9', '10', '100']);
  });
});

describe('collation on indexes and collections', () => {
  it('a unique index with strength 2 refuses a value that differs only by case', async () => {
    const c = coll();
    await c.createIndex({ email: 1 }, { unique: true, collation: { locale: 'en', strength: 2 } });
    await c.insertOne({ email: 'Ann@Example.com' });
    await expect(c.insertOne({ email: 'ann@example.com' })).rejects.toMatchObject({ code: 11000 });
    await c.insertOne({ email: 'bob@example.com' });
    const [, index] = await c.listIndexes().toArray();
    expect(index).toMatchObject({ name: 'email_1', unique: true, collation: { locale: 'en', strength: 2, caseLevel: false } });
    // A query with the index's collation can use it and finds the stored spelling.
    const plan = await c.find({ email: 'ANN@EXAMPLE.COM' }, { collation: { locale: 'en', strength: 2 } }).explain('queryPlanner');
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).toContain('email_1');
    expect(await c.findOne({ email: 'ANN@EXAMPLE.COM' }, { collation: { locale: 'en', strength: 2 } })).toMatchObject({ email: 'Ann@Example.com' });
    // A query without that collation may not use the index for a string equality.
    const simple = await c.find({ email: 'ann@example.com' }).explain('queryPlanner');
    expect(JSON.stringify(simple.queryPlanner.winningPlan)).toContain('COLLSCAN');
  });

  it('a collection default collation applies to its queries and to indexes created without one', async () => {
    const name = t.name();
    await t.db.createCollection(name, { collation: { locale: 'en', strength: 2 } });
    const c = t.db.collection<LooseDoc>(name);
    await c.createIndex({ tag: 1 }, { unique: true });
    await c.insertOne({ tag: 'Alpha' });
    await expect(c.insertOne({ tag: 'ALPHA' })).rejects.toMatchObject({ code: 11000 });
    expect(await c.countDocuments({ tag: 'alpha' })).toBe(1);
    const [info] = await t.db.listCollections({ name }).toArray();
    expect(info).toMatchObject({ options: { collation: { locale: 'en', strength: 2 } } });
  });

  it('refuses an unknown locale and a bad strength', async () => {
    const c = coll();
    await expect(c.find({}, { collation: { locale: 'xx-nonsense-1' } }).toArray()).rejects.toMatchObject({ code: 2 });
    await expect(c.find({}, { collation: { locale: 'en', strength: 9 as 1 } }).toArray()).rejects.toMatchObject({ code: 2 });
  });

  it('mongoose: a case-insensitive query through Query.collation', async () => {
    const conn = await mongoose.createConnection(t.uri, { dbName: t.dbName }).asPromise();
    try {
      const User = conn.model('CollationUser', new Schema({ name: String }), t.name());
      await User.create([{ name: 'Zoë' }, { name: 'zoe' }, { name: 'ZOE' }]);
      expect(await User.countDocuments({ name: 'zoe' }).collation({ locale: 'en', strength: 2 })).toBe(2);
      expect(await User.countDocuments({ name: 'zoe' }).collation({ locale: 'en', strength: 1 })).toBe(3);
    } finally {
      await conn.close();
    }
  });
});
