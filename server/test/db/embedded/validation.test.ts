import { MongoClient, MongoServerError, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMongo } from '../../../src/db/embedded/index.js';
import { removeDir, tempDir, type LooseDoc } from './helpers.js';
import { startTestDb, type TestDb } from './support.js';

// Written from the MongoDB manual, "Schema Validation": validators given at create and changed
// with collMod, $jsonSchema and query-operator validators, validationLevel strict/moderate,
// validationAction error/warn, bypassDocumentValidation, error 121 with errInfo.

let t: TestDb;
let seq = 0;
beforeAll(async () => {
  t = await startTestDb();
});
afterAll(async () => {
  await t.stop();
});

function name(): string {
  return `val${++seq}`;
}

async function rejection(p: Promise<unknown>): Promise<MongoServerError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MongoServerError);
  return err as MongoServerError;
}

/** The manual's "students" example. */
const studentsSchema: Document = {
  $jsonSchema: {
    bsonType: 'object',
    title: 'Student Object Validation',
    required: ['address', 'major', 'name', 'year'],
    properties: {
      name: { bsonType: 'string', description: "'name' must be a string and is required" },
      year: { bsonType: 'int', minimum: 2017, maximum: 3017, description: "'year' must be an integer in [ 2017, 3017 ] and is required" },
      gpa: { bsonType: ['double'], description: "'gpa' must be a double if the field exists" },
    },
  },
};

describe('$jsonSchema validators', () => {
  it('refuses a document that breaks the schema with 121 and the rules it broke, and stores nothing', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: studentsSchema });
    const c = t.db.collection<LooseDoc>(n);
    const err = await rejection(c.insertOne({ _id: 'alice', name: 'Alice', year: 2016, major: 'History', address: { city: 'NYC' } }));
    expect(err).toMatchObject({ code: 121, message: 'Document failed validation' });
    expect(err.errInfo).toEqual({
      failingDocumentId: 'alice',
      details: {
        operatorName: '$jsonSchema',
        title: 'Student Object Validation',
        schemaRulesNotSatisfied: [
          {
            operatorName: 'properties',
            propertiesNotSatisfied: [
              {
                propertyName: 'year',
                description: "'year' must be an integer in [ 2017, 3017 ] and is required",
                details: [{ operatorName: 'minimum', specifiedAs: { minimum: 2017 }, reason: 'comparison failed', consideredValue: 2016 }],
              },
            ],
          },
        ],
      },
    });
    expect(await c.countDocuments()).toBe(0);
    await c.insertOne({ _id: 'bob', name: 'Bob', year: 2019, major: 'Math', address: { city: 'Boston' }, gpa: 3.5 });
    expect(await c.countDocuments()).toBe(1);
  });

  it('reports missing required fields and wrong types', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: studentsSchema });
    const err = await rejection(t.db.collection<LooseDoc>(n).insertOne({ _id: 1, name: 42, year: 2020 }));
    const rules = (err.errInfo?.details as Document).schemaRulesNotSatisfied as Document[];
    expect(rules).toContainEqual({ operatorName: 'required', specifiedAs: { required: ['address', 'major', 'name', 'year'] }, missingProperties: ['address', 'major'] });
    expect(rules).toContainEqual({
      operatorName: 'properties',
      propertiesNotSatisfied: [
        {
          propertyName: 'name',
          description: "'name' must be a string and is required",
          details: [{ operatorName: 'bsonType', specifiedAs: { bsonType: 'string' }, reason: 'type did not match', consideredValue: 42, consideredType: 'int' }],
        },
      ],
    });
  });

  it('enforces enum, string length, pattern, array items and additionalProperties', async () => {
    const n = name();
    await t.db.createCollection(n, {
      validator: {
        $jsonSchema: {
          bsonType: 'object',
          additionalProperties: false,
          properties: {
            _id: {},
            status: { enum: ['draft', 'live'] },
            slug: { bsonType: 'string', minLength: 3, maxLength: 20, pattern: '^[a-z0-9-]+$' },
            tags: { bsonType: 'array', maxItems: 3, uniqueItems: true, items: { bsonType: 'string' } },
          },
        },
      },
    });
    const c = t.db.collection<LooseDoc>(n);
    await c.insertOne({ _id: 1, status: 'live', slug: 'backend-dev', tags: ['node', 'ts'] });
    for (const bad of [{ status: 'deleted' }, { slug: 'No Spaces' }, { slug: 'ab' }, { tags: ['a', 'a'] }, { tags: ['a', 1] }, { tags: ['a', 'b', 'c', 'd'] }, { extra: true }]) {
      const err = await rejection(c.insertOne({ _id: 2, ...bad }));
      expect(err.code).toBe(121);
    }
    const extra = await rejection(c.insertOne({ _id: 3, extra: true }));
    expect((extra.errInfo?.details as Document).schemaRulesNotSatisfied).toEqual([{ operatorName: 'additionalProperties', specifiedAs: { additionalProperties: false }, additionalProperties: ['extra'] }]);
    expect(await c.countDocuments()).toBe(1);
  });

  it('a $jsonSchema query finds the documents that match a schema', async () => {
    const c = t.db.collection<LooseDoc>(name());
    await c.insertMany([{ _id: 1, age: 30 }, { _id: 2, age: 'thirty' }, { _id: 3 }]);
    const rows = await c.find({ $jsonSchema: { required: ['age'], properties: { age: { bsonType: 'int' } } } }).toArray();
    expect(rows.map((r) => r._id)).toEqual([1]);
  });

  it('a validator with an unsupported keyword is refused at create and creates nothing', async () => {
    const n = name();
    const err = await rejection(t.db.createCollection(n, { validator: { $jsonSchema: { bsonType: 'object', format: 'email' } } }));
    expect(err.code).toBe(9);
    const names = (await t.db.listCollections({ name: n }).toArray()).map((x) => x.name);
    expect(names).toEqual([]);
  });
});

