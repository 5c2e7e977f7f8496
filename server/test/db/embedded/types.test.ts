import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Binary, BSON, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, MongoClient, ObjectId, Timestamp, UUID, type Collection, type Document, type Filter } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedMongo } from '../../../src/db/embedded/index.js';
import { removeDir, tempDir, type LooseDoc } from './helpers.js';
import { fileTestDb } from './support.js';

// The behaviour tests run against MONGODB_URI when set (see support.ts); the restart tests are
// about the embedded server's journal and snapshot. "Bit for bit" is checked on raw BSON bytes.
const t = fileTestDb('types');
const coll = t.coll;

async function ids(c: Collection<LooseDoc>, filter: Filter<LooseDoc>): Promise<unknown[]> {
  return (await c.find(filter, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id);
}

/** The document's BSON as stored, with no driver-side type conversion. */
async function rawBytes(c: Collection<LooseDoc>, id: unknown): Promise<Buffer> {
  const raw = await c.findOne({ _id: id } as Filter<LooseDoc>, { raw: true });
  return Buffer.from(raw as unknown as Uint8Array);
}

describe('64-bit integers', () => {
  it('come back as the exact Long/BigInt they were, small and beyond 2^53', async () => {
    const c = coll();
    const doc = { _id: 1, small: Long.fromNumber(5), big: Long.fromString('9007199254740993'), min: Long.MIN_VALUE, max: Long.MAX_VALUE, neg: Long.fromNumber(-7) };
    await c.insertOne(doc);
    await c.insertOne({ _id: 2, v: 2n ** 62n + 1n });
    expect(await c.findOne({ _id: 1 }, { useBigInt64: true })).toEqual({
      _id: 1,
      small: 5n,
      big: 9007199254740993n,
      min: -(2n ** 63n),
      max: 2n ** 63n - 1n,
      neg: -7n,
    });
    expect((await c.findOne({ _id: 2 }, { useBigInt64: true }))?.['v']).toBe(2n ** 62n + 1n);
    expect((await rawBytes(c, 1)).equals(BSON.serialize(doc))).toBe(true);
  });

  it('$inc keeps a long a long, turns an int that overflows into a long, and refuses a long overflow', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, small: Long.fromNumber(5), big: Long.fromString('9007199254740993'), int: 2147483647, max: Long.MAX_VALUE, ratio: Long.fromNumber(4) });
    await c.updateOne({ _id: 1 }, { $inc: { small: 1, big: Long.fromNumber(1), int: 1 }, $mul: { ratio: 2.5 } });
    const after = await c.findOne({ _id: 1 }, { useBigInt64: true, promoteValues: true });
    expect(after).toEqual({ _id: 1, small: 6n, big: 9007199254740994n, int: 2147483648n, max: 2n ** 63n - 1n, ratio: 10 });
    await expect(c.updateOne({ _id: 1 }, { $inc: { max: 1 } })).rejects.toMatchObject({ code: 2 });
    expect((await c.findOne({ _id: 1 }, { useBigInt64: true }))?.['max']).toBe(2n ** 63n - 1n);
  });
});

describe('numeric types', () => {
  it('$type tells int, long, double and decimal apart; equality and sorting go by value', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, v: new Int32(3) },
      { _id: 2, v: new Double(3) },
      { _id: 3, v: Long.fromNumber(3) },
      { _id: 4, v: 3.5 },
      { _id: 5, v: Decimal128.fromString('3') },
      { _id: 6, v: [new Double(1)] },
      { _id: 7, v: Long.fromString('9007199254740993') },
      { _id: 8, v: 9007199254740992 },
    ]);
    expect(await ids(c, { v: { $type: 'int' } })).toEqual([1]);
    expect(await ids(c, { v: { $type: 'double' } })).toEqual([2, 4, 6, 8]);
    expect(await ids(c, { v: { $type: 'long' } })).toEqual([3, 7]);
    expect(await ids(c, { v: { $type: 'decimal' } })).toEqual([5]);
    expect(await ids(c, { v: { $type: [16, 18] } })).toEqual([1, 3, 7]);
    expect(await ids(c, { v: { $type: 'number' } })).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await ids(c, { v: 3 })).toEqual([1, 2, 3, 5]);
    expect(await ids(c, { v: { $gt: 9007199254740992 } })).toEqual([7]);
    const sorted = await c.find({ _id: { $in: [2, 4, 7, 8] } }, { sort: { v: -1 } }).toArray();
    expect(sorted.map((d) => d._id)).toEqual([7, 8, 4, 2]);
    // Aggregation adds numbers of every width.
    expect(await c.aggregate([{ $match: { _id: { $lte: 4 } } }, { $group: { _id: null, total: { $sum: '$v' } } }]).toArray()).toEqual([{ _id: null, total: 12.5 }]);
    // Read back without promotion: each value has the type it was written with.
    const raw = await c.find({}, { sort: { _id: 1 }, promoteValues: false, promoteLongs: false }).toArray();
    expect(raw.slice(0, 3).map((d) => (d['v'] as { _bsontype: string })._bsontype)).toEqual(['Int32', 'Double', 'Long']);
  });
});

