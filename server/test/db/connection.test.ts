import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { closeMongoose, connectMongoose, pingDatabase } from '../../src/db/connection.js';
import { toDbError } from '../../src/db/errors.js';
import { createRepository } from '../../src/db/repository.js';
import { startTestStore, type TestStore } from '../support/store.js';

let store: TestStore;

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

describe('connection', () => {
  it('pingDatabase resolves on a live connection', async () => {
    await expect(pingDatabase(store.conn)).resolves.toBeUndefined();
  });

  it('connections are dedicated: models live on the connection, not on the global mongoose', async () => {
    const mongoose = (await import('mongoose')).default;
    expect(store.conn).not.toBe(mongoose.connection);
    expect(mongoose.modelNames()).not.toContain('Interview');
    expect(store.conn.modelNames()).toEqual(expect.arrayContaining(['Interview', 'WebhookEvent']));
  });

  it('an unreachable database fails to connect with DEPENDENCY_DOWN', async () => {
    const err = await connectMongoose('mongodb://127.0.0.1:9/candor', { serverSelectionTimeoutMS: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'DEPENDENCY_DOWN' });
  });

  it('after the connection closed, repository calls fail with DEPENDENCY_DOWN and the ping rejects', async () => {
    const conn = await connectMongoose(store.uri, { serverSelectionTimeoutMS: 500 });
    const repo = await createRepository(conn);
    await closeMongoose(conn);
    await expect(pingDatabase(conn)).rejects.toMatchObject({ code: 'DEPENDENCY_DOWN' });
    await expect(repo.findByClientSessionId('9b2f7a1e-4c1d-4a8e-9f3a-1c2d3e4f5a6b')).rejects.toMatchObject({ code: 'DEPENDENCY_DOWN' });
    await expect(
      repo.createSession({ clientSessionId: '9b2f7a1e-4c1d-4a8e-9f3a-1c2d3e4f5a6b', mode: 'text', role: 'backend-engineer' }),
    ).rejects.toMatchObject({ code: 'DEPENDENCY_DOWN' });
  });

  it('errors that do not mean "unreachable" propagate unchanged', () => {
    const strict = Object.assign(new Error('Field `x` is not in schema'), { name: 'StrictModeError' });
    expect(toDbError(strict)).toBe(strict);
    const duplicate = Object.assign(new Error('E11000'), { name: 'MongoServerError', code: 11000 });
    expect(toDbError(duplicate)).toBe(duplicate);
  });
});
