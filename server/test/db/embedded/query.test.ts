import { Binary, DBRef, Decimal128, Long, ObjectId, UUID, type Collection, type Filter } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { fileTestDb } from './support.js';

// Runs against MONGODB_URI when set (see support.ts). Data and expected answers follow the
// MongoDB manual's pages on $elemMatch, $all, the $bits* operators, DBRefs and array queries.
const t = fileTestDb('query');
const coll = t.coll;

async function ids(c: Collection<LooseDoc>, filter: Filter<LooseDoc>): Promise<unknown[]> {
  return (await c.find(filter, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id);
}

describe('$elemMatch with comparison operators', () => {
  it('needs one element to satisfy every condition, numbers compared across types', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, results: [82, 85, 88], prices: [Decimal128.fromString('9.99'), 20] },
      { _id: 2, results: [75, 88, 89], prices: [Decimal128.fromString('4.50')] },
    ]);
    expect(await ids(c, { results: { $elemMatch: { $gte: 80, $lt: 85 } } })).toEqual([1]);
    expect(await ids(c, { prices: { $elemMatch: { $gte: 5, $lt: 10 } } })).toEqual([1]);
    expect(await ids(c, { prices: { $elemMatch: { $gte: Decimal128.fromString('4.5'), $lte: Long.fromNumber(5) } } })).toEqual([2]);
  });

  it('on documents, and never matches an element that is itself an array', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, results: [{ product: 'abc', score: 10 }, { product: 'xyz', score: 5 }], nested: [[1, 3]] },
      { _id: 2, results: [{ product: 'abc', score: 8 }, { product: 'xyz', score: 7 }], nested: [1, 3] },
      { _id: 3, results: [{ product: 'abc', score: 7 }, { product: 'xyz', score: 8 }], nested: [[5]] },
    ]);
    expect(await ids(c, { results: { $elemMatch: { product: 'xyz', score: { $gte: 8 } } } })).toEqual([3]);
    expect(await ids(c, { nested: { $elemMatch: { $gte: 2 } } })).toEqual([2]);
    expect(await ids(c, { nested: { $elemMatch: { $elemMatch: { $gt: 2 } } } })).toEqual([1, 3]);
  });
});

describe('conditions on nested arrays', () => {
  it('compare the elements one level deep and the array as a whole, in order', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, a: [[1, 3]] },
      { _id: 2, a: [1, 3] },
      { _id: 3, a: [3, 1] },
      { _id: 4, a: [[2, 5], 7] },
    ]);
    // An element that is an array is not a number: {$gte: 2} looks at numbers only.
    expect(await ids(c, { a: { $gte: 2 } })).toEqual([2, 3, 4]);
    // Equality with an array: the whole value or one element.
    expect(await ids(c, { a: [1, 3] })).toEqual([1, 2]);
    expect(await ids(c, { a: { $in: [[2, 5]] } })).toEqual([4]);
    // Array against array, element by element in order: [3, 1] > [2, 5] but [1, 3] < [2, 5]; an
    // array holding an array is greater than one starting with a number (arrays sort after numbers).
    expect(await ids(c, { a: { $gt: [2, 5] } })).toEqual([1, 3, 4]);
    expect(await ids(c, { a: { $lt: [2] } })).toEqual([1, 2]);
    // An index into the outer array reaches the inner one, whose elements are then tested.
    expect(await ids(c, { 'a.0': { $gt: 2 } })).toEqual([1, 3, 4]);
  });

  it('a dotted path walks documents in arrays but not arrays nested in arrays', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, items: [{ qty: 5 }, { qty: 12 }] },
      { _id: 2, items: [[{ qty: 12 }]] },
      { _id: 3, items: [{ tags: ['x', 'y'] }] },
    ]);
    expect(await ids(c, { 'items.qty': { $gt: 10 } })).toEqual([1]);
    expect(await ids(c, { 'items.tags': 'y' })).toEqual([3]);
    expect(await ids(c, { 'items.tags': { $type: 'array' } })).toEqual([3]);
    expect(await ids(c, { 'items.qty': { $type: 'array' } })).toEqual([]);
  });
});