describe('binary data', () => {
  it('keeps its subtype through updates (pipeline and $[] too), and UUIDs inside maps still match', async () => {
    const c = coll();
    const owner = new UUID();
    const userDefined = new Binary(Buffer.from('custom'), 0x80);
    const md5 = new Binary(Buffer.from('0123456789abcdef'), 5);
    await c.insertOne({ _id: 1, files: { a: userDefined, b: md5 }, owners: { main: owner }, list: [{ bin: new Binary(Buffer.from('legacy-uuid-1234'), 3) }] });
    await c.updateOne({ _id: 1 }, [{ $set: { touched: true } }]);
    await c.updateOne({ _id: 1 }, { $set: { 'list.$[].seen': true, 'owners.backup': owner }, $push: { extra: new Binary(Buffer.from('x'), 6) } as Document });
    expect(await ids(c, { 'owners.main': owner })).toEqual([1]);
    expect(await ids(c, { 'owners.backup': owner })).toEqual([1]);
    expect(await ids(c, { 'files.a': userDefined, 'files.b': md5 })).toEqual([1]);
    const doc = await c.findOne({ _id: 1 });
    expect((doc?.['files'] as Record<string, Binary>)['a']?.sub_type).toBe(0x80);
    expect((doc?.['list'] as Array<{ bin: Binary }>)[0]?.bin.sub_type).toBe(3);
    expect((doc?.['extra'] as Binary[])[0]?.sub_type).toBe(6);
  });
});

// ---- durability: the journal and the snapshot keep values bit for bit ----

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

async function fresh(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

/** A document holding every BSON type Candor or a driver may write. */
function everyType(id: number): Document {
  return {
    _id: id,
    int: new Int32(-5),
    double: new Double(3),
    negZero: new Double(-0),
    frac: 2.5,
    long: Long.fromNumber(7),
    bigLong: Long.fromString('-9007199254740993'),
    decimal: Decimal128.fromString('1234.5678'),
    bins: [new Binary(Buffer.from('a'), 0), new Binary(Buffer.from('bcd'), 3), new UUID('00000000-0000-4000-8000-000000000001'), new Binary(Buffer.from('e'), 5), new Binary(Buffer.from('f'), 0x80)],
    map: { k1: new UUID('11111111-1111-4111-8111-111111111111'), 2024: { at: new Date(1700000000123) } },
    ref: new DBRef('people', new ObjectId('0123456789abcdef01234567'), 'hr'),
    ts: new Timestamp({ t: 1700000000, i: 3 }),
    re: /a+b/i,
    code: new Code('function () {}'),
    keys: [new MinKey(), new MaxKey()],
    nested: [[1, 2], [new Double(4)]],
    nil: null,
  };
}

async function snapshotOf(client: MongoClient): Promise<Buffer[]> {
  const docs = await client.db('candor').collection('v').find({}, { sort: { _id: 1 }, raw: true }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array));
}

describe('values after a restart', () => {
  it('are read back bit for bit from the journal (crash) and from the snapshot (clean close)', async () => {
    const dir = await fresh();
    const mongo = await EmbeddedMongo.start({ dir, durability: 'fsync' });
    const client = await MongoClient.connect(mongo.uri());
    const c = client.db('candor').collection<LooseDoc>('v');
    await c.insertMany([everyType(1), everyType(2), everyType(3)]);
    // Updates are journaled as diffs of the new values: their types must survive replay too.
    await c.updateOne({ _id: 1 }, { $set: { long: Long.fromString('9223372036854775807'), double: new Double(8) }, $inc: { int: 1 } });
    await c.updateOne({ _id: 2 }, { $push: { bins: new Binary(Buffer.from('g'), 4) }, $set: { 'map.k2': new UUID('22222222-2222-4222-8222-222222222222') } } as Document);
    await c.updateOne({ _id: 3 }, [{ $set: { added: { $literal: 1 } } }]);
    const live = await snapshotOf(client);
    expect(live[0]?.equals(BSON.serialize({ ...everyType(1), long: Long.fromString('9223372036854775807'), double: new Double(8), int: new Int32(-4) }))).toBe(true);

    const crash = await fresh();
    await cp(dir, crash, { recursive: true });
    await rm(path.join(crash, 'embedded.lock'), { force: true });
    await client.close();
    await mongo.close();

    for (const from of [crash, dir]) {
      const again = await EmbeddedMongo.start({ dir: from, durability: 'fsync' });
      const reader = await MongoClient.connect(again.uri());
      try {
        const replayed = await snapshotOf(reader);
        expect(replayed).toHaveLength(3);
        replayed.forEach((bytes, i) => expect(bytes.equals(live[i] as Buffer)).toBe(true));
      } finally {
        await reader.close();
        await again.close();
      }
    }
  });
});
