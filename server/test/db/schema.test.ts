import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interviewSchema } from '../../../shared/interview.js';
import { recruiterSchema } from '../../../shared/recruiters.js';
import { webhookEventSchema } from '../../../shared/webhook.js';
import { erasureSchema, leaseSchema } from '../../../shared/privacy.js';
import { erasureSchema as erasureMongooseSchema } from '../../src/db/models/erasure.js';
import { leaseSchema as leaseMongooseSchema } from '../../src/db/models/lease.js';
import { interviewSchema as interviewMongooseSchema } from '../../src/db/models/interview.js';
import { recruiterSchema as recruiterMongooseSchema } from '../../src/db/models/recruiter.js';
import { webhookEventSchema as webhookEventMongooseSchema } from '../../src/db/models/webhookEvent.js';
import { mongoosePaths, zodPaths } from '../support/schemaPaths.js';
import { answer, question, startTestStore, type TestStore } from '../support/store.js';

describe('the mongoose schemas mirror the zod schemas', () => {
  it('the interviews schema declares exactly the fields of interviewSchema', () => {
    const fromZod = zodPaths(interviewSchema).filter((p) => p !== 'id').sort();
    expect(mongoosePaths(interviewMongooseSchema).sort()).toEqual(fromZod);
  });

  it('the webhook_events schema declares exactly the fields of webhookEventSchema', () => {
    const fromZod = zodPaths(webhookEventSchema).filter((p) => p !== 'id').sort();
    expect(mongoosePaths(webhookEventMongooseSchema).sort()).toEqual(fromZod);
  });

  it('the recruiters schema declares exactly the fields of recruiterSchema', () => {
    const fromZod = zodPaths(recruiterSchema).filter((p) => p !== 'id').sort();
    expect(mongoosePaths(recruiterMongooseSchema).sort()).toEqual(fromZod);
    expect(recruiterMongooseSchema.get('strict')).toBe('throw');
    expect(recruiterMongooseSchema.indexes().map(([keys]) => keys)).toContainEqual({ createdAt: -1, _id: -1 });
  });

  it('the erasures and leases schemas declare exactly the fields of erasureSchema and leaseSchema', () => {
    expect(mongoosePaths(erasureMongooseSchema).sort()).toEqual(zodPaths(erasureSchema).filter((p) => p !== 'id').sort());
    expect(mongoosePaths(leaseMongooseSchema).filter((p) => p !== '_id').sort()).toEqual(zodPaths(leaseSchema).filter((p) => p !== 'id').sort());
    expect(erasureMongooseSchema.indexes().map(([keys, opts]) => [keys, opts['unique'] === true])).toEqual(
      expect.arrayContaining([
        [{ clientSessionId: 1 }, true],
        [{ sessionId: 1 }, true],
        [{ conversationIds: 1 }, false],
      ]),
    );
  });

  it('the schemas refuse unknown fields and declare the documented indexes', () => {
    expect(interviewMongooseSchema.get('strict')).toBe('throw');
    expect(webhookEventMongooseSchema.get('strict')).toBe('throw');
    const indexes = interviewMongooseSchema.indexes().map(([keys, opts]) => ({ keys, unique: opts['unique'] === true, sparse: opts['sparse'] === true }));
    expect(indexes).toContainEqual({ keys: { clientSessionId: 1 }, unique: true, sparse: false });
    expect(indexes).toContainEqual({ keys: { 'voice.conversationId': 1 }, unique: true, sparse: true });
    expect(indexes).toContainEqual({ keys: { status: 1, updatedAt: -1 }, unique: false, sparse: false });
    expect(indexes).toContainEqual({ keys: { 'voice.userId': 1, 'voice.agentId': 1, 'voice.startedAt': 1 }, unique: false, sparse: false });
    expect(webhookEventMongooseSchema.indexes().map(([keys, opts]) => [keys, opts['unique']])).toContainEqual([{ dedupeKey: 1 }, true]);
  });
});

