import type { Collection } from 'mongodb';
import type { LooseDoc, SessionDoc } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { fileTestDb } from './support.js';

// Runs against MONGODB_URI when set (see support.ts). The data and expected answers follow the
// MongoDB manual's pages on find projections ($elemMatch, $, $slice, $meta, expressions).
const t = fileTestDb('proj');
const coll = t.coll;

const SCHOOLS = [
  { _id: 1, zipcode: '63109', students: [{ name: 'john', school: 102, age: 10 }, { name: 'jess', school: 102, age: 11 }, { name: 'jeff', school: 108, age: 15 }] },
  { _id: 2, zipcode: '63110', students: [{ name: 'ajax', school: 100, age: 7 }, { name: 'achilles', school: 100, age: 8 }] },
  { _id: 3, zipcode: '63109', students: [{ name: 'ajax', school: 100, age: 7 }, { name: 'achilles', school: 100, age: 8 }] },
  { _id: 4, zipcode: '63109', students: [{ name: 'barney', school: 102, age: 7 }, { name: 'ruth', school: 102, age: 16 }] },
];

describe('$elemMatch projection', () => {
  it('keeps the first element matching a condition with operators ($gt, $in), and omits the field when none does', async () => {
    const c = coll();
    await c.insertMany(SCHOOLS);
    const first = await c.find({ zipcode: '63109' }, { projection: { students: { $elemMatch: { school: 102, age: { $gt: 10 } } } } }).toArray();
    expect(first.map((d) => Object.keys(d))).toEqual([['_id', 'students'], ['_id'], ['_id', 'students']]);
    expect(first).toEqual([
      { _id: 1, students: [{ name: 'jess', school: 102, age: 11 }] },
      { _id: 3 },
      { _id: 4, students: [{ name: 'ruth', school: 102, age: 16 }] },
    ]);
    expect(await c.find({}, { projection: { _id: 0, students: { $elemMatch: { school: { $in: [108, 100] } } } } }).toArray()).toEqual([
      { students: [{ name: 'jeff', school: 108, age: 15 }] },
      { students: [{ name: 'ajax', school: 100, age: 7 }] },
      { students: [{ name: 'ajax', school: 100, age: 7 }] },
      {},
    ]);
  });

  it('on an array of numbers, and placed after the other included fields whatever their order', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, games: [{ game: 'abc', score: 8 }, { game: 'xyz', score: 5 }], joined: new Date('2020-01-01'), lastLogin: new Date('2020-05-01'), scores: [3, 9, 12] });
    const [doc] = await c.find({}, { projection: { games: { $elemMatch: { score: { $gt: 5 } } }, joined: 1, lastLogin: 1 } }).toArray();
    expect(Object.keys(doc ?? {})).toEqual(['_id', 'joined', 'lastLogin', 'games']);
    expect(doc?.['games']).toEqual([{ game: 'abc', score: 8 }]);
    expect(await c.findOne({}, { projection: { _id: 0, scores: { $elemMatch: { $gte: 9, $lt: 12 } } } })).toEqual({ scores: [9] });
  });

  it('is refused on a nested field and together with a positional projection', async () => {
    const c = coll();
    await c.insertMany(SCHOOLS);
    await expect(c.find({}, { projection: { 'a.students': { $elemMatch: { school: 102 } } } }).toArray()).rejects.toMatchObject({ code: 31275 });
    await expect(c.find({ 'students.school': 102 }, { projection: { 'students.$': 1, other: { $elemMatch: { x: 1 } } } }).toArray()).rejects.toMatchObject({ code: 31255 });
  });
});

const GRADES = [
  { _id: 1, semester: 1, grades: [70, 87, 90] },
  { _id: 2, semester: 1, grades: [90, 88, 92] },
  { _id: 3, semester: 1, grades: [85, 100, 90] },
  { _id: 4, semester: 2, grades: [79, 85, 80] },
];

