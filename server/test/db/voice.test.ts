import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, question, startTestStore, type TestStore } from '../support/store.js';

let store: TestStore;

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

async function voiceSession(): Promise<string> {
  const clientSessionId = randomUUID();
  await store.repo.createSession({ clientSessionId, mode: 'voice', role: 'backend-engineer', candidateId: 'cand-1' });
  return clientSessionId;
}

const conv = () => `conv_${randomUUID().replace(/-/g, '')}`;

describe('setConversationId', () => {
  it('sets the id once; reporting the same id again is already_set_same and changes nothing', async () => {
    const id = await voiceSession();
    const cid = conv();
    const first = await store.repo.setConversationId(id, cid, { linkedBy: 'conversation_id' });
    expect(first.outcome).toBe('set');
    if (first.outcome !== 'set') throw new Error('unreachable');
    expect(first.session.voice).toMatchObject({ conversationId: cid, linkedBy: 'conversation_id' });
    const again = await store.repo.setConversationId(id, cid);
    expect(again.outcome).toBe('already_set_same');
    if (again.outcome !== 'already_set_same') throw new Error('unreachable');
    expect(again.session.voice).toEqual(first.session.voice);
  });

  it('a conversation id already used by another session is reported as a conflict', async () => {
    const a = await voiceSession();
    const b = await voiceSession();
    const cid = conv();
    expect((await store.repo.setConversationId(a, cid)).outcome).toBe('set');
    const r = await store.repo.setConversationId(b, cid);
    expect(r).toEqual({ outcome: 'conflict_other_session', otherClientSessionId: a });
    const stored = await store.repo.findByClientSessionId(b);
    expect(stored?.voice?.conversationId).toBeUndefined();
  });

  it('a different conversation id for a session that has one is a conflict and is not overwritten', async () => {
    const id = await voiceSession();
    const cid = conv();
    await store.repo.setConversationId(id, cid);
    const r = await store.repo.setConversationId(id, conv());
    expect(r.outcome).toBe('conflict_other_id');
    expect((await store.repo.findByClientSessionId(id))?.voice?.conversationId).toBe(cid);
  });

  it('an unknown session is not_found', async () => {
    expect(await store.repo.setConversationId(randomUUID(), conv())).toEqual({ outcome: 'not_found' });
  });

  it('one conversation id raced onto 10 sessions is set on exactly one', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => voiceSession()));
    const cid = conv();
    const results = await Promise.all(ids.map((id) => store.repo.setConversationId(id, cid)));
    expect(results.filter((r) => r.outcome === 'set')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'conflict_other_session')).toHaveLength(9);
    expect(await store.models.Interview.countDocuments({ 'voice.conversationId': cid })).toBe(1);
  });

  it('many sessions without a conversation id coexist (the unique index is sparse)', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => voiceSession()));
    for (const id of ids) expect((await store.repo.findByClientSessionId(id))?.voice).toBeUndefined();
  });

  it('a malformed conversation id is refused with VALIDATION', async () => {
    const id = await voiceSession();
    await expect(store.repo.setConversationId(id, '{"$gt":""}')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('recordVoiceStart', () => {
  it('records agent, user and start once; a second start does not move startedAt', async () => {
    const id = await voiceSession();
    const startedAt = new Date('2026-03-01T10:00:00Z');
    const first = await store.repo.recordVoiceStart(id, { agentId: 'agent_1', userId: 'cand-1', startedAt });
    expect(first.won).toBe(true);
    expect(first.session?.voice).toEqual({ agentId: 'agent_1', userId: 'cand-1', startedAt });
    const again = await store.repo.recordVoiceStart(id, { agentId: 'agent_1', userId: 'cand-1', startedAt: new Date() });
    expect(again.won).toBe(false);
    expect(again.session?.voice?.startedAt).toEqual(startedAt);
  });

  it('a start and a conversation id recorded in either order both stay', async () => {
    const id = await voiceSession();
    const cid = conv();
    await store.repo.setConversationId(id, cid);
    await store.repo.recordVoiceStart(id, { agentId: 'agent_1', startedAt: new Date('2026-03-01T10:00:00Z') });
    expect((await store.repo.findByClientSessionId(id))?.voice).toEqual({
      conversationId: cid,
      agentId: 'agent_1',
      startedAt: new Date('2026-03-01T10:00:00Z'),
    });
  });

  it('a text session or an ended one does not get a voice start', async () => {
    const text = randomUUID();
    await store.repo.createSession({ clientSessionId: text, mode: 'text', role: 'backend-engineer' });
    expect((await store.repo.recordVoiceStart(text, { agentId: 'a', startedAt: new Date() })).won).toBe(false);
    const ended = await voiceSession();
    await store.repo.transition(ended, { from: ['created'], to: 'abandoned', set: { endedBy: 'timeout' } });
    expect((await store.repo.recordVoiceStart(ended, { agentId: 'a', startedAt: new Date() })).won).toBe(false);
  });
});

describe('findVoiceLinkCandidates', () => {
  it('finds the one session of the same user and agent started within the window and without a conversation id', async () => {
    const user = `user-${randomUUID().slice(0, 8)}`;
    const call = new Date('2026-04-01T12:00:00Z');
    const start = async (agentId: string, userId: string, offsetMin: number) => {
      const id = await voiceSession();
      await store.repo.recordVoiceStart(id, { agentId, userId, startedAt: new Date(call.getTime() + offsetMin * 60_000) });
      return id;
    };
    const match = await start('agent_1', user, -3);
    await start('agent_1', user, -30); // outside the window
    await start('agent_2', user, -1); // other agent
    await start('agent_1', 'someone-else', 0); // other user
    const linked = await start('agent_1', user, 2);
    await store.repo.setConversationId(linked, conv()); // already has a conversation

    const found = await store.repo.findVoiceLinkCandidates({ userId: user, agentId: 'agent_1', around: call, windowMs: 10 * 60_000 });
    expect(found.map((s) => s.clientSessionId)).toEqual([match]);

    await start('agent_1', user, 5);
    const ambiguous = await store.repo.findVoiceLinkCandidates({ userId: user, agentId: 'agent_1', around: call, windowMs: 10 * 60_000 });
    expect(ambiguous).toHaveLength(2);
  });
});

describe('readVoiceTurn', () => {
  const ACTIVE = { allowedStatuses: ['active'] } as const;

  it('reads a turn without the transcript: the first and latest question, the answer under the id and the question after it', async () => {
    const id = await voiceSession();
    expect((await store.repo.transition(id, { from: ['created'], to: 'active' })).won).toBe(true);
    const empty = await store.repo.readVoiceTurn(id, 'voice:a');
    expect(empty).toMatchObject({ clientSessionId: id, mode: 'voice', status: 'active', asked: 0 });
    expect(empty).not.toHaveProperty('firstQuestion');
    expect(empty).not.toHaveProperty('answer');

    for (const m of [question('q1', 'First?'), answer('voice:a', 'one'), question('q2', 'Second?'), answer('voice:b', 'two')]) {
      expect((await store.repo.appendMessage(id, m, ACTIVE)).outcome).toBe('stored');
    }
    const earlier = await store.repo.readVoiceTurn(id, 'voice:a');
    expect(earlier).not.toHaveProperty('messages');
    expect(earlier?.firstQuestion).toMatchObject({ id: 'q1', text: 'First?' });
    expect(earlier?.latestQuestion).toMatchObject({ id: 'q2', text: 'Second?' });
    expect(earlier?.answer).toMatchObject({ message: { id: 'voice:a', text: 'one' }, last: false, nextQuestion: { id: 'q2' } });

    const latest = await store.repo.readVoiceTurn(id, 'voice:b');
    expect(latest?.answer).toMatchObject({ message: { id: 'voice:b' }, last: true });
    expect(latest?.answer?.nextQuestion).toBeUndefined();
    expect((await store.repo.readVoiceTurn(id, 'voice:c'))?.answer).toBeUndefined();
  });

  it('an unknown session reads as null; a malformed message id is a validation error', async () => {
    expect(await store.repo.readVoiceTurn(randomUUID(), 'voice:a')).toBeNull();
    await expect(store.repo.readVoiceTurn(await voiceSession(), 'no spaces')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
