import { MongoServerError, type Collection } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { fileTestDb } from './support.js';

const t = fileTestDb('i');
const coll = t.coll;

describe('unique indexes', () => {
  it('a duplicate unique key is rejected with E11000 and changes nothing', async () => {
    const c = coll();
    await c.createIndex({ clientSessionId: 1 }, { unique: true });
    await c.insertOne({ _id: 'a', clientSessionId: 's1', v: 1 });
    const err = await c.insertOne({ _id: 'b', clientSessionId: 's1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err).toMatchObject({
      code: 11000,
      keyPattern: { clientSessionId: 1 },
      keyValue: { clientSessionId: 's1' },
      message: `E11000 duplicate key error collection: ${t.dbName}.${c.collectionName} index: clientSessionId_1 dup key: { clientSessionId: "s1" }`,
    });
    await c.insertOne({ _id: 'c', clientSessionId: 's2' });
    // An update or findAndModify into a taken key fails and leaves the document unchanged.
    await expect(c.updateOne({ _id: 'c' }, { $set: { clientSessionId: 's1', v: 9 } })).rejects.toMatchObject({ code: 11000 });
    await expect(c.findOneAndUpdate({ _id: 'c' }, { $set: { clientSessionId: 's1', v: 9 } })).rejects.toMatchObject({ code: 11000, keyValue: { clientSessionId: 's1' } });
    expect(await c.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'a', clientSessionId: 's1', v: 1 },
      { _id: 'c', clientSessionId: 's2' },
    ]);
  });

  it('a duplicate _id is rejected on the _id_ index', async () => {
    const c = coll();
    await c.insertOne({ _id: 'x' });
    await expect(c.insertOne({ _id: 'x' })).rejects.toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 'x' } });
  });

  it('an ordered insertMany stops at the first duplicate; unordered reports every duplicate with its index', async () => {
    const c = coll();
    await c.createIndex({ k: 1 }, { unique: true });
    const ordered = await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]).catch((e: unknown) => e);
    expect(ordered).toMatchObject({ code: 11000, result: { insertedCount: 1 } });
    expect(await c.countDocuments()).toBe(1);
    const unordered = await c.insertMany([{ k: 1 }, { k: 3 }, { k: 3 }], { ordered: false }).catch((e: unknown) => e);
    const writeErrors = (unordered as { writeErrors: Array<{ index: number; code: number }> }).writeErrors;
    expect(writeErrors.map((w) => [w.index, w.code])).toEqual([
      [0, 11000],
      [2, 11000],
    ]);
    expect(await c.countDocuments()).toBe(2);
  });

  it('a non-sparse unique index treats missing fields as null, so two documents without it collide', async () => {
    const c = coll();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ name: 'a' });
    await expect(c.insertOne({ name: 'b' })).rejects.toMatchObject({ code: 11000, keyValue: { email: null } });
  });

  it('a sparse unique index allows many documents without the field, on a dotted path', async () => {
    const c = coll();
    await c.createIndex({ 'voice.conversationId': 1 }, { unique: true, sparse: true });
    await c.insertMany([{ mode: 'text' }, { mode: 'text' }, { voice: { agentId: 'x' } }]);
    await c.insertOne({ voice: { conversationId: 'conv1' } });
    const err = await c.insertOne({ voice: { conversationId: 'conv1' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 11000, keyPattern: { 'voice.conversationId': 1 }, keyValue: { 'voice.conversationId': 'conv1' } });
    // Setting the key later through an update is checked too.
    await expect(c.updateOne({ mode: 'text' }, { $set: { 'voice.conversationId': 'conv1' } })).rejects.toMatchObject({ code: 11000 });
    expect(await c.countDocuments()).toBe(4);
  });

  it('a partial unique index only constrains documents matching its filter', async () => {
    const c = coll();
    await c.createIndex({ slug: 1 }, { unique: true, partialFilterExpression: { archivedAt: null } });
    await c.insertOne({ slug: 'x', archivedAt: new Date() });
    await c.insertOne({ slug: 'x', archivedAt: null });
    await expect(c.insertOne({ slug: 'x', archivedAt: null })).rejects.toMatchObject({ code: 11000 });
    await c.insertOne({ slug: 'x', archivedAt: new Date() });
    expect(await c.countDocuments({ slug: 'x' })).toBe(3);
  });

  it('updates that leave the keys alone keep them owned; moving a key frees the old one (dotted, partial through another field)', async () => {
    const c = coll();
    await c.createIndex({ clientSessionId: 1 }, { unique: true });
    await c.createIndex({ 'voice.conversationId': 1 }, { unique: true, sparse: true });
    await c.createIndex({ slug: 1 }, { unique: true, partialFilterExpression: { archived: false } });
    await c.insertOne({ _id: 'a', clientSessionId: 's1', voice: { conversationId: 'c1', agentId: 'x' }, slug: 'q', archived: false, messages: [] });
    // Many updates that touch no key (a $push, a sibling of a dotted key): the keys stay owned by 'a'.
    // Untyped: the driver types $push only for declared array fields.
    const raw = t.db.collection<{ _id: string; messages: number[] }>(c.collectionName);
    for (let i = 0; i < 3; i++) await raw.updateOne({ _id: 'a' }, { $push: { messages: i }, $set: { 'voice.agentId': `x${i}` } });
    await expect(c.insertOne({ clientSessionId: 's1' })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertOne({ clientSessionId: 's9', voice: { conversationId: 'c1' } })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertOne({ clientSessionId: 's8', slug: 'q', archived: false })).rejects.toMatchObject({ code: 11000 });
    // Leaving the partial index through another field frees its key; moving a key frees the old value.
    await c.updateOne({ _id: 'a' }, { $set: { archived: true } });
    await c.insertOne({ _id: 'b', clientSessionId: 's2', slug: 'q', archived: false });
    await c.updateOne({ _id: 'a' }, { $set: { clientSessionId: 's3', 'voice.conversationId': 'c2' } });
    await c.insertOne({ _id: 'c', clientSessionId: 's1', voice: { conversationId: 'c1' } });
    await expect(c.updateOne({ _id: 'a' }, { $set: { archived: false } })).rejects.toMatchObject({ code: 11000, keyValue: { slug: 'q' } });
    expect(await c.countDocuments()).toBe(3);
  });

  it('a compound unique index rejects only the full duplicate tuple', async () => {
    const c = coll();
    await c.createIndex({ conversationId: 1, type: 1 }, { unique: true });
    await c.insertMany([{ conversationId: 'c', type: 'a' }, { conversationId: 'c', type: 'b' }]);
    const err = await c.insertOne({ conversationId: 'c', type: 'a' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 11000, keyPattern: { conversationId: 1, type: 1 }, keyValue: { conversationId: 'c', type: 'a' } });
    expect((err as Error).message).toContain('dup key: { conversationId: "c", type: "a" }');
  });

  it('creating a unique index over existing duplicates fails and creates nothing; identical specs are idempotent', async () => {
    const c = coll();
    await c.insertMany([{ u: 1 }, { u: 1 }]);
    await expect(c.createIndex({ u: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    await c.createIndex({ w: 1 }, { unique: true, sparse: true });
    await c.createIndex({ w: 1 }, { unique: true, sparse: true });
    await expect(c.createIndex({ w: 1 }, { name: 'w_1', unique: false })).rejects.toMatchObject({ code: 85 });
    await expect(c.createIndex({ z: 1 }, { name: 'w_1' })).rejects.toMatchObject({ code: 86 });
    const indexes = await c.listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'w_1')).toMatchObject({ key: { w: 1 }, unique: true, sparse: true, v: 2 });
  });
});