describe('positional $ projection', () => {
  it('returns the first element that matched the query, next to the other selected fields', async () => {
    const c = coll();
    await c.insertMany(GRADES);
    expect(await c.find({ semester: 1, grades: { $gte: 85 } }, { projection: { 'grades.$': 1 } }).toArray()).toEqual([
      { _id: 1, grades: [87] },
      { _id: 2, grades: [90] },
      { _id: 3, grades: [85] },
    ]);
    expect(await c.find({ semester: 1, grades: { $gte: 85 } }, { projection: { _id: 0, semester: 1, 'grades.$': 1 } }).toArray()).toEqual([
      { semester: 1, grades: [87] },
      { semester: 1, grades: [90] },
      { semester: 1, grades: [85] },
    ]);
  });

  it('on an array of documents matched by a dotted condition or by $elemMatch', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 7, grades: [{ grade: 80, mean: 75, std: 8 }, { grade: 85, mean: 90, std: 5 }, { grade: 90, mean: 85, std: 3 }] },
      { _id: 8, grades: [{ grade: 92, mean: 88, std: 8 }, { grade: 78, mean: 90, std: 5 }, { grade: 88, mean: 85, std: 3 }] },
    ]);
    expect(await c.find({ 'grades.mean': { $gt: 85 } }, { projection: { 'grades.$': 1 } }).toArray()).toEqual([
      { _id: 7, grades: [{ grade: 85, mean: 90, std: 5 }] },
      { _id: 8, grades: [{ grade: 92, mean: 88, std: 8 }] },
    ]);
    expect(await c.findOne({ grades: { $elemMatch: { mean: { $gt: 70 }, grade: { $gt: 90 } } } }, { projection: { 'grades.$': 1 } })).toEqual({
      _id: 8,
      grades: [{ grade: 92, mean: 88, std: 8 }],
    });
  });

  it('needs a query condition on the array and only one positional path', async () => {
    const c = coll();
    await c.insertMany(GRADES);
    await expect(c.find({ semester: 1 }, { projection: { 'grades.$': 1 } }).toArray()).rejects.toMatchObject({ code: 31277 });
    await expect(c.find({ grades: 90, other: 1 }, { projection: { 'grades.$': 1, 'other.$': 1 } }).toArray()).rejects.toMatchObject({ code: 31276 });
  });
});

describe('$slice projection', () => {
  it('combines with an inclusion (other fields left out) and with an exclusion (other fields kept)', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, item: 'socks', qty: 100, details: { colors: ['blue', 'red'], sizes: ['S', 'M', 'L'] } });
    expect(await c.findOne({}, { projection: { qty: 1, 'details.colors': { $slice: 1 } } })).toEqual({ _id: 1, qty: 100, details: { colors: ['blue'] } });
    expect(await c.findOne({}, { projection: { _id: 0, 'details.colors': { $slice: 1 } } })).toEqual({
      item: 'socks',
      qty: 100,
      details: { colors: ['blue'], sizes: ['S', 'M', 'L'] },
    });
    expect(await c.findOne({}, { projection: { _id: 0, item: 1, 'details.sizes': { $slice: -2 } } })).toEqual({ item: 'socks', details: { sizes: ['M', 'L'] } });
  });

  it('takes [skip, limit], counting skip from the end when negative, next to included fields', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, n: [1, 2, 3, 4, 5], m: 'kept', o: 'dropped' });
    expect(await c.findOne({}, { projection: { m: 1, n: { $slice: [1, 2] } } })).toEqual({ _id: 1, m: 'kept', n: [2, 3] });
    expect(await c.findOne({}, { projection: { _id: 0, m: 0, o: 0, n: { $slice: [-2, 5] } } })).toEqual({ n: [4, 5] });
    expect(await c.findOne({}, { projection: { _id: 0, n: { $slice: [9, 1] } } })).toEqual({ n: [], m: 'kept', o: 'dropped' });
    expect(await c.findOne({}, { projection: { _id: 1, n: { $slice: 10 } } })).toEqual({ _id: 1, n: [1, 2, 3, 4, 5] });
  });
});