describe('stored documents', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await startTestStore();
  });
  afterAll(async () => {
    await store?.stop();
  });

  /** Reads with the raw driver (no mongoose) and maps _id -> id, as the repository does. */
  async function raw(collection: string, filter: Record<string, unknown>): Promise<Record<string, unknown>> {
    const doc = await store.conn.db!.collection(collection).findOne(filter);
    if (!doc) throw new Error('not found');
    const { _id, ...rest } = doc;
    return { id: _id.toHexString(), ...rest };
  }

  it('a document written through the repository parses with the zod schema', async () => {
    const id = randomUUID();
    const repo = store.repo;
    await repo.createSession({ clientSessionId: id, mode: 'voice', role: 'backend-engineer', candidateName: 'Ada', candidateId: 'cand-9', openingId: 'op-1' });
    expect(interviewSchema.parse(await raw('interviews', { clientSessionId: id }))).toBeTruthy();

    await repo.transition(id, { from: ['created'], to: 'active', set: { startedAt: new Date(), turn: { state: 'generating', questionId: 'q1', leaseUntil: new Date(), node: 'n1' } } });
    await repo.appendMessage(id, question('q1'), {
      allowedStatuses: ['active'],
      turn: { expect: { state: 'generating', questionId: 'q1' }, set: { state: 'awaiting_answer', questionId: 'q1' } },
    });
    await repo.appendMessage(id, { ...answer('m1'), source: 'voice_live', questionId: 'q1' }, { allowedStatuses: ['active'] });
    await repo.setConversationId(id, 'conv_abc123', { linkedBy: 'conversation_id' });
    await repo.transition(id, {
      from: ['active'],
      to: 'ended_pending_webhook',
      set: { endedBy: 'user', endedAt: new Date(), voiceEndedAt: new Date(), evaluation: { status: 'pending', attempts: 0 } },
    });
    await repo.recordEvaluation(id, { status: 'running' });
    await repo.recordEvaluation(id, { status: 'failed', error: 'boom' });
    await repo.recordEvaluation(id, { status: 'running' });
    await repo.recordEvaluation(id, {
      status: 'complete',
      result: { overall: 6, summary: 's', strengths: [], concerns: ['c'], competencies: [{ name: 'n', score: 5 }] },
    });
    const sessionId = (await repo.findByClientSessionId(id))!.id;
    const author = { id: 'bootstrap', name: 'admin' };
    await repo.addNote(sessionId, { id: 'n1', messageId: 'm1', text: 'strong', rating: 4, author, createdAt: new Date(), updatedAt: new Date() });
    await repo.addNote(sessionId, { id: 'n2', text: 'overall fine', author, createdAt: new Date(), updatedAt: new Date() });
    await repo.editNote(sessionId, 'n1', { authorId: 'bootstrap', text: 'very strong', rating: null, at: new Date() });

    const stored = await raw('interviews', { clientSessionId: id });
    const parsed = interviewSchema.safeParse(stored);
    expect(parsed.error?.issues ?? []).toEqual([]);
    // And the repository hands out exactly that object.
    expect(await repo.findByClientSessionId(id)).toEqual(stored);
    expect(stored).toMatchObject({
      status: 'ended_pending_webhook',
      voice: { conversationId: 'conv_abc123', linkedBy: 'conversation_id' },
      evaluation: { status: 'complete', attempts: 2 },
    });
  });

  it('a recruiter written through the repository parses with the zod schema', async () => {
    const created = await store.repo.createRecruiter({ name: 'Grace', role: 'recruiter', secretHash: 'a'.repeat(64), createdBy: { id: 'bootstrap', name: 'admin' } });
    await store.repo.revokeRecruiter(created.id, { id: 'bootstrap', name: 'admin' });
    const stored = await raw('recruiters', { _id: new Types.ObjectId(created.id) });
    expect(recruiterSchema.safeParse(stored).error?.issues ?? []).toEqual([]);
    expect(await store.repo.findRecruiterById(created.id)).toEqual(stored);
  });

  it('a webhook event written through the repository parses with the zod schema', async () => {
    const r = await store.repo.storeWebhookEvent({ dedupeKey: 'conv_x:post_call_audio', type: 'post_call_audio', payload: { a: { b: [] } }, receivedAt: new Date() });
    if (!r.stored) throw new Error('not stored');
    await store.repo.markWebhookProcessed(r.event.id, { result: 'ignored' });
    const stored = await raw('webhook_events', { dedupeKey: 'conv_x:post_call_audio' });
    expect(webhookEventSchema.safeParse(stored).error?.issues ?? []).toEqual([]);
  });

  it('a tombstone and a lease written through the repository parse with their zod schemas', async () => {
    const csid = randomUUID();
    const { erasure } = await store.repo.openErasure({
      sessionId: '0123456789abcdef01234567',
      clientSessionId: csid,
      conversationIds: ['conv_1'],
      voice: { userIdSha256: 'a'.repeat(64), agentId: 'agent_1', startedAt: new Date() },
      reason: 'request',
    });
    await store.repo.addErasureConversationIds(erasure.id, ['conv_2']);
    await store.repo.claimErasure({ id: erasure.id, node: 'n#1', leaseMs: 1000 });
    await store.repo.completeErasure(erasure.id, 'n#1');
    const stored = await raw('erasures', { clientSessionId: csid });
    expect(erasureSchema.safeParse(stored).error?.issues ?? []).toEqual([]);
    expect(stored).toMatchObject({ status: 'done', conversationIds: ['conv_1', 'conv_2'], attempts: 1 });
    await store.repo.acquireLease('schema-test', 'n#1', 1000);
    const lease = await store.conn.db!.collection<{ _id: string }>('leases').findOne({ _id: 'schema-test' });
    const { _id, ...rest } = lease!;
    expect(leaseSchema.safeParse({ id: _id, ...rest }).error?.issues ?? []).toEqual([]);
  });

  it('a field not in the schema is refused', async () => {
    const id = randomUUID();
    await store.repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer' });
    const { Interview, WebhookEvent } = store.models;
    await expect(Interview.findOneAndUpdate({ clientSessionId: id }, { $set: { notInSchema: 1 } })).rejects.toThrow(/not in schema|StrictModeError/i);
    await expect(Interview.findOneAndUpdate({ clientSessionId: id }, { $set: { 'turn.extra': 1 } })).rejects.toThrow(/not in schema|StrictModeError/i);
    await expect(Interview.findOneAndUpdate({ clientSessionId: id }, { $push: { messages: { ...answer('m1'), mood: 'happy' } } })).rejects.toThrow(
      /not in schema|StrictModeError/i,
    );
    await expect(
      WebhookEvent.insertOne({ dedupeKey: randomUUID(), type: 't', payload: {}, receivedAt: new Date(), extra: true } as never),
    ).rejects.toThrow(/not in schema|StrictModeError/i);
    const stored = await raw('interviews', { clientSessionId: id });
    expect(stored).not.toHaveProperty('notInSchema');
    expect(stored['messages']).toEqual([]);
    expect(interviewSchema.parse(stored)).toBeTruthy();
  });

  it('a filter on a field not in the schema is refused, not answered with nothing', async () => {
    await expect(store.models.Interview.findOne({ clientSesionId: 'typo' })).rejects.toThrow(/not in schema|StrictModeError/i);
  });
});
