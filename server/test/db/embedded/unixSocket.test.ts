import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { EmbeddedMongo } from '../../../src/db/embedded/index.js';

describe('the embedded server on a Unix domain socket', () => {
  for (const thread of ['main', 'worker'] as const) {
    it(`serves the same store on its socket and its TCP port (${thread} thread), and removes the socket file on close`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'candor-unix-'));
      const socketPath = path.join(os.tmpdir(), `candor-test-${process.pid}-${thread}.sock`);
      const mongo = await EmbeddedMongo.start({ dir, durability: 'none', socketPath, thread });
      try {
        expect(mongo.localUri('t')).toBe(`mongodb://${encodeURIComponent(socketPath)}/t`);
        const local = await MongoClient.connect(mongo.localUri('t'));
        const tcp = await MongoClient.connect(mongo.uri('t'));
        await local.db().collection('c').insertOne({ _id: 1 as never, via: 'socket' });
        expect(await tcp.db().collection('c').findOne({ _id: 1 as never })).toEqual({ _id: 1, via: 'socket' });
        await local.close();
        await tcp.close();
      } finally {
        await mongo.close();
        rmSync(dir, { recursive: true, force: true });
      }
      expect(existsSync(socketPath)).toBe(false);
    });
  }
});
