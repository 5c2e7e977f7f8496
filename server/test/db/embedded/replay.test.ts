import { cp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient, type Document, type UpdateFilter } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedMongo } from '../../../src/db/embedded/index.js';
import { removeDir, tempDir, type LooseDoc } from './helpers.js';

/** The workload's updates use paths the driver's schema types cannot follow. */
const u = (update: Document): UpdateFilter<LooseDoc> => update as UpdateFilter<LooseDoc>;

// Embedded only: updates are journaled as diffs (not whole documents); a restart must rebuild
// exactly what the live server had, from the journal alone or from a snapshot plus journal.
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

async function fresh(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

async function dump(client: MongoClient): Promise<Document[]> {
  return client.db('candor').collection('r').find({}, { sort: { _id: 1 } }).toArray();
}

/** Copies the data directory of a running server: what a crash (kill -9, power loss after fsync) leaves. */
async function crashImage(dir: string): Promise<string> {
  const copy = await fresh();
  await cp(dir, copy, { recursive: true });
  await rm(path.join(copy, 'embedded.lock'), { force: true });
  return copy;
}

async function workload(client: MongoClient): Promise<void> {
  const c = client.db('candor').collection<LooseDoc>('r');
  await c.createIndex({ key: 1 }, { unique: true });
  await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, key: `k${i}`, messages: [], usage: [{ model: 'a', calls: 0 }], meta: { n: i } })));
  for (let round = 0; round < 30; round++) {
    const id = round % 20;
    await c.updateOne({ _id: id, 'messages.id': { $ne: `m${round}` } }, u({ $push: { messages: { id: `m${round}`, text: 'x'.repeat(200), at: new Date(round) } }, $set: { updatedAt: new Date(round) } }));
    await c.updateOne({ _id: id, usage: { $elemMatch: { model: 'a' } } }, u({ $inc: { 'usage.$.calls': 1, 'usage.$.tokens': 10 } }));
  }
  await c.updateOne({ _id: 1 }, u({ $unset: { meta: '' }, $rename: { key: 'renamed' } }));
  await c.updateOne({ _id: 2 }, u({ $pull: { messages: { id: 'm2' } } }));
  await c.updateOne({ _id: 3 }, u({ $set: { 'meta.deep.er': [1, 2] }, $push: { 'meta.list': { $each: [3, 1, 2], $sort: 1 } } }));
  await c.updateOne({ _id: 4 }, u({ $set: { 'usage.$[].calls': 99 } }));
  await c.updateMany({ _id: { $gte: 10 } }, [{ $set: { total: { $add: ['$meta.n', 1] } } }]);
  await c.replaceOne({ _id: 5 }, { key: 'k5', replaced: true });
  await c.deleteOne({ _id: 6 });
  await expect(c.updateOne({ _id: 7 }, u({ $set: { key: 'k8' } }))).rejects.toMatchObject({ code: 11000 });
}

describe('journal replay of updates', () => {
  for (const compactBytes of [undefined, 4096]) {
    it(`rebuilds every updated document exactly after a crash${compactBytes ? ' (with compactions)' : ''}`, async () => {
      const dir = await fresh();
      const mongo = await EmbeddedMongo.start({ dir, durability: 'fsync', ...(compactBytes ? { compactBytes } : {}) });
      const client = await MongoClient.connect(mongo.uri());
      let live: Document[];
      let image: string;
      try {
        await workload(client);
        live = await dump(client);
        image = await crashImage(dir);
        if (compactBytes) expect((await readdir(image)).includes('snapshot.bin')).toBe(true);
      } finally {
        await client.close();
        await mongo.close();
      }
      expect(live.find((d) => d._id === 0)?.messages).toHaveLength(2);
      const restarted = await EmbeddedMongo.start({ dir: image, durability: 'fsync' });
      const client2 = await MongoClient.connect(restarted.uri());
      try {
        expect(await dump(client2)).toEqual(live);
        // The unique index was rebuilt too, on the updated values.
        await expect(client2.db('candor').collection('r').insertOne({ key: 'k7' })).rejects.toMatchObject({ code: 11000 });
      } finally {
        await client2.close();
        await restarted.close();
      }
    });
  }
});
