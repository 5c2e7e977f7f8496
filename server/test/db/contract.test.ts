import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realMongoUri, startTestStore, type TestStore } from '../support/store.js';

/**
 * Every file in server/test/db runs against MONGODB_URI when it is set, and
 * against the embedded server otherwise. This file says which it was, once.
 */
const SKIPPED = 'real-MongoDB contract run skipped: MONGODB_URI not set';

describe('real-MongoDB contract run', () => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    if (realMongoUri) store = await startTestStore();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it.runIf(!realMongoUri)(SKIPPED, () => {
    console.info(SKIPPED);
  });

  it.runIf(realMongoUri)('the repository suite is talking to a real MongoDB server', async () => {
    const info = await store!.conn.db!.admin().command({ buildInfo: 1 });
    expect(typeof info['version']).toBe('string');
    expect(store!.kind).toBe('mongodb');
  });
});
