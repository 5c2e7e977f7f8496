import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_STATUSES } from '../../../shared/interview.js';
import { answer, question, startTestStore, testClock, type TestStore } from '../support/store.js';

let store: TestStore;
const clock = testClock();

beforeAll(async () => {
  store = await startTestStore({ now: clock.now });
});
afterAll(async () => {
  await store?.stop();
});

async function activeSession(turn?: { state: 'idle' | 'generating' | 'awaiting_answer'; questionId?: string }): Promise<string> {
  const clientSessionId = randomUUID();
  await store.repo.createSession({ clientSessionId, mode: 'text', role: 'backend-engineer' });
  const r = await store.repo.transition(clientSessionId, { from: ['created'], to: 'active', ...(turn ? { set: { turn } } : {}) });
  expect(r.won).toBe(true);
  return clientSessionId;
}

const ACTIVE = { allowedStatuses: ['active'] } as const;

describe('appendMessage', () => {
  it('a stored message is returned with seq equal to its 1-based position', async () => {
    const id = await activeSession();
    const first = await store.repo.appendMessage(id, question('q1'), ACTIVE);
    const second = await store.repo.appendMessage(id, answer('m1', 'I would shard by tenant.'), ACTIVE);
    expect(first).toMatchObject({ outcome: 'stored', seq: 1, message: { id: 'q1', role: 'interviewer' } });
    expect(second).toMatchObject({ outcome: 'stored', seq: 2, message: { id: 'm1', text: 'I would shard by tenant.' } });
    if (second.outcome !== 'stored') throw new Error('unreachable');
    expect(second.session.messages.map((m) => m.id)).toEqual(['q1', 'm1']);
  });

  it('200 concurrent appends with distinct ids store 200 messages', async () => {
    const id = await activeSession();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.repo.appendMessage(id, answer(`m-${i}`), ACTIVE)));
    expect(results.every((r) => r.outcome === 'stored')).toBe(true);
    const seqs = results.map((r) => (r.outcome === 'stored' ? r.seq : -1)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.messages).toHaveLength(200);
    expect(new Set(stored?.messages.map((m) => m.id)).size).toBe(200);
    // Each reported seq is the message's real position.
    for (const r of results) {
      if (r.outcome === 'stored') expect(stored?.messages[r.seq - 1]?.id).toBe(r.message.id);
    }
  });

  it('200 concurrent appends with the same id store one and all report its seq', async () => {
    const id = await activeSession();
    await store.repo.appendMessage(id, question('q1'), ACTIVE);
    const results = await Promise.all(Array.from({ length: 200 }, () => store.repo.appendMessage(id, answer('same-id', 'once'), ACTIVE)));
    expect(results.filter((r) => r.outcome === 'stored')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(199);
    for (const r of results) {
      expect(r).toMatchObject({ seq: 2, message: { id: 'same-id', text: 'once' } });
    }
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.messages.map((m) => m.id)).toEqual(['q1', 'same-id']);
  });

  it('a retried append returns the stored message and seq, even after the session ended', async () => {
    const id = await activeSession();
    const first = await store.repo.appendMessage(id, answer('m1', 'original'), ACTIVE);
    await store.repo.transition(id, { from: ['active'], to: 'completed', set: { endedBy: 'user' } });
    const retry = await store.repo.appendMessage(id, answer('m1', 'edited on retry'), ACTIVE);
    expect(retry.outcome).toBe('duplicate');
    if (retry.outcome !== 'duplicate' || first.outcome !== 'stored') throw new Error('unreachable');
    expect(retry.seq).toBe(first.seq);
    expect(retry.message).toEqual(first.message);
    expect(retry.session.messages).toHaveLength(1);
  });

  it('an append to an ended session is rejected with reason status and stores nothing', async () => {
    const id = await activeSession();
    await store.repo.transition(id, { from: ['active'], to: 'abandoned', set: { endedBy: 'timeout' } });
    const r = await store.repo.appendMessage(id, answer('late'), { allowedStatuses: OPEN_STATUSES });
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'status' });
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.messages).toEqual([]);
  });

  it('an append to an unknown session is rejected with reason not_found', async () => {
    const r = await store.repo.appendMessage(randomUUID(), answer('x'), ACTIVE);
    expect(r).toEqual({ outcome: 'rejected', reason: 'not_found', session: null });
  });

  it('an append whose turn precondition fails is rejected with reason turn_state and stores nothing', async () => {
    const id = await activeSession({ state: 'generating', questionId: 'q1' });
    const r = await store.repo.appendMessage(id, answer('m1'), {
      allowedStatuses: ['active'],
      turn: { expect: { state: 'awaiting_answer', questionId: 'q1' }, set: { state: 'generating', questionId: 'q2' } },
    });
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'turn_state' });
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.messages).toEqual([]);
    expect(stored?.turn).toEqual({ state: 'generating', questionId: 'q1' });
  });

  it('an answer and its turn change are one update: of 20 concurrent answers to one question exactly one is stored', async () => {
    const id = await activeSession({ state: 'awaiting_answer', questionId: 'q1' });
    const leaseUntil = new Date(clock.now().getTime() + 30_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.repo.appendMessage(id, answer(`a-${i}`), {
          allowedStatuses: ['active'],
          turn: {
            expect: { state: 'awaiting_answer', questionId: 'q1' },
            set: { state: 'generating', questionId: 'q2', leaseUntil, node: 'node-a' },
          },
        }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'stored')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'rejected' && r.reason === 'turn_state')).toHaveLength(19);
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.messages).toHaveLength(1);
    expect(stored?.turn).toEqual({ state: 'generating', questionId: 'q2', leaseUntil, node: 'node-a' });
  });

  it('the finished question is appended and the turn becomes awaiting_answer together', async () => {
    const id = await activeSession({ state: 'generating', questionId: 'q7' });
    const r = await store.repo.appendMessage(id, question('q7', 'Tell me about a hard bug.'), {
      allowedStatuses: ['active'],
      turn: { expect: { state: 'generating', questionId: 'q7' }, set: { state: 'awaiting_answer', questionId: 'q7' } },
    });
    expect(r.outcome).toBe('stored');
    if (r.outcome !== 'stored') throw new Error('unreachable');
    expect(r.session.turn).toEqual({ state: 'awaiting_answer', questionId: 'q7' });
  });

  it('message text limits: a candidate answer over 2000 characters is refused, a long question is stored', async () => {
    const id = await activeSession();
    await expect(store.repo.appendMessage(id, answer('long', 'x'.repeat(2001)), ACTIVE)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.repo.appendMessage(id, answer('empty', ''), ACTIVE)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.repo.appendMessage(id, { ...answer('bad id!'), id: 'bad id!' }, ACTIVE)).rejects.toMatchObject({ code: 'VALIDATION' });
    const q = await store.repo.appendMessage(id, question('q-long', 'y'.repeat(5000)), ACTIVE);
    expect(q.outcome).toBe('stored');
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.messages.map((m) => m.id)).toEqual(['q-long']);
  });
});

