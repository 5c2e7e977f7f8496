import type { Collection, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { LooseDoc } from './helpers.js';
import { fileTestDb } from './support.js';

// MongoDB manual: "explain", "cursor.hint()", "Hidden Indexes", "collMod".

const t = fileTestDb('pl');
const coll = t.coll;

/** The access stage of a winning plan: IXSCAN / COLLSCAN / IDHACK / EXPRESS_* under FETCH, SORT... */
function accessStage(plan: Document): Document {
  let stage = plan;
  while (stage.inputStage) stage = stage.inputStage as Document;
  return stage;
}

function winningPlan(explained: Document): Document {
  const qp = (explained.queryPlanner ?? ((explained.stages as Document[] | undefined)?.[0]?.$cursor as Document | undefined)?.queryPlanner) as Document;
  return qp.winningPlan as Document;
}

async function seed(c: Collection<LooseDoc>): Promise<void> {
  await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, status: i % 2 ? 'open' : 'closed', score: i, email: `u${i}@x.io` })));
}

describe('explain', () => {
  it('a find on an indexed field names the index in an IXSCAN, an unindexed one is a COLLSCAN', async () => {
    const c = coll();
    await seed(c);
    await c.createIndex({ status: 1, score: -1 }, { name: 'status_score' });
    const ix = await c.find({ status: 'open', score: { $gt: 5 } }).explain('queryPlanner');
    expect(ix.queryPlanner).toMatchObject({ namespace: `${t.dbName}.${c.collectionName}`, rejectedPlans: [] });
    expect(accessStage(winningPlan(ix))).toMatchObject({ stage: 'IXSCAN', indexName: 'status_score', keyPattern: { status: 1, score: -1 } });
    const scan = await c.find({ email: 'u3@x.io' }).explain('queryPlanner');
    expect(accessStage(winningPlan(scan))).toMatchObject({ stage: 'COLLSCAN', direction: 'forward' });
  });

  it('executionStats counts the documents returned and examined', async () => {
    const c = coll();
    await seed(c);
    const ex = await c.find({ status: 'open' }).explain('executionStats');
    expect(ex.executionStats).toMatchObject({ executionSuccess: true, nReturned: 10, totalDocsExamined: 20 });
    const byId = await c.find({ _id: 4 }).explain('executionStats');
    expect(byId.executionStats).toMatchObject({ nReturned: 1, totalDocsExamined: 1 });
  });

  it('explains aggregate, count, distinct, update and delete without writing', async () => {
    const c = coll();
    await seed(c);
    await c.createIndex({ score: 1 });
    const agg = await c.aggregate([{ $match: { score: { $gte: 10 } } }, { $group: { _id: '$status', n: { $sum: 1 } } }]).explain('queryPlanner');
    expect(accessStage(winningPlan(agg))).toMatchObject({ stage: 'IXSCAN', indexName: 'score_1' });
    const count = await t.db.command({ explain: { count: c.collectionName, query: { score: 3 } }, verbosity: 'queryPlanner' });
    expect(winningPlan(count)).toMatchObject({ stage: 'COUNT', inputStage: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: 'score_1' } } });
    const distinct = await t.db.command({ explain: { distinct: c.collectionName, key: 'status', query: {} }, verbosity: 'queryPlanner' });
    expect(accessStage(winningPlan(distinct))).toMatchObject({ stage: 'COLLSCAN' });
    const upd = await t.db.command({ explain: { update: c.collectionName, updates: [{ q: { score: 1 }, u: { $set: { x: 1 } } }] }, verbosity: 'executionStats' });
    expect(winningPlan(upd)).toMatchObject({ stage: 'UPDATE' });
    const del = await t.db.command({ explain: { delete: c.collectionName, deletes: [{ q: { status: 'open' }, limit: 0 }] }, verbosity: 'executionStats' });
    expect(winningPlan(del)).toMatchObject({ stage: 'DELETE' });
    expect(await c.countDocuments({ x: 1 })).toBe(0);
    expect(await c.countDocuments()).toBe(20);
  });
});

