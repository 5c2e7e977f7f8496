import { spawn } from 'node:child_process';
import { appendFile, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedMongo } from '../../../src/db/embedded/index.js';
import { readDataDirOwner } from '../../../src/db/embedded/lock.js';
import { encodeFrame, Journal, journalFileName } from '../../../src/db/embedded/journal.js';
import { silentLogger } from '../../../src/db/embedded/logger.js';
import { removeDir, tempDir, type LooseDoc, type SessionDoc } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

async function freshDir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

/** Runs `fn` against a server on `dir`; `crash` skips close() (no flush, no snapshot). */
async function withServer<T>(dir: string, fn: (client: MongoClient, mongo: EmbeddedMongo) => Promise<T>, opts: { compactBytes?: number } = {}): Promise<T> {
  const mongo = await EmbeddedMongo.start({ dir, durability: 'fsync', ...opts });
  const client = await MongoClient.connect(mongo.uri());
  try {
    return await fn(client, mongo);
  } finally {
    await client.close();
    await mongo.close();
  }
}

async function journalFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith('journal-')).sort();
}

describe('durability', () => {
  it('a restart replays the journal: documents, updates, deletes and indexes survive', async () => {
    const dir = await freshDir();
    await withServer(dir, async (client) => {
      const c = client.db('candor').collection<SessionDoc>('d');
      await c.createIndex({ k: 1 }, { unique: true });
      await c.insertMany([{ _id: 1, k: 'a', messages: [] }, { _id: 2, k: 'b' }, { _id: 3, k: 'c' }]);
      await c.updateOne({ _id: 1 }, { $push: { messages: { id: 'm1', at: new Date(5) } } });
      await c.deleteOne({ _id: 2 });
    });
    await withServer(dir, async (client) => {
      const c = client.db('candor').collection<SessionDoc>('d');
      expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, k: 'a', messages: [{ id: 'm1', at: new Date(5) }] },
        { _id: 3, k: 'c' },
      ]);
      await expect(c.insertOne({ k: 'a' })).rejects.toMatchObject({ code: 11000 });
    });
  });

  it('a torn last journal record (garbage appended) is dropped and everything before it loads', async () => {
    const dir = await freshDir();
    // Write through a server but "crash" it: copy the journal before close() snapshots it.
    const mongo = await EmbeddedMongo.start({ dir, durability: 'fsync' });
    const client = await MongoClient.connect(mongo.uri());
    await client.db('candor').collection<LooseDoc>('t').insertMany([{ _id: 1 }, { _id: 2 }]);
    const [journal] = await journalFiles(dir);
    const bytes = await readFile(path.join(dir, journal!));
    await client.close();
    await mongo.close();
    await removeDir(dir);
    const crashed = await freshDir();
    const file = path.join(crashed, journalFileName(0));
    // A record whose header promises more bytes than were written, then random garbage.
    const torn = encodeFrame({ op: 'put', db: 'candor', c: 't', doc: { _id: 3 } }).subarray(0, 20);
    await writeFile(file, Buffer.concat([bytes, torn]));
    await appendFile(file, Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
    await withServer(crashed, async (c) => {
      expect(await c.db('candor').collection<LooseDoc>('t').find({}).toArray()).toEqual([{ _id: 1 }, { _id: 2 }]);
      await c.db('candor').collection<LooseDoc>('t').insertOne({ _id: 4 });
    });
    await withServer(crashed, async (c) => {
      expect((await c.db('candor').collection<LooseDoc>('t').find({}).toArray()).map((d) => d._id)).toEqual([1, 2, 4]);
    });
  });

  it('a second server on the same data directory is refused while the first runs', async () => {
    const dir = await freshDir();
    const first = await EmbeddedMongo.start({ dir });
    try {
      await expect(EmbeddedMongo.start({ dir })).rejects.toThrow(/in use by process/);
    } finally {
      await first.close();
    }
    const again = await EmbeddedMongo.start({ dir });
    await again.close();
  });

  it('a running server records its address in the lock, and tools can find it there', async () => {
    const dir = await freshDir();
    expect(await readDataDirOwner(dir)).toBeNull();
    const mongo = await EmbeddedMongo.start({ dir });
    try {
      expect(await readDataDirOwner(dir)).toEqual({ pid: process.pid, address: { host: '127.0.0.1', port: mongo.port } });
      // The address line does not weaken the lock.
      await expect(EmbeddedMongo.start({ dir })).rejects.toThrow(/in use by process/);
    } finally {
      await mongo.close();
    }
    expect(await readDataDirOwner(dir)).toBeNull();
  });

  it('corruption in the middle of the journal refuses to start and names the file and offset', async () => {
    const dir = await freshDir();
    const frames = [1, 2, 3].map((i) => encodeFrame({ op: 'put', db: 'candor', c: 't', doc: { _id: i } }));
    const buf = Buffer.concat(frames);
    const at = frames[0]!.length + 10; // a byte inside the second record
    buf[at] = (buf[at] ?? 0) ^ 0xff;
    const file = path.join(dir, journalFileName(0));
    await writeFile(file, buf);
    await expect(EmbeddedMongo.start({ dir })).rejects.toThrow(new RegExp(`${journalFileName(0)} at offset ${frames[0]!.length}`));
  });

  it('compaction into a snapshot, then a restart, loses nothing', async () => {
    const dir = await freshDir();
    const ids: number[] = [];
    await withServer(
      dir,
      async (client) => {
        const c = client.db('candor').collection<LooseDoc>('big');
        await c.createIndex({ n: 1 }, { unique: true });
        for (let batch = 0; batch < 20; batch++) {
          const docs = Array.from({ length: 50 }, (_, i) => ({ _id: batch * 50 + i, n: batch * 50 + i, pad: 'x'.repeat(300) }));
          await c.insertMany(docs);
          ids.push(...docs.map((d) => d._id));
          await c.updateMany({ _id: { $lt: 10 } }, { $inc: { touched: 1 } });
        }
        // Several compactions happened while writing (threshold 64 KiB).
        expect(await readdir(dir)).toContain('snapshot.bin');
        const [active] = await journalFiles(dir);
        expect(Number(/journal-(\d+)/.exec(active!)![1])).toBeGreaterThan(1);
      },
      { compactBytes: 64 * 1024 },
    );
    await withServer(dir, async (client) => {
      const c = client.db('candor').collection<LooseDoc>('big');
      expect((await c.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual(ids);
      expect(await c.countDocuments({ touched: 20 })).toBe(10);
      await expect(c.insertOne({ n: 5 })).rejects.toMatchObject({ code: 11000 });
    });
    expect((await stat(path.join(dir, 'snapshot.bin'))).size).toBeGreaterThan(0);
  });

  it('blocking journal I/O (the worker thread) keeps group commit: the records of one I/O turn share one write + sync', async () => {
    const dir = await freshDir();
    const journal = await Journal.open({ dir, durability: 'fsync', logger: silentLogger, io: 'sync' }, () => undefined);
    try {
      const put = (i: number) => ({ op: 'put', db: 'candor', c: 't', doc: { _id: i } });
      journal.append(put(1));
      const first = journal.durable();
      // Later in the same turn (after a microtask, as the next command of a batch of reads): the same flush.
      await Promise.resolve();
      journal.append(put(2));
      journal.append(put(3));
      await Promise.all([first, journal.durable()]);
      expect(journal.stats()).toMatchObject({ records: 3, flushes: 1 });
      journal.append(put(4));
      await journal.durable();
      expect(journal.stats()).toMatchObject({ records: 4, flushes: 2 });
    } finally {
      await journal.close();
    }
    const replayed: unknown[] = [];
    const reopened = await Journal.open({ dir, durability: 'fsync', logger: silentLogger }, (rec) => replayed.push(rec.doc));
    await reopened.close();
    expect(replayed).toEqual([{ _id: 1 }, { _id: 2 }, { _id: 3 }, { _id: 4 }]);
  });

  // The worker thread's journal writes and syncs with blocking calls (journalIo 'sync'): the same guarantees.
  for (const thread of ['main', 'worker'] as const) {
    it(`a write that cannot reach the disk (ENOSPC) is answered with an error, never acknowledged (${thread} thread)`, async () => {
      const dir = await freshDir();
      // The active journal is /dev/full: every append fails with ENOSPC.
      await symlink('/dev/full', path.join(dir, journalFileName(0)));
      const mongo = await EmbeddedMongo.start({ dir, durability: 'fsync', thread });
      const client = await MongoClient.connect(mongo.uri());
      try {
        const c = client.db('candor').collection<LooseDoc>('full');
        const err = await c.insertOne({ _id: 1 }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 1, codeName: 'InternalError' });
        expect((err as Error).message).toMatch(/journal write failed.*ENOSPC/);
        // The server stays up but refuses to serve state it could not persist.
        await expect(c.findOne({ _id: 1 })).rejects.toMatchObject({ code: 1 });
      } finally {
        await client.close();
        await expect(mongo.close()).rejects.toThrow(/journal write failed/);
      }
    });
  }

  for (const thread of ['main', 'worker'] as const) {
    it(`kill -9 of a writing process loses no acknowledged insert (${thread} thread)`, async () => {
      const dir = await freshDir();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'writer.ts'), dir, thread], { stdio: ['ignore', 'pipe', 'pipe'] });
      const acked: string[] = [];
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        let partial = '';
        child.stdout.on('data', (d: Buffer) => {
          partial += d.toString();
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          acked.push(...lines.filter(Boolean));
          if (acked.length >= 300) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.once('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
      });
      expect(await exited).toBe('SIGKILL');
      expect(acked.length).toBeGreaterThanOrEqual(300);
      await withServer(dir, async (client) => {
        const stored = new Set((await client.db('candor').collection<{ _id: string }>('acks').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
        const missing = acked.filter((id) => !stored.has(id));
        expect(missing).toEqual([]);
      });
    });
  }
});
