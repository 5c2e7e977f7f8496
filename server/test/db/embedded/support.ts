import { randomBytes } from 'node:crypto';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { EmbeddedMongo, type Durability } from '../../../src/db/embedded/index.js';
import { removeDir, tempDir, type LooseDoc } from './helpers.js';

/**
 * Where the behaviour tests (CRUD, indexes, mongoose) run: on a real MongoDB when
 * MONGODB_URI is set, so the embedded server's answers are checked against the real thing,
 * else on an embedded server in a fresh temp dir. Durability, CLI and wire tests use
 * helpers.ts directly: they are about the embedded server itself.
 */
export const realMongoUri: string | undefined = process.env['MONGODB_URI'] || undefined;

export interface TestDb {
  kind: 'mongodb' | 'embedded';
  /** The server's URI; connect mongoose with `createConnection(uri, { dbName })`. */
  uri: string;
  /** A database of this file only (dropped at stop on a real server). */
  dbName: string;
  client: MongoClient;
  db: Db;
  stop(): Promise<void>;
}

function uniqueDbName(): string {
  return `candor_emb_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function startTestDb(opts: { durability?: Durability } = {}): Promise<TestDb> {
  const dbName = uniqueDbName();
  if (realMongoUri) {
    const client = await MongoClient.connect(realMongoUri, { serverSelectionTimeoutMS: 5000 });
    const db = client.db(dbName);
    return {
      kind: 'mongodb',
      uri: realMongoUri,
      dbName,
      client,
      db,
      async stop() {
        try {
          await db.dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  }
  const dir = await tempDir();
  const mongo = await EmbeddedMongo.start({ dir, durability: opts.durability ?? 'none' });
  let client: MongoClient;
  try {
    client = await MongoClient.connect(mongo.uri(dbName), { serverSelectionTimeoutMS: 5000 });
  } catch (err) {
    await mongo.close();
    await removeDir(dir);
    throw err;
  }
  return {
    kind: 'embedded',
    uri: mongo.uri(dbName),
    dbName,
    client,
    db: client.db(dbName),
    async stop() {
      await client.close();
      await mongo.close();
      await removeDir(dir);
    },
  };
}

/** The database of one test file, as `fileTestDb` hands it out: readable once the file's tests run. */
export interface FileTestDb {
  readonly kind: TestDb['kind'];
  readonly uri: string;
  readonly dbName: string;
  readonly client: MongoClient;
  readonly db: Db;
  /** A collection name no other test of the file uses: `<prefix>1`, `<prefix>2`, … */
  name: () => string;
  /** A collection of that name. */
  coll: () => Collection<LooseDoc>;
}

/** One test database for the calling file: started before its tests, stopped after them. */
export function fileTestDb(prefix: string): FileTestDb {
  let t: TestDb | undefined;
  let seq = 0;
  beforeAll(async () => {
    t = await startTestDb();
  });
  afterAll(async () => {
    await t?.stop();
  });
  const started = (): TestDb => {
    if (!t) throw new Error('the test database is started in beforeAll; use it inside tests');
    return t;
  };
  return {
    get kind() {
      return started().kind;
    },
    get uri() {
      return started().uri;
    },
    get dbName() {
      return started().dbName;
    },
    get client() {
      return started().client;
    },
    get db() {
      return started().db;
    },
    name: () => `${prefix}${++seq}`,
    coll: () => started().db.collection<LooseDoc>(`${prefix}${++seq}`),
  };
}