describe('$all', () => {
  const inventory = [
    { _id: 1, code: 'xyz', tags: ['school', 'book', 'bag', 'headphone', 'appliance'], qty: [{ size: 'S', num: 10, color: 'blue' }, { size: 'M', num: 45, color: 'blue' }, { size: 'L', num: 100, color: 'green' }] },
    { _id: 2, code: 'abc', tags: ['appliance', 'school', 'book'], qty: [{ size: '6', num: 100, color: 'green' }, { size: '6', num: 50, color: 'blue' }, { size: '8', num: 100, color: 'brown' }] },
    { _id: 3, code: 'efg', tags: ['school', 'book'], qty: [{ size: 'S', num: 10, color: 'blue' }, { size: 'M', num: 100, color: 'blue' }, { size: 'L', num: 100, color: 'green' }] },
    { _id: 4, code: 'ijk', tags: ['electronics', 'school'], qty: [{ size: 'M', num: 100, color: 'green' }] },
  ];

  it('is an AND of equalities: elements, a non-array field, $elemMatch conditions', async () => {
    const c = coll();
    await c.insertMany([...inventory, { _id: 5, code: 'lmn', tags: 'school' }]);
    expect(await ids(c, { tags: { $all: ['appliance', 'school', 'book'] } })).toEqual([1, 2]);
    expect(await ids(c, { tags: { $all: ['school'] } })).toEqual([1, 2, 3, 4, 5]);
    expect(await ids(c, { 'qty.num': { $all: [50] } })).toEqual([2]);
    expect(
      await ids(c, { qty: { $all: [{ $elemMatch: { size: 'M', num: { $gt: 50 } } }, { $elemMatch: { num: 100, color: 'green' } }] } }),
    ).toEqual([3, 4]);
  });

  it('an empty list matches nothing; a nested array matches as an element or as the whole field', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, tags: [['ssl', 'security'], 'x'] },
      { _id: 2, tags: ['ssl', 'security'] },
      { _id: 3, tags: ['security', 'ssl'] },
    ]);
    expect(await ids(c, { tags: { $all: [] } })).toEqual([]);
    expect(await ids(c, { tags: { $all: [['ssl', 'security']] } })).toEqual([1, 2]);
    await expect(c.find({ tags: { $all: [{ $elemMatch: { a: 1 } }, 'x'] } }).toArray()).rejects.toMatchObject({ code: 2 });
  });
});

describe('$bitsAllSet, $bitsAnySet, $bitsAllClear, $bitsAnyClear', () => {
  // 54 = 0b00110110, 20 = 0b00010100, BinData 'Zg==' = 0x66 = 0b01100110.
  async function bitsCollection(): Promise<Collection<LooseDoc>> {
    const c = coll();
    await c.insertMany([
      { _id: 1, a: 54 },
      { _id: 2, a: 20 },
      { _id: 3, a: 20.0 },
      { _id: 4, a: new Binary(Buffer.from('Zg==', 'base64'), 0) },
      { _id: 5, a: 'not a number' },
    ]);
    return c;
  }

  it('test positions, integer masks and BinData masks on numbers and binary data', async () => {
    const c = await bitsCollection();
    expect(await ids(c, { a: { $bitsAllSet: [1, 5] } })).toEqual([1, 4]);
    expect(await ids(c, { a: { $bitsAllSet: 50 } })).toEqual([1]);
    expect(await ids(c, { a: { $bitsAllSet: new Binary(Buffer.from('MA==', 'base64'), 0) } })).toEqual([1]);
    expect(await ids(c, { a: { $bitsAnySet: 35 } })).toEqual([1, 4]);
    expect(await ids(c, { a: { $bitsAllClear: [1, 5] } })).toEqual([2, 3]);
    expect(await ids(c, { a: { $bitsAnyClear: 35 } })).toEqual([1, 2, 3, 4]);
  });

  it('use 64 bits, sign-extend negative numbers, and read a UUID little-endian by byte', async () => {
    const c = coll();
    const uuid = new UUID('00000000-0000-4000-8000-000000000001');
    await c.insertMany([
      { _id: 1, a: Long.fromString('1099511627776') }, // 2^40
      { _id: 2, a: -1 },
      { _id: 3, a: uuid },
      { _id: 4, a: 2.5 },
    ]);
    expect(await ids(c, { a: { $bitsAllSet: [40] } })).toEqual([1, 2]);
    expect(await ids(c, { a: { $bitsAllSet: [63, 200] } })).toEqual([2]);
    // Byte 6 is 0x40 (bit 54), byte 8 is 0x80 (bit 71), byte 15 is 0x01 (bit 120).
    expect(await ids(c, { a: { $bitsAllSet: [54, 71, 120] } })).toEqual([2, 3]);
    expect(await ids(c, { a: { $bitsAnySet: [0, 1, 2] } })).toEqual([2]);
    await expect(c.find({ a: { $bitsAllSet: -1 } }).toArray()).rejects.toMatchObject({ code: 2 });
  });
});

describe('DBRef fields', () => {
  it('queries name $ref, $id and $db, and a whole DBRef matches by equality', async () => {
    const c = coll();
    const owner = new ObjectId();
    const team = new ObjectId();
    await c.insertMany([
      { _id: 1, owner: new DBRef('people', owner, 'hr') },
      { _id: 2, owner: new DBRef('teams', team) },
    ]);
    expect(await ids(c, { 'owner.$id': owner })).toEqual([1]);
    expect(await ids(c, { 'owner.$ref': 'teams' })).toEqual([2]);
    expect(await ids(c, { 'owner.$db': { $exists: true } })).toEqual([1]);
    expect(await ids(c, { owner: new DBRef('teams', team) })).toEqual([2]);
    const [doc] = await c.find({ _id: 1 }).toArray();
    expect(doc?.['owner']).toBeInstanceOf(DBRef);
    expect((doc?.['owner'] as DBRef).oid).toEqual(owner);
    expect(await c.findOne({ _id: 2 }, { projection: { _id: 0, 'owner.$ref': 1 } })).toEqual({ owner: { $ref: 'teams' } });
  });
});
