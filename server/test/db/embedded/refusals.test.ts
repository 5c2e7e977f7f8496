import type { Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { startHarness, type Harness } from './helpers.js';

// Features the embedded server refuses on purpose answer with the code a MongoDB without the
// capability returns, and a message naming the embedded server and MONGODB_URI. These tests
// are about the embedded server itself (a real MongoDB supports them), so they always use it.

let h: Harness;
let seq = 0;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

function coll(): Collection<LooseDoc> {
  return h.client.db('refusals').collection<LooseDoc>(`r${++seq}`);
}

const namesEmbedded = expect.stringMatching(/embedded MongoDB server.*set MONGODB_URI/) as unknown;

describe('deliberate refusals', () => {
  it('$where: 2 BadValue, as a mongod without a script engine', async () => {
    const c = coll();
    await c.insertOne({ a: 1 });
    await expect(c.find({ $where: 'this.a == 1' }).toArray()).rejects.toMatchObject({ code: 2, message: expect.stringMatching(/^no globalScriptEngine in \$where parsing: .*embedded MongoDB server.*set MONGODB_URI/) as unknown });
    await expect(c.deleteMany({ $where: 'true' })).rejects.toMatchObject({ code: 2 });
    expect(await c.countDocuments()).toBe(1);
  });

  it('$text and text indexes: 27 IndexNotFound and 67 CannotCreateIndex', async () => {
    const c = coll();
    await c.insertOne({ body: 'hello world' });
    await expect(c.find({ $text: { $search: 'hello' } }).toArray()).rejects.toMatchObject({ code: 27, message: namesEmbedded });
    await expect(c.aggregate([{ $match: { $text: { $search: 'hello' } } }]).toArray()).rejects.toMatchObject({ code: 27 });
    await expect(c.createIndex({ body: 'text' })).rejects.toMatchObject({ code: 67, message: namesEmbedded });
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('geospatial: $near 291, $geoNear 27, $geoWithin 224, 2dsphere indexes 67', async () => {
    const c = coll();
    await c.insertOne({ loc: { type: 'Point', coordinates: [2.35, 48.85] } });
    const point = { type: 'Point', coordinates: [2.3, 48.8] };
    await expect(c.find({ loc: { $near: { $geometry: point } } }).toArray()).rejects.toMatchObject({ code: 291, message: namesEmbedded });
    await expect(c.find({ loc: { $nearSphere: { $geometry: point } } }).toArray()).rejects.toMatchObject({ code: 291 });
    await expect(c.find({ loc: { $geoWithin: { $centerSphere: [[2.3, 48.8], 0.01] } } }).toArray()).rejects.toMatchObject({ code: 224, message: namesEmbedded });
    await expect(c.countDocuments({ loc: { $geoIntersects: { $geometry: point } } })).rejects.toMatchObject({ code: 224 });
    await expect(c.aggregate([{ $geoNear: { near: point, distanceField: 'd' } }]).toArray()).rejects.toMatchObject({ code: 27, message: namesEmbedded });
    await expect(c.createIndex({ loc: '2dsphere' })).rejects.toMatchObject({ code: 67 });
    await expect(c.createIndex({ loc: '2d' })).rejects.toMatchObject({ code: 67 });
  });

  it('change streams: 40573, as a standalone mongod', async () => {
    const c = coll();
    const stream = c.watch();
    await expect(stream.tryNext()).rejects.toMatchObject({ code: 40573, message: expect.stringMatching(/^The \$changeStream stage is only supported on replica sets: .*set MONGODB_URI/) as unknown });
    await stream.close();
    await expect(c.aggregate([{ $changeStream: {} }]).toArray()).rejects.toMatchObject({ code: 40573 });
  });

  it('multi-document transactions: 20 IllegalOperation, and nothing is written', async () => {
    const c = coll();
    const session = h.client.startSession();
    try {
      session.startTransaction();
      // The driver rewraps this answer of a standalone into its retryable-writes hint, keeping the server's error.
      const err = await c.insertOne({ _id: 'in-txn' }, { session }).catch((e: unknown) => e);
      const server = (err as { originalError?: Error & { code?: number } }).originalError ?? (err as Error & { code?: number });
      expect(server.code).toBe(20);
      expect(server.message).toMatch(/^Transaction numbers are only allowed on a replica set member or mongos: .*set MONGODB_URI/);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    // The raw command form is refused the same way.
    await expect(h.client.db('refusals').command({ insert: c.collectionName, documents: [{ _id: 'raw' }], txnNumber: 1, autocommit: false, startTransaction: true })).rejects.toMatchObject({ code: 20 });
    expect(await c.countDocuments()).toBe(0);
  });

  it('a query with a refused operator that no document could match is still refused', async () => {
    await expect(coll().findOne({ $or: [{ a: 1 }, { $where: 'true' }] })).rejects.toMatchObject({ code: 2 });
  });

  it('fields named like Object.prototype members are ordinary fields', async () => {
    const c = coll();
    await c.insertOne({ constructor: 'x', toString: 'y' });
    expect(await c.countDocuments({ constructor: 'x', toString: 'y' })).toBe(1);
  });
});
