import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Document, type ObjectId } from 'mongodb';
import { EmbeddedMongo, type EmbeddedMongoOptions } from '../../../src/db/embedded/index.js';

export async function tempDir(prefix = 'candor-embedded-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A started server in a fresh temp dir plus a connected driver client. */
export interface Harness {
  dir: string;
  mongo: EmbeddedMongo;
  client: MongoClient;
  stop(): Promise<void>;
}

export async function startHarness(opts: Partial<EmbeddedMongoOptions> = {}): Promise<Harness> {
  const dir = opts.dir ?? (await tempDir());
  const mongo = await EmbeddedMongo.start({ durability: 'none', ...opts, dir });
  const client = await MongoClient.connect(mongo.uri(), { serverSelectionTimeoutMS: 5000 });
  return {
    dir,
    mongo,
    client,
    async stop() {
      await client.close();
      await mongo.close();
      if (!opts.dir) await removeDir(dir);
    },
  };
}

/** Schemaless documents for driver tests: string, number or ObjectId _id, any fields. */
export interface LooseDoc extends Document {
  _id?: string | number | ObjectId;
}

/** Interview-shaped documents for $push tests (the driver types $push only for declared array fields). */
export interface SessionDoc {
  _id?: string | number | ObjectId;
  key?: string;
  k?: string;
  messages?: Array<{ id: string; text?: string; at?: Date; seen?: boolean }>;
}
