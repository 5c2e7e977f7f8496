import type { Collection } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { BSON } from 'bson';
import type { LooseDoc } from './helpers.js';
import { fileTestDb } from './support.js';

// MongoDB's rules (manual, "MongoDB Limits and Thresholds"): a BSON document is at most
// 16 MiB (16,777,216 bytes). The server refuses larger ones and stores nothing:
// insert -> 2 "object to insert too large" (BadValue) while the command still parses,
// 10334 BSONObjectTooLarge when the command itself is over the wire limit (16 MiB + 16 KiB),
// update -> 10334 "Resulting document after update is larger than 16777216",
// upsert -> 17420 "Document to upsert is larger than 16777216".

const LIMIT = 16 * 1024 * 1024;

const t = fileTestDb('lim');
const coll = t.coll;

/** A document {_id, s: 'xxx…'} whose BSON size is exactly `size` bytes. */
function docOfSize(_id: string, size: number): LooseDoc {
  const overhead = BSON.calculateObjectSize({ _id, s: '' });
  const doc = { _id, s: 'x'.repeat(size - overhead) };
  expect(BSON.calculateObjectSize(doc)).toBe(size);
  return doc;
}

describe('the 16 MiB document limit', () => {
  it('a document of exactly 16 MiB is stored and read back byte for byte', async () => {
    const c = coll();
    const doc = docOfSize('max', LIMIT);
    await c.insertOne(doc);
    const back = await c.findOne({ _id: 'max' });
    expect(back && Buffer.from(BSON.serialize(back)).equals(Buffer.from(BSON.serialize(doc)))).toBe(true);
  });

  it('a document one byte over 16 MiB is refused with "object to insert too large" and nothing is stored', async () => {
    const c = coll();
    const err = await c.insertOne(docOfSize('big', LIMIT + 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2, message: `object to insert too large. size in bytes: ${LIMIT + 1}, max size: ${LIMIT}` });
    expect(await c.countDocuments()).toBe(0);
    // The connection is still good for the next command.
    await c.insertOne({ _id: 'small' });
    expect(await c.countDocuments()).toBe(1);
  });

  it('a command carrying a document far over the limit is refused whole with 10334 BSONObjectTooLarge', async () => {
    const c = coll();
    const err = await c.insertOne(docOfSize('huge', LIMIT + 17 * 1024)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 10334, codeName: 'BSONObjectTooLarge' });
    expect((err as Error).message).toMatch(/^BSONObj size: \d+ \(0x[0-9A-F]+\) is invalid\. Size must be between 0 and 16793600\(16MB\)/);
    expect(await c.countDocuments()).toBe(0);
  });

  it('an update that would grow a document past 16 MiB is refused with 10334 and leaves it unchanged', async () => {
    const c = coll();
    await c.insertOne({ _id: 'g', a: 'a'.repeat(9 * 1024 * 1024), n: 1 });
    const grow = { $set: { b: 'b'.repeat(8 * 1024 * 1024) }, $inc: { n: 1 } };
    await expect(c.updateOne({ _id: 'g' }, grow)).rejects.toMatchObject({ code: 10334, message: `Resulting document after update is larger than ${LIMIT}` });
    // $push, a replacement and findAndModify are refused the same way.
    await expect(t.db.collection<{ _id: string; list?: string[] }>(c.collectionName).updateOne({ _id: 'g' }, { $push: { list: 'c'.repeat(8 * 1024 * 1024) } })).rejects.toMatchObject({ code: 10334 });
    const { _id: _ignored, ...replacement } = docOfSize('g', LIMIT + 100);
    await expect(c.replaceOne({ _id: 'g' }, replacement)).rejects.toMatchObject({ code: 10334 });
    await expect(c.findOneAndUpdate({ _id: 'g' }, grow)).rejects.toMatchObject({ code: 10334, codeName: 'BSONObjectTooLarge' });
    const back = await c.findOne({ _id: 'g' });
    expect(back).toMatchObject({ n: 1 });
    expect(Object.keys(back ?? {})).toEqual(['_id', 'a', 'n']);
  });

  it('an upsert whose new document would be over 16 MiB is refused with 17420 and inserts nothing', async () => {
    const c = coll();
    const err = await c.updateOne({ _id: 'u' }, { $set: { s: 's'.repeat(LIMIT) } }, { upsert: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 17420, message: `Document to upsert is larger than ${LIMIT}` });
    expect(await c.countDocuments()).toBe(0);
  });

  it('in an unordered batch only the oversized document is refused, with its index', async () => {
    const c = coll();
    const err = await c.insertMany([{ _id: 1 }, docOfSize('over', LIMIT + 10), { _id: 3 }], { ordered: false }).catch((e: unknown) => e);
    const writeErrors = (err as { writeErrors?: Array<{ index: number; code: number }> }).writeErrors ?? [];
    // The driver itself refuses documents over maxBsonObjectSize in a bulk insert before sending.
    if (writeErrors.length > 0) {
      expect(writeErrors.map((w) => [w.index, w.code])).toEqual([[1, 2]]);
      expect(await c.countDocuments()).toBe(2);
    } else {
      expect((err as Error).message).toMatch(/larger than the maximum size/);
    }
  });
});