describe('hint', () => {
  it('a hint by name or key pattern forces that index; $natural forces a collection scan', async () => {
    const c = coll();
    await seed(c);
    await c.createIndex({ status: 1 });
    await c.createIndex({ score: 1 });
    const byName = await c.find({ status: 'open', score: 3 }).hint('status_1').explain('queryPlanner');
    expect(accessStage(winningPlan(byName))).toMatchObject({ stage: 'IXSCAN', indexName: 'status_1' });
    const byKey = await c.find({ status: 'open', score: 3 }).hint({ score: 1 }).explain('queryPlanner');
    expect(accessStage(winningPlan(byKey))).toMatchObject({ stage: 'IXSCAN', indexName: 'score_1' });
    const natural = await c.find({ score: 3 }).hint({ $natural: 1 }).explain('queryPlanner');
    expect(accessStage(winningPlan(natural))).toMatchObject({ stage: 'COLLSCAN' });
    expect(await c.find({ score: 3 }).hint('score_1').toArray()).toEqual([{ _id: 3, status: 'open', score: 3, email: 'u3@x.io' }]);
    // $natural: -1 reads in reverse natural order.
    expect((await c.find({ score: { $lt: 3 } }).hint({ $natural: -1 }).toArray()).map((d) => d._id)).toEqual([2, 1, 0]);
  });

  it('a hint naming no index is refused with 2 BadValue on find, count, aggregate, update and delete', async () => {
    const c = coll();
    await seed(c);
    const expected = { code: 2, message: expect.stringContaining('hint provided does not correspond to an existing index') as unknown };
    await expect(c.find({}).hint('nope_1').toArray()).rejects.toMatchObject(expected);
    await expect(c.countDocuments({}, { hint: { nope: 1 } })).rejects.toMatchObject(expected);
    await expect(c.aggregate([{ $match: {} }], { hint: 'nope_1' }).toArray()).rejects.toMatchObject(expected);
    await expect(c.updateOne({ score: 1 }, { $set: { x: 1 } }, { hint: 'nope_1' })).rejects.toMatchObject(expected);
    await expect(c.deleteOne({ score: 1 }, { hint: 'nope_1' })).rejects.toMatchObject(expected);
    expect(await c.countDocuments()).toBe(20);
  });

  it('hinting a sparse index returns only the documents it holds (manual: sparse indexes and hint)', async () => {
    const c = coll();
    await c.insertMany([{ _id: 1, x: 1 }, { _id: 2 }, { _id: 3, x: 3 }]);
    await c.createIndex({ x: 1 }, { sparse: true });
    expect(await c.countDocuments({})).toBe(3);
    expect((await c.find({}).hint({ x: 1 }).toArray()).map((d) => d._id)).toEqual([1, 3]);
  });
});

describe('hidden indexes', () => {
  it('a hidden index is not used by the planner nor accepted as a hint, and still enforces uniqueness', async () => {
    const c = coll();
    await seed(c);
    await c.createIndex({ email: 1 }, { unique: true, hidden: true });
    const [, hidden] = await c.listIndexes().toArray();
    expect(hidden).toMatchObject({ name: 'email_1', unique: true, hidden: true });
    const plan = await c.find({ email: 'u1@x.io' }).explain('queryPlanner');
    expect(accessStage(winningPlan(plan))).toMatchObject({ stage: 'COLLSCAN' });
    await expect(c.find({ email: 'u1@x.io' }).hint('email_1').toArray()).rejects.toMatchObject({ code: 2 });
    await expect(c.insertOne({ _id: 99, email: 'u1@x.io' })).rejects.toMatchObject({ code: 11000 });
    expect(await c.findOne({ email: 'u1@x.io' })).toMatchObject({ _id: 1 });
  });

  it('collMod hides and unhides an index and reports hidden_old / hidden_new', async () => {
    const c = coll();
    await seed(c);
    await c.createIndex({ score: 1 });
    expect(await t.db.command({ collMod: c.collectionName, index: { keyPattern: { score: 1 }, hidden: true } })).toMatchObject({ hidden_old: false, hidden_new: true, ok: 1 });
    expect(accessStage(winningPlan(await c.find({ score: 4 }).explain('queryPlanner')))).toMatchObject({ stage: 'COLLSCAN' });
    expect(await t.db.command({ collMod: c.collectionName, index: { name: 'score_1', hidden: false } })).toMatchObject({ hidden_old: true, hidden_new: false });
    expect(accessStage(winningPlan(await c.find({ score: 4 }).explain('queryPlanner')))).toMatchObject({ stage: 'IXSCAN', indexName: 'score_1' });
    expect((await c.listIndexes().toArray())[1]).not.toHaveProperty('hidden');
  });
});

describe('collMod', () => {
  it('changes expireAfterSeconds of a TTL index and refuses unknown indexes, options and collections', async () => {
    const c = coll();
    await c.insertOne({ at: new Date() });
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    expect(await t.db.command({ collMod: c.collectionName, index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } })).toMatchObject({ expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60, ok: 1 });
    expect((await c.listIndexes().toArray())[1]).toMatchObject({ name: 'at_1', expireAfterSeconds: 60 });
    await expect(t.db.command({ collMod: c.collectionName, index: { name: 'missing_1', hidden: true } })).rejects.toMatchObject({ code: 27 });
    await expect(t.db.command({ collMod: c.collectionName, bogus: 1 })).rejects.toMatchObject({ code: 72 });
    await expect(t.db.command({ collMod: `${c.collectionName}_none`, validator: {} })).rejects.toMatchObject({ code: 26 });
  });
});
