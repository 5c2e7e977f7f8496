import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEventSchema } from '../../../shared/webhook.js';
import { startTestStore, type TestStore } from '../support/store.js';

let store: TestStore;

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

function event(conversationId = `conv_${randomUUID().slice(0, 8)}`) {
  return {
    dedupeKey: `${conversationId}:post_call_transcription`,
    type: 'post_call_transcription',
    conversationId,
    payload: {
      type: 'post_call_transcription',
      event_timestamp: 1_764_000_000,
      data: { conversation_id: conversationId, transcript: [], conversation_initiation_client_data: { dynamic_variables: {} } },
    },
    receivedAt: new Date(),
  };
}

describe('webhook events', () => {
  it('a webhook is stored with its payload exactly as received', async () => {
    const e = event();
    const r = await store.repo.storeWebhookEvent(e);
    expect(r.stored).toBe(true);
    if (!r.stored) throw new Error('unreachable');
    expect(r.event).toMatchObject({ dedupeKey: e.dedupeKey, type: e.type, conversationId: e.conversationId, payload: e.payload });
    expect(() => webhookEventSchema.parse(r.event)).not.toThrow();
    const raw = await store.conn.db!.collection('webhook_events').findOne({ dedupeKey: e.dedupeKey });
    // Empty objects (dynamic_variables: {}) survive: nothing is minimized away.
    expect(raw?.['payload']).toEqual(e.payload);
  });

  it('a webhook redelivery is reported as duplicate', async () => {
    const e = event();
    expect((await store.repo.storeWebhookEvent(e)).stored).toBe(true);
    expect(await store.repo.storeWebhookEvent({ ...e, receivedAt: new Date() })).toEqual({ stored: false, duplicate: true });
    expect(await store.models.WebhookEvent.countDocuments({ dedupeKey: e.dedupeKey })).toBe(1);
  });

  it('10 concurrent deliveries of one webhook store it once', async () => {
    const e = event();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.repo.storeWebhookEvent(e)));
    expect(results.filter((r) => r.stored)).toHaveLength(1);
    expect(results.filter((r) => !r.stored)).toHaveLength(9);
  });

  it('unprocessed events are listed oldest first; an outcome is recorded once', async () => {
    const older = { ...event(), receivedAt: new Date('2020-01-01T00:00:00Z') };
    const newer = { ...event(), receivedAt: new Date('2020-01-02T00:00:00Z') };
    const b = await store.repo.storeWebhookEvent(newer);
    const a = await store.repo.storeWebhookEvent(older);
    if (!a.stored || !b.stored) throw new Error('not stored');
    const pending = await store.repo.findUnprocessedWebhookEvents({ limit: 1000 });
    const keys = pending.map((p) => p.dedupeKey);
    expect(keys.indexOf(older.dedupeKey)).toBeLessThan(keys.indexOf(newer.dedupeKey));
    expect(keys.indexOf(older.dedupeKey)).toBeGreaterThanOrEqual(0);

    const clientSessionId = randomUUID();
    expect(await store.repo.markWebhookProcessed(a.event.id, { result: 'linked', clientSessionId })).toEqual({ won: true });
    expect(await store.repo.markWebhookProcessed(a.event.id, { result: 'failed', detail: 'late replay' })).toEqual({ won: false });
    const after = await store.repo.findUnprocessedWebhookEvents({ limit: 1000 });
    expect(after.map((p) => p.id)).not.toContain(a.event.id);
    expect(after.map((p) => p.id)).toContain(b.event.id);
    const raw = await store.models.WebhookEvent.findById(a.event.id).lean();
    expect(raw?.outcome).toEqual({ result: 'linked', clientSessionId });
  });

  it('a malformed event id is refused with VALIDATION', async () => {
    await expect(store.repo.markWebhookProcessed('nope', { result: 'ignored' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
