import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from '../support/store.js';

let store: TestStore;

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

describe('addUsage', () => {
  it('50 concurrent calls across two models add up exactly, one entry per model', async () => {
    const id = randomUUID();
    await store.repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer' });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.repo.addUsage(id, { model: i % 2 === 0 ? 'gpt-4.1-mini' : 'scripted', inputTokens: 10, outputTokens: 3, costUsd: 0.5 }),
      ),
    );
    const usage = (await store.repo.findByClientSessionId(id))?.usage ?? [];
    expect([...usage].sort((a, b) => a.model.localeCompare(b.model))).toEqual([
      { model: 'gpt-4.1-mini', calls: 25, inputTokens: 250, outputTokens: 75, costUsd: 12.5 },
      { model: 'scripted', calls: 25, inputTokens: 250, outputTokens: 75, costUsd: 12.5 },
    ]);
  });

  it('usage for an unknown session returns null and a negative count is refused', async () => {
    expect(await store.repo.addUsage(randomUUID(), { model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0 })).toBeNull();
    await expect(store.repo.addUsage(randomUUID(), { model: 'm', inputTokens: -1, outputTokens: 1, costUsd: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('update semantics addUsage relies on', () => {
  // MongoDB applies several operators to distinct fields of the element matched by `$`
  // (only a path and its own prefix conflict, e.g. 'usage.$' with 'usage.$.calls').
  it('two $inc on different fields of one positional element in one update are both applied', async () => {
    const c = store.conn.db!.collection('positional_probe');
    await c.insertOne({ k: 1, usage: [{ model: 'a', calls: 0, inputTokens: 0 }] });
    const after = await c.findOneAndUpdate(
      { k: 1, usage: { $elemMatch: { model: 'a' } } },
      { $inc: { 'usage.$.calls': 1, 'usage.$.inputTokens': 10 } },
      { returnDocument: 'after' },
    );
    expect(after?.['usage']).toEqual([{ model: 'a', calls: 1, inputTokens: 10 }]);
  });
});