describe('through mongoose', () => {
  it('syncIndexes/init creates schema indexes and a duplicate surfaces as MongoServerError code 11000', async () => {
    const conn = await mongoose.createConnection(t.uri, { dbName: t.dbName }).asPromise();
    try {
      const schema = new Schema({
        clientSessionId: { type: String, required: true, unique: true },
        voice: { conversationId: { type: String } },
        status: String,
      });
      schema.index({ 'voice.conversationId': 1 }, { unique: true, sparse: true });
      const Interview = conn.model('Interview', schema);
      await Interview.init();
      await Interview.syncIndexes();
      const names = (await Interview.listIndexes()).map((i: { name: string }) => i.name).sort();
      expect(names).toEqual(['_id_', 'clientSessionId_1', 'voice.conversationId_1']);
      await Interview.create({ clientSessionId: 'a' });
      await Interview.create({ clientSessionId: 'b' });
      const err = await Interview.create({ clientSessionId: 'a' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(mongoose.mongo.MongoServerError);
      expect((err as { code: number }).code).toBe(11000);
      expect((err as { keyValue: unknown }).keyValue).toEqual({ clientSessionId: 'a' });
      // diffIndexes sees nothing to do after a sync.
      expect(await Interview.diffIndexes()).toEqual({ toDrop: [], toCreate: [] });
    } finally {
      await conn.close();
    }
  });
});
