import { MongoClient, type CommandFailedEvent, type CommandStartedEvent, type CommandSucceededEvent, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { startTestDb, type TestDb } from './support.js';

// Command monitoring (driver option monitorCommands: true): each command is one
// commandStarted and one commandSucceeded or commandFailed event carrying the server's reply.
// The reply shapes are MongoDB's (manual, "Database Commands": insert, update, delete, find,
// getMore, findAndModify, count, distinct, aggregate, killCursors, explain).

let t: TestDb;
let client: MongoClient;
let started: CommandStartedEvent[] = [];
let succeeded: CommandSucceededEvent[] = [];
let failed: CommandFailedEvent[] = [];
let seq = 0;

beforeAll(async () => {
  t = await startTestDb();
  client = await MongoClient.connect(t.uri, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
  client.on('commandStarted', (e) => started.push(e));
  client.on('commandSucceeded', (e) => succeeded.push(e));
  client.on('commandFailed', (e) => failed.push(e));
});
afterAll(async () => {
  await client.close();
  await t.stop();
});
beforeEach(() => {
  started = [];
  succeeded = [];
  failed = [];
});

function coll(name = `mon${++seq}`) {
  return client.db(t.dbName).collection<LooseDoc>(name);
}

function replyOf(commandName: string): Document {
  const e = succeeded.filter((s) => s.commandName === commandName).at(-1);
  if (!e) throw new Error(`no commandSucceeded for ${commandName}`);
  return e.reply as Document;
}

describe('command monitoring events', () => {
  it('every started command ends in exactly one succeeded or failed event with the same requestId', async () => {
    const c = coll();
    await c.insertOne({ _id: 1 });
    await c.findOne({ _id: 1 });
    await c.find({}).hint('missing_1').toArray().catch(() => undefined);
    const ids = (events: Array<{ requestId: number }>): number[] => events.map((e) => e.requestId).sort();
    expect(ids([...succeeded, ...failed])).toEqual(ids(started));
    for (const e of started) expect(e.command).toMatchObject({ $db: t.dbName });
    for (const e of succeeded) expect(typeof e.duration).toBe('number');
  });

  it('write replies: insert {n}, update {n, nModified, upserted}, delete {n}', async () => {
    const c = coll();
    await c.insertMany([{ _id: 1, v: 1 }, { _id: 2, v: 1 }]);
    expect(replyOf('insert')).toMatchObject({ n: 2, ok: 1 });
    await c.updateMany({ v: 1 }, { $set: { v: 2 } });
    expect(replyOf('update')).toMatchObject({ n: 2, nModified: 2, ok: 1 });
    await c.updateOne({ _id: 3 }, { $set: { v: 3 } }, { upsert: true });
    expect(replyOf('update')).toMatchObject({ n: 1, nModified: 0, upserted: [{ index: 0, _id: 3 }], ok: 1 });
    await c.deleteMany({ v: 2 });
    expect(replyOf('delete')).toMatchObject({ n: 2, ok: 1 });
  });

  it('a write error is a commandSucceeded whose reply lists writeErrors with index, code, errmsg', async () => {
    const c = coll();
    await c.insertOne({ _id: 'dup' });
    await c.insertMany([{ _id: 'a' }, { _id: 'dup' }], { ordered: true }).catch(() => undefined);
    expect(failed).toEqual([]);
    const reply = replyOf('insert');
    expect(reply).toMatchObject({ n: 1, ok: 1 });
    expect(reply.writeErrors).toEqual([
      {
        index: 1,
        code: 11000,
        errmsg: `E11000 duplicate key error collection: ${t.dbName}.${c.collectionName} index: _id_ dup key: { _id: "dup" }`,
        keyPattern: { _id: 1 },
        keyValue: { _id: 'dup' },
      },
    ]);
  });

  it('a validation failure\'s writeError carries errInfo', async () => {
    const name = `mon${++seq}`;
    await client.db(t.dbName).createCollection(name, { validator: { n: { $type: 'number' } } });
    await coll(name).insertOne({ _id: 1, n: 'x' }).catch(() => undefined);
    expect(replyOf('insert').writeErrors).toEqual([
      { index: 0, code: 121, errmsg: 'Document failed validation', errInfo: { failingDocumentId: 1, details: { operatorName: '$type', specifiedAs: { n: { $type: 'number' } }, reason: 'type did not match', consideredValue: 'x', consideredType: 'string' } } },
    ]);
  });

  it('cursor replies: find firstBatch, getMore nextBatch, both with id and ns; killCursors lists what it killed', async () => {
    const c = coll();
    await c.insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: i })));
    const cursor = c.find({}, { batchSize: 2 });
    await cursor.next();
    const find = replyOf('find');
    expect(find.cursor).toMatchObject({ ns: `${t.dbName}.${c.collectionName}`, firstBatch: [{ _id: 0 }, { _id: 1 }] });
    const id = find.cursor.id as unknown;
    expect(Number(id)).not.toBe(0);
    await cursor.next();
    await cursor.next();
    expect(replyOf('getMore').cursor).toMatchObject({ ns: `${t.dbName}.${c.collectionName}`, nextBatch: [{ _id: 2 }, { _id: 3 }] });
    await cursor.close();
    const killed = replyOf('killCursors');
    expect(killed).toMatchObject({ cursorsNotFound: [], cursorsAlive: [], cursorsUnknown: [], ok: 1 });
    expect((killed.cursorsKilled as unknown[]).map(Number)).toEqual([Number(id)]);
  });

  it('findAndModify, count, distinct and aggregate replies', async () => {
    const c = coll();
    await c.insertMany([{ _id: 1, k: 'a' }, { _id: 2, k: 'b' }]);
    await c.findOneAndUpdate({ _id: 1 }, { $set: { k: 'c' } }, { returnDocument: 'after' });
    expect(replyOf('findAndModify')).toMatchObject({ lastErrorObject: { n: 1, updatedExisting: true }, value: { _id: 1, k: 'c' }, ok: 1 });
    await c.findOneAndUpdate({ _id: 9 }, { $set: { k: 'z' } }, { upsert: true });
    expect(replyOf('findAndModify')).toMatchObject({ lastErrorObject: { n: 1, updatedExisting: false, upserted: 9 }, value: null, ok: 1 });
    await c.estimatedDocumentCount();
    expect(replyOf('count')).toMatchObject({ n: 3, ok: 1 });
    await c.distinct('k');
    expect(replyOf('distinct')).toMatchObject({ values: ['c', 'b', 'z'], ok: 1 });
    await c.aggregate([{ $sort: { _id: -1 } }, { $limit: 1 }]).toArray();
    expect(replyOf('aggregate').cursor).toMatchObject({ firstBatch: [{ _id: 9, k: 'z' }], ns: `${t.dbName}.${c.collectionName}` });
  });

  it('an error reply is a commandFailed with the server\'s code and codeName', async () => {
    const c = coll();
    await c.insertOne({ _id: 1 });
    await c.find({}).hint('missing_1').toArray().catch(() => undefined);
    await client.db(t.dbName).command({ collMod: 'does_not_exist_here', validator: {} }).catch(() => undefined);
    expect(failed.map((f) => f.commandName)).toEqual(['find', 'collMod']);
    expect(failed[0]?.failure).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(failed[1]?.failure).toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
  });

  it('explain and collMod replies are monitored like any command', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: 1 });
    await c.createIndex({ a: 1 });
    await c.find({ a: 1 }).explain('queryPlanner');
    expect(replyOf('explain')).toMatchObject({ queryPlanner: { namespace: `${t.dbName}.${c.collectionName}` }, ok: 1 });
    await client.db(t.dbName).command({ collMod: c.collectionName, index: { name: 'a_1', hidden: true } });
    expect(replyOf('collMod')).toMatchObject({ hidden_old: false, hidden_new: true, ok: 1 });
  });
});
