import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMongo } from '../../../src/db/embedded/index.js';
import { removeDir, tempDir, type LooseDoc } from './helpers.js';
import { startTestDb, type TestDb } from './support.js';

// MongoDB manual, "TTL Indexes": a background task removes documents whose indexed date
// (the earliest, for an array of dates) is older than expireAfterSeconds; it runs every
// ttlMonitorSleepSecs (60 by default, settable with setParameter); a field that holds no date
// never expires; a partial TTL index expires only the documents it covers.

let t: TestDb;
let seq = 0;
beforeAll(async () => {
  t = await startTestDb();
  await t.client.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: 1 });
});
afterAll(async () => {
  await t.client.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: 60 });
  await t.stop();
});

function coll(): Collection<LooseDoc> {
  return t.db.collection<LooseDoc>(`ttl${++seq}`);
}

const minutesAgo = (m: number): Date => new Date(Date.now() - m * 60_000);

async function eventually(check: () => Promise<boolean>, ms = 6000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function idsOf(c: Collection<LooseDoc>): Promise<unknown[]> {
  return (await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id);
}

describe('server parameters', () => {
  it('getParameter and setParameter read and change ttlMonitorSleepSecs and ttlMonitorEnabled on admin only', async () => {
    const admin = t.client.db('admin');
    expect(await admin.command({ getParameter: 1, ttlMonitorSleepSecs: 1, ttlMonitorEnabled: 1 })).toMatchObject({ ttlMonitorSleepSecs: 1, ttlMonitorEnabled: true, ok: 1 });
    expect(await admin.command({ setParameter: 1, ttlMonitorSleepSecs: 2 })).toMatchObject({ was: 1, ok: 1 });
    expect(await admin.command({ setParameter: 1, ttlMonitorSleepSecs: 1 })).toMatchObject({ was: 2 });
    await expect(t.db.command({ setParameter: 1, ttlMonitorSleepSecs: 5 })).rejects.toMatchObject({ code: 13 });
    await expect(admin.command({ setParameter: 1, noSuchParameter: 5 })).rejects.toMatchObject({ code: 72 });
    await expect(admin.command({ getParameter: 1, noSuchParameter: 1 })).rejects.toMatchObject({ code: 72 });
    await expect(admin.command({ setParameter: 1, ttlMonitorSleepSecs: 0 })).rejects.toMatchObject({ code: 2 });
  });
});

describe('TTL indexes', () => {
  it('removes documents whose date is older than expireAfterSeconds and keeps the others', async () => {
    const c = coll();
    await c.createIndex({ createdAt: 1 }, { expireAfterSeconds: 60 });
    await c.insertMany([
      { _id: 1, createdAt: minutesAgo(5) },
      { _id: 2, createdAt: new Date() },
      { _id: 3, createdAt: [new Date(), minutesAgo(3)] },
      { _id: 4, createdAt: 'yesterday' },
      { _id: 5 },
      { _id: 6, createdAt: [new Date(), new Date(Date.now() + 3_600_000)] },
    ]);
    await eventually(async () => (await c.countDocuments()) === 4);
    expect(await idsOf(c)).toEqual([2, 4, 5, 6]);
  });

  it('expireAfterSeconds 0 expires at the date itself; a partial TTL index only covers its documents', async () => {
    const c = coll();
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, partialFilterExpression: { kind: 'temp' } });
    await c.insertMany([
      { _id: 1, kind: 'temp', expiresAt: new Date(Date.now() - 1000) },
      { _id: 2, kind: 'keep', expiresAt: new Date(Date.now() - 1000) },
      { _id: 3, kind: 'temp', expiresAt: new Date(Date.now() + 3_600_000) },
    ]);
    await eventually(async () => (await c.countDocuments()) === 2);
    expect(await idsOf(c)).toEqual([2, 3]);
  });

  it('a hidden TTL index still expires documents; a compound index ignores expireAfterSeconds', async () => {
    const hidden = coll();
    await hidden.createIndex({ at: 1 }, { expireAfterSeconds: 1, hidden: true });
    await hidden.insertOne({ _id: 'old', at: minutesAgo(1) });
    await eventually(async () => (await hidden.countDocuments()) === 0);
    if (t.kind === 'embedded') {
      const compound = coll();
      await compound.createIndex({ at: 1, k: 1 }, { expireAfterSeconds: 1 });
      await compound.insertOne({ _id: 'old', at: minutesAgo(1), k: 1 });
      await new Promise((r) => setTimeout(r, 2200));
      expect(await compound.countDocuments()).toBe(1);
    }
  });

  it('ttlMonitorEnabled false pauses expiry until it is turned back on', async () => {
    const admin = t.client.db('admin');
    const c = coll();
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 1 });
    await admin.command({ setParameter: 1, ttlMonitorEnabled: false });
    try {
      await c.insertOne({ _id: 'old', at: minutesAgo(1) });
      await new Promise((r) => setTimeout(r, 2200));
      expect(await c.countDocuments()).toBe(1);
    } finally {
      await admin.command({ setParameter: 1, ttlMonitorEnabled: true });
    }
    await eventually(async () => (await c.countDocuments()) === 0);
  });
});

describe('TTL deletes are journaled', () => {
  it('an expired document stays gone after a restart', async () => {
    const dir = await tempDir();
    try {
      let mongo = await EmbeddedMongo.start({ dir, durability: 'fsync' });
      let client = await MongoClient.connect(mongo.uri());
      await client.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: 1 });
      const c = client.db('r').collection<LooseDoc>('sessions');
      await c.createIndex({ endedAt: 1 }, { expireAfterSeconds: 30 });
      await c.insertMany([{ _id: 'old', endedAt: minutesAgo(2) }, { _id: 'new', endedAt: new Date() }]);
      await eventually(async () => (await c.countDocuments()) === 1);
      // Restart on the same directory: the delete was journaled like any other.
      await client.close();
      await mongo.close();
      mongo = await EmbeddedMongo.start({ dir, durability: 'fsync' });
      client = await MongoClient.connect(mongo.uri());
      try {
        expect(await client.db('r').collection<LooseDoc>('sessions').find().toArray()).toEqual([{ _id: 'new', endedAt: expect.any(Date) as unknown }]);
        // Parameters are not persisted (as in MongoDB): back to the default after a restart.
        expect(await client.db('admin').command({ getParameter: 1, ttlMonitorSleepSecs: 1 })).toMatchObject({ ttlMonitorSleepSecs: 60 });
      } finally {
        await client.close();
        await mongo.close();
      }
    } finally {
      await removeDir(dir);
    }
  });
});