describe('aggregation expressions in projections', () => {
  it('find computes new fields from the document (MongoDB 4.4+)', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, item: 'journal', status: 'A', tags: ['a', 'b'] },
      { _id: 2, item: 'notebook', status: 'D', tags: [] },
      { _id: 3, item: 'paper', status: 'X', tags: ['c'] },
    ]);
    const status = { $switch: { branches: [{ case: { $eq: ['$status', 'A'] }, then: 'Available' }, { case: { $eq: ['$status', 'D'] }, then: 'Discontinued' }], default: 'No status found' } };
    const [withId] = await c.find({ _id: 2 }, { projection: { tags: 1, item: 1, status } }).toArray();
    expect(Object.keys(withId ?? {})).toEqual(['_id', 'item', 'tags', 'status']);
    expect(await c.find({}, { projection: { _id: 0, item: 1, status } }).toArray()).toEqual([
      { item: 'journal', status: 'Available' },
      { item: 'notebook', status: 'Discontinued' },
      { item: 'paper', status: 'No status found' },
    ]);
    expect(await c.findOne({ _id: 1 }, { projection: { tagCount: { $size: '$tags' }, label: 'fixed', name: '$item', one: { $literal: 1 } } })).toEqual({
      _id: 1,
      tagCount: 2,
      label: 'fixed',
      name: 'journal',
      one: 1,
    });
  });

  it('findOneAndUpdate returns the appended transcript tail, its length and the selected fields', async () => {
    const c = t.db.collection<SessionDoc & { status?: string; plan?: object; turn?: object }>(t.name());
    const messages = Array.from({ length: 14 }, (_, i) => ({ id: `m${i}`, text: `t${i}` }));
    await c.insertOne({ _id: 's', status: 'active', plan: { phase: 'warmup' }, turn: { state: 'idle' }, messages });
    const after = await c.findOneAndUpdate(
      { _id: 's', status: { $in: ['active'] }, 'messages.id': { $ne: 'm14' } },
      { $push: { messages: { id: 'm14', text: 't14' } } },
      { returnDocument: 'after', projection: { status: 1, plan: 1, messages: { $slice: -10 }, seq: { $size: '$messages' } } },
    );
    expect(after).toEqual({ _id: 's', status: 'active', plan: { phase: 'warmup' }, messages: [...messages.slice(5), { id: 'm14', text: 't14' }], seq: 15 });
    expect(Object.keys(after ?? {})).toEqual(['_id', 'status', 'plan', 'messages', 'seq']);
  });

  it('a projection MongoDB refuses changes nothing, even in findOneAndUpdate', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 1, b: 2 });
    await expect(c.findOneAndUpdate({ _id: 1 }, { $set: { a: 5 } }, { projection: { a: 1, b: 0 } })).rejects.toMatchObject({ code: 31254 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1, b: 2 });
    await expect(c.find({}, { projection: { a: 0, b: 1 } }).toArray()).rejects.toMatchObject({ code: 31253 });
    await expect(c.find({}, { projection: { a: 0, n: { $size: '$b' } } }).toArray()).rejects.toMatchObject({ code: 31252 });
    await expect(c.find({}, { projection: { a: 1, 'a.b': 1 } }).toArray()).rejects.toMatchObject({ code: 31249 });
  });
});

describe('nested fields and $meta', () => {
  it('selects embedded fields by dotted path or nested form, inside arrays too', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, item: 'canvas', size: { h: 28, w: 35.5, uom: 'cm' }, instock: [{ warehouse: 'A', qty: 5 }, 7, { warehouse: 'C', qty: 15 }] });
    const expected = { _id: 1, size: { uom: 'cm' }, instock: [{ qty: 5 }, { qty: 15 }] };
    const dotted = await c.findOne({}, { projection: { 'instock.qty': 1, 'size.uom': 1 } });
    expect(dotted).toEqual(expected);
    expect(Object.keys(dotted ?? {})).toEqual(['_id', 'size', 'instock']);
    expect(await c.findOne({}, { projection: { size: { uom: 1 }, instock: { qty: 1 } } })).toEqual(expected);
    expect(await c.findOne({}, { projection: { _id: 0, 'size.uom': 0, 'instock.qty': 0, item: 0 } })).toEqual({ size: { h: 28, w: 35.5 }, instock: [{ warehouse: 'A' }, 7, { warehouse: 'C' }] });
  });

  it('$meta textScore needs a $text query (40218); an unknown $meta is refused (17308)', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 1 });
    await expect(c.find({}, { projection: { score: { $meta: 'textScore' } } }).toArray()).rejects.toMatchObject({ code: 40218 });
    await expect(c.find({}, { projection: { score: { $meta: 'bogus' } } }).toArray()).rejects.toMatchObject({ code: 17308 });
  });
});
