import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_COMMANDS, answer, startTestStore, type SentCommand, type TestStore } from '../support/store.js';

/**
 * The rule "every write is ONE atomic operation whose filter states its
 * precondition", checked on the wire: the driver commands each repository call
 * sends are recorded and counted.
 */
let store: TestStore;

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

const names = (commands: SentCommand[]) => commands.map((c) => c.name);
const writes = (commands: SentCommand[]) => commands.filter((c) => WRITE_COMMANDS.has(c.name));

async function activeSession(): Promise<string> {
  const id = randomUUID();
  await store.repo.createSession({ clientSessionId: id, mode: 'voice', role: 'backend-engineer' });
  await store.repo.transition(id, { from: ['created'], to: 'active', set: { turn: { state: 'awaiting_answer', questionId: 'q1' } } });
  return id;
}

describe('every repository write is one command', () => {
  it('createSession, appendMessage, transition, setTurn, setConversationId each send exactly one findAndModify and nothing else', async () => {
    const id = randomUUID();
    const create = await store.commandsDuring(() => store.repo.createSession({ clientSessionId: id, mode: 'voice', role: 'r' }));
    expect(names(create.commands)).toEqual(['findAndModify']);
    expect(create.commands[0]?.body['upsert']).toBe(true);

    const start = await store.commandsDuring(() =>
      store.repo.transition(id, { from: ['created'], to: 'active', set: { turn: { state: 'awaiting_answer', questionId: 'q1' } } }),
    );
    expect(names(start.commands)).toEqual(['findAndModify']);

    const append = await store.commandsDuring(() =>
      store.repo.appendMessage(id, answer('m1'), {
        allowedStatuses: ['active'],
        turn: { expect: { state: 'awaiting_answer', questionId: 'q1' }, set: { state: 'generating', questionId: 'q2' } },
      }),
    );
    expect(names(append.commands)).toEqual(['findAndModify']);
    // The precondition is in the filter of that one command.
    expect(append.commands[0]?.body['query']).toMatchObject({
      clientSessionId: { $eq: id },
      status: { $in: ['active'] },
      'messages.id': { $ne: 'm1' },
      'turn.state': { $eq: 'awaiting_answer' },
      'turn.questionId': { $eq: 'q1' },
    });
    expect(append.commands[0]?.body['update']).toMatchObject({ $push: { messages: { id: 'm1' } }, $set: { turn: { state: 'generating', questionId: 'q2' } } });

    const turn = await store.commandsDuring(() => store.repo.setTurn(id, { expect: { state: 'generating' }, set: { state: 'awaiting_answer', questionId: 'q2' } }));
    expect(names(turn.commands)).toEqual(['findAndModify']);

    const conv = await store.commandsDuring(() => store.repo.setConversationId(id, `conv_${randomUUID().slice(0, 8)}`));
    expect(names(conv.commands)).toEqual(['findAndModify']);
  });

  it('a rejected append is one write attempt and one read, never a second write', async () => {
    const id = await activeSession();
    await store.repo.transition(id, { from: ['active'], to: 'completed' });
    const r = await store.commandsDuring(() => store.repo.appendMessage(id, answer('late'), { allowedStatuses: ['active'] }));
    expect(r.result).toMatchObject({ outcome: 'rejected', reason: 'status' });
    expect(names(r.commands)).toEqual(['findAndModify', 'find']);
  });

  it('evaluation status and its result travel in the same single update', async () => {
    const id = await activeSession();
    await store.repo.transition(id, { from: ['active'], to: 'completed', set: { evaluation: { status: 'pending', attempts: 0 } } });
    await store.repo.recordEvaluation(id, { status: 'running' });
    const result = { overall: 8, summary: 'good', strengths: ['a'], concerns: [], competencies: [] };
    const r = await store.commandsDuring(() => store.repo.recordEvaluation(id, { status: 'complete', result }));
    expect(writes(r.commands)).toHaveLength(1);
    expect(names(r.commands)).toEqual(['findAndModify']);
    const update = r.commands[0]?.body['update'] as Record<string, Record<string, unknown>>;
    expect(update['$set']).toMatchObject({ 'evaluation.status': 'complete', 'evaluation.result': result });
    expect(r.commands[0]?.body['query']).toMatchObject({ 'evaluation.status': { $in: ['pending', 'running', 'failed'] } });
  });

  it('storing a webhook is one insert; marking it processed is one conditional update', async () => {
    const stored = await store.commandsDuring(() =>
      store.repo.storeWebhookEvent({ dedupeKey: `k-${randomUUID()}`, type: 't', payload: {}, receivedAt: new Date() }),
    );
    expect(names(stored.commands)).toEqual(['insert']);
    if (!stored.result.stored) throw new Error('not stored');
    const eventId = stored.result.event.id;
    const marked = await store.commandsDuring(() => store.repo.markWebhookProcessed(eventId, { result: 'ignored' }));
    expect(names(marked.commands)).toEqual(['update']);
  });
});