describe('query-operator validators', () => {
  it('the manual\'s contacts example: $or of $type, $regex and $in', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { $or: [{ phone: { $type: 'string' } }, { email: { $regex: /@mongodb\.com$/ } }, { status: { $in: ['Unknown', 'Incomplete'] } }] } });
    const c = t.db.collection<LooseDoc>(n);
    await c.insertOne({ _id: 1, name: 'Amanda', status: 'Updated', phone: '555-1234' });
    await c.insertOne({ _id: 2, name: 'Bo', status: 'Incomplete' });
    const err = await rejection(c.insertOne({ _id: 3, name: 'Cy', status: 'Updated', email: 'cy@example.com' }));
    expect(err.errInfo).toEqual({
      failingDocumentId: 3,
      details: {
        operatorName: '$or',
        clausesNotSatisfied: [
          { index: 0, details: { operatorName: '$type', specifiedAs: { phone: { $type: 'string' } }, reason: 'field was missing' } },
          { index: 1, details: { operatorName: '$regex', specifiedAs: { email: { $regex: /@mongodb\.com$/ } }, reason: 'regular expression did not match', consideredValue: 'cy@example.com' } },
          { index: 2, details: { operatorName: '$in', specifiedAs: { status: { $in: ['Unknown', 'Incomplete'] } }, reason: 'no matching value found in array', consideredValue: 'Updated' } },
        ],
      },
    });
  });

  it('is enforced on updates, upserts and findAndModify; the document keeps its old version', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { qty: { $gte: 0 } } });
    const c = t.db.collection<LooseDoc>(n);
    await c.insertOne({ _id: 'x', qty: 5 });
    const upd = await rejection(c.updateOne({ _id: 'x' }, { $inc: { qty: -10 } }));
    expect(upd).toMatchObject({ code: 121, errInfo: { failingDocumentId: 'x', details: { operatorName: '$gte', specifiedAs: { qty: { $gte: 0 } }, reason: 'comparison failed', consideredValue: -5 } } });
    await expect(c.findOneAndUpdate({ _id: 'x' }, { $set: { qty: -1 } })).rejects.toMatchObject({ code: 121, codeName: 'DocumentValidationFailure' });
    await expect(c.replaceOne({ _id: 'x' }, { qty: -2 })).rejects.toMatchObject({ code: 121 });
    await expect(c.updateOne({ _id: 'new' }, { $set: { qty: -3 } }, { upsert: true })).rejects.toMatchObject({ code: 121 });
    await expect(c.findOneAndUpdate({ _id: 'new2' }, { $set: { qty: -3 } }, { upsert: true })).rejects.toMatchObject({ code: 121 });
    expect(await c.find().toArray()).toEqual([{ _id: 'x', qty: 5 }]);
  });

  it('in a batch each refused document is a writeError with index, code 121 and errInfo', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { a: { $type: 'number' } } });
    const c = t.db.collection<LooseDoc>(n);
    const err = await c.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 'no' }, { _id: 3, a: 3 }], { ordered: false }).catch((e: unknown) => e);
    const writeErrors = (err as { writeErrors: Array<{ index: number; code: number; errInfo?: Document }> }).writeErrors;
    expect(writeErrors).toHaveLength(1);
    expect(writeErrors[0]).toMatchObject({ index: 1, code: 121, errInfo: { failingDocumentId: 2, details: { operatorName: '$type', consideredValue: 'no', consideredType: 'string' } } });
    expect(await c.countDocuments()).toBe(2);
  });

  it('a multi-field validator reports each failing clause under $and', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { price: { $gt: 0 }, $expr: { $lte: ['$discount', '$price'] } } });
    const err = await rejection(t.db.collection<LooseDoc>(n).insertOne({ _id: 1, price: 10, discount: 20 }));
    expect(err.errInfo?.details).toEqual({
      operatorName: '$and',
      clausesNotSatisfied: [{ index: 1, details: { operatorName: '$expr', specifiedAs: { $expr: { $lte: ['$discount', '$price'] } }, reason: 'expression did not match', expressionResult: false } }],
    });
  });
});