describe('setTurn', () => {
  it('takes the turn only when state and question match', async () => {
    const id = await activeSession({ state: 'awaiting_answer', questionId: 'q1' });
    const wrongQuestion = await store.repo.setTurn(id, { expect: { state: 'awaiting_answer', questionId: 'q0' }, set: { state: 'generating' } });
    expect(wrongQuestion.won).toBe(false);
    const ok = await store.repo.setTurn(id, {
      expect: { state: 'awaiting_answer', questionId: 'q1' },
      set: { state: 'generating', questionId: 'q2' },
    });
    expect(ok).toMatchObject({ won: true, session: { turn: { state: 'generating', questionId: 'q2' } } });
  });

  it('a live lease cannot be taken over; an expired one can, by exactly one of several nodes', async () => {
    const id = await activeSession();
    const leaseUntil = new Date(clock.now().getTime() + 10_000);
    const claimed = await store.repo.setTurn(id, {
      expect: { state: 'idle' },
      set: { state: 'generating', questionId: 'q1', leaseUntil, node: 'a' },
    });
    expect(claimed.won).toBe(true);

    const early = await store.repo.setTurn(id, {
      expect: { state: 'generating', questionId: 'q1', leaseExpiredAt: clock.now() },
      set: { state: 'generating', questionId: 'q1', leaseUntil: new Date(clock.now().getTime() + 10_000), node: 'b' },
    });
    expect(early.won).toBe(false);

    clock.advance(10_001);
    const takeovers = await Promise.all(
      ['b', 'c', 'd', 'e'].map((node) =>
        store.repo.setTurn(id, {
          expect: { state: 'generating', questionId: 'q1', leaseExpiredAt: clock.now() },
          set: { state: 'generating', questionId: 'q1', leaseUntil: new Date(clock.now().getTime() + 10_000), node },
        }),
      ),
    );
    const winners = takeovers.filter((t) => t.won);
    expect(winners).toHaveLength(1);
    const stored = await store.repo.findByClientSessionId(id);
    expect(stored?.turn.node).toBe(winners[0]?.session?.turn.node);
  });

  it('a turn of a session that is not active is not taken', async () => {
    const id = await activeSession();
    await store.repo.transition(id, { from: ['active'], to: 'paused' });
    const r = await store.repo.setTurn(id, { expect: { state: 'idle' }, set: { state: 'generating', questionId: 'q1' } });
    expect(r.won).toBe(false);
    expect(r.session?.turn).toEqual({ state: 'idle' });
  });
});