describe('validation level, action and bypass', () => {
  it('bypassDocumentValidation lets a write through', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { a: { $exists: true } } });
    const c = t.db.collection<LooseDoc>(n);
    await c.insertOne({ _id: 1 }, { bypassDocumentValidation: true });
    await c.updateOne({ _id: 1 }, { $set: { b: 1 } }, { bypassDocumentValidation: true });
    await c.findOneAndUpdate({ _id: 1 }, { $set: { c: 1 } }, { bypassDocumentValidation: true });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, b: 1, c: 1 });
  });

  it('validationAction warn accepts the write (MongoDB logs it)', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { a: { $exists: true } }, validationAction: 'warn' });
    const c = t.db.collection<LooseDoc>(n);
    await c.insertOne({ _id: 1 });
    expect(await c.countDocuments()).toBe(1);
  });

  it('validationLevel moderate: documents that were already invalid may still be updated; valid ones must stay valid', async () => {
    const n = name();
    const c = t.db.collection<LooseDoc>(n);
    await c.insertMany([{ _id: 'valid', year: 2020 }, { _id: 'legacy', year: 'old' }]);
    await t.db.command({ collMod: n, validator: { year: { $type: 'number' } }, validationLevel: 'moderate' });
    await c.updateOne({ _id: 'legacy' }, { $set: { note: 'still old' } });
    await expect(c.updateOne({ _id: 'valid' }, { $set: { year: 'twenty' } })).rejects.toMatchObject({ code: 121 });
    // strict checks every update.
    await t.db.command({ collMod: n, validationLevel: 'strict' });
    await expect(c.updateOne({ _id: 'legacy' }, { $set: { note: 'again' } })).rejects.toMatchObject({ code: 121 });
    // off checks nothing.
    await t.db.command({ collMod: n, validationLevel: 'off' });
    await c.insertOne({ _id: 'any', year: 'whatever' });
    expect(await c.countDocuments()).toBe(3);
  });

  it('collMod replaces the validator and listCollections shows it', async () => {
    const n = name();
    await t.db.createCollection(n, { validator: { a: { $type: 'string' } } });
    const c = t.db.collection<LooseDoc>(n);
    await expect(c.insertOne({ a: 1 })).rejects.toMatchObject({ code: 121 });
    expect(await t.db.command({ collMod: n, validator: { a: { $type: 'number' } }, validationAction: 'error' })).toMatchObject({ ok: 1 });
    await c.insertOne({ a: 1 });
    await expect(c.insertOne({ a: 'x' })).rejects.toMatchObject({ code: 121 });
    const [info] = await t.db.listCollections({ name: n }).toArray();
    expect((info as Document).options).toMatchObject({ validator: { a: { $type: 'number' } }, validationLevel: 'strict', validationAction: 'error' });
    // An invalid validator is refused and the old one stays.
    await expect(t.db.command({ collMod: n, validator: { $jsonSchema: { bsonType: 'nope' } } })).rejects.toMatchObject({ code: 2 });
    await expect(c.insertOne({ a: 'y' })).rejects.toMatchObject({ code: 121 });
  });
});

describe('validators survive a restart', () => {
  it('a validator set by create and changed by collMod is enforced after a restart and after compaction', async () => {
    const dir = await tempDir();
    try {
      const run = async (fn: (db: ReturnType<MongoClient['db']>) => Promise<void>, compactBytes?: number): Promise<void> => {
        const mongo = await EmbeddedMongo.start({ dir, durability: 'none', ...(compactBytes ? { compactBytes } : {}) });
        const client = await MongoClient.connect(mongo.uri());
        try {
          await fn(client.db('v'));
        } finally {
          await client.close();
          await mongo.close();
        }
      };
      await run(async (db) => {
        await db.createCollection('people', { validator: { $jsonSchema: { required: ['name'] } } });
      });
      await run(async (db) => {
        await expect(db.collection('people').insertOne({ nick: 'x' })).rejects.toMatchObject({ code: 121 });
        await db.command({ collMod: 'people', validator: { $jsonSchema: { required: ['email'] } }, validationLevel: 'moderate' });
      });
      await run(async (db) => {
        await db.collection('people').insertOne({ email: 'a@b.c' });
        await expect(db.collection('people').insertOne({ name: 'only a name' })).rejects.toMatchObject({ code: 121 });
        const [info] = await db.listCollections({ name: 'people' }).toArray();
        expect((info as Document).options).toMatchObject({ validationLevel: 'moderate' });
      }, 1);
      await run(async (db) => {
        await expect(db.collection('people').insertOne({ name: 'only a name' })).rejects.toMatchObject({ code: 121 });
        expect(await db.collection('people').countDocuments()).toBe(1);
      });
    } finally {
      await removeDir(dir);
    }
  });
});


