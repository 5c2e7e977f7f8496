import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { interviewSchema } from '../../../shared/interview.js';
import { startTestStore, testClock, type TestStore } from '../support/store.js';

let store: TestStore;
const clock = testClock();

beforeAll(async () => {
  store = await startTestStore({ now: clock.now });
});
afterAll(async () => {
  await store?.stop();
});

const input = (over: Record<string, unknown> = {}) => ({
  clientSessionId: randomUUID(),
  mode: 'text' as const,
  role: 'backend-engineer',
  candidateName: 'Ada',
  ...over,
});

describe('createSession', () => {
  it('creates a session in status created with an idle turn and no messages', async () => {
    const req = input({ candidateId: 'cand-1', openingId: 'opening-7' });
    const { session, created } = await store.repo.createSession(req);
    expect(created).toBe(true);
    expect(session).toMatchObject({
      clientSessionId: req.clientSessionId,
      mode: 'text',
      role: 'backend-engineer',
      candidateName: 'Ada',
      candidateId: 'cand-1',
      openingId: 'opening-7',
      status: 'created',
      messages: [],
      turn: { state: 'idle' },
      plan: { asked: [], scores: [] },
      usage: [],
    });
    expect(session.id).toMatch(/^[0-9a-f]{24}$/);
    expect(() => interviewSchema.parse(session)).not.toThrow();
  });

  it('creating again with the same clientSessionId returns the existing session unchanged, created false', async () => {
    const req = input();
    const first = await store.repo.createSession(req);
    clock.advance(1_000);
    const again = await store.repo.createSession({ ...req, role: 'frontend-engineer', mode: 'voice' });
    expect(again.created).toBe(false);
    expect(again.session).toEqual(first.session);
    expect(await store.models.Interview.countDocuments({ clientSessionId: req.clientSessionId })).toBe(1);
  });

  it('two concurrent creates with one clientSessionId return the same session', async () => {
    const req = input();
    const [a, b] = await Promise.all([store.repo.createSession(req), store.repo.createSession(req)]);
    expect(a.session.id).toBe(b.session.id);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(await store.models.Interview.countDocuments({ clientSessionId: req.clientSessionId })).toBe(1);
  });

  it('50 concurrent creates with one clientSessionId store one document and report created once', async () => {
    const req = input();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.repo.createSession(req)));
    expect(new Set(results.map((r) => r.session.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await store.models.Interview.countDocuments({ clientSessionId: req.clientSessionId })).toBe(1);
  });

  it('a create that loses the insert race (E11000) returns the winner\'s session with created false', async () => {
    const req = input();
    const winner = await store.repo.createSession(req);
    // Replay the race deterministically: the upsert did not see the winner and its insert hit the unique index.
    const duplicate = Object.assign(new Error('E11000 duplicate key error'), {
      name: 'MongoServerError',
      code: 11000,
      keyPattern: { clientSessionId: 1 },
      keyValue: { clientSessionId: req.clientSessionId },
    });
    const spy = vi.spyOn(store.models.Interview, 'findOneAndUpdate').mockImplementationOnce(() => {
      throw duplicate;
    });
    try {
      const loser = await store.repo.createSession(req);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(loser).toEqual({ session: winner.session, created: false });
    } finally {
      spy.mockRestore();
    }
  });

  it('a duplicate-key error on another index is not mistaken for an existing session', async () => {
    const other = Object.assign(new Error('E11000 duplicate key error'), { code: 11000, keyPattern: { 'voice.conversationId': 1 } });
    const spy = vi.spyOn(store.models.Interview, 'findOneAndUpdate').mockImplementationOnce(() => {
      throw other;
    });
    try {
      await expect(store.repo.createSession(input())).rejects.toBe(other);
    } finally {
      spy.mockRestore();
    }
  });

  it('an invalid session input is refused with VALIDATION and stores nothing', async () => {
    const before = await store.models.Interview.countDocuments({});
    await expect(store.repo.createSession(input({ clientSessionId: 'not-a-uuid' }))).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.repo.createSession(input({ mode: 'video' }))).rejects.toBeInstanceOf(AppError);
    await expect(store.repo.createSession(input({ status: 'completed' }))).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await store.models.Interview.countDocuments({})).toBe(before);
  });
});

describe('lookups', () => {
  it('findById and findByClientSessionId return the stored session as a plain object', async () => {
    const { session } = await store.repo.createSession(input());
    const byId = await store.repo.findById(session.id);
    const byClient = await store.repo.findByClientSessionId(session.clientSessionId);
    expect(byId).toEqual(session);
    expect(byClient).toEqual(session);
    expect(Object.getPrototypeOf(byId)).toBe(Object.prototype);
  });

  it('a malformed or unknown id returns null instead of throwing', async () => {
    await expect(store.repo.findById('nope')).resolves.toBeNull();
    await expect(store.repo.findById('0123456789abcdef01234567')).resolves.toBeNull();
    await expect(store.repo.findByClientSessionId('nope')).resolves.toBeNull();
    await expect(store.repo.findByClientSessionId(randomUUID())).resolves.toBeNull();
  });

  it('an operator object where an id is expected matches nothing and runs no query', async () => {
    await store.repo.createSession(input());
    const injected = { $ne: null } as unknown as string;
    await expect(store.repo.findByClientSessionId(injected)).resolves.toBeNull();
    await expect(store.repo.findById(injected)).resolves.toBeNull();
    await expect(store.repo.transition(injected, { from: ['created'], to: 'abandoned' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('transition', () => {
  it('moves status only from an expected status and writes the extra fields in the same update', async () => {
    const { session } = await store.repo.createSession(input());
    const startedAt = clock.now();
    const started = await store.repo.transition(session.clientSessionId, { from: ['created'], to: 'active', set: { startedAt } });
    expect(started.won).toBe(true);
    expect(started.session).toMatchObject({ status: 'active', startedAt });

    const again = await store.repo.transition(session.clientSessionId, { from: ['created'], to: 'active' });
    expect(again.won).toBe(false);
    expect(again.session?.status).toBe('active');
  });

  it('of 10 concurrent end requests exactly one wins and its endedBy is the one stored', async () => {
    const { session } = await store.repo.createSession(input());
    await store.repo.transition(session.clientSessionId, { from: ['created'], to: 'active' });
    const endedBy = ['user', 'disconnect', 'timeout', 'server'] as const;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.repo.transition(session.clientSessionId, {
          from: ['active', 'paused'],
          to: 'completed',
          set: { endedBy: endedBy[i % 4], endedAt: clock.now(), evaluation: { status: 'pending', attempts: 0 } },
        }),
      ),
    );
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    const stored = await store.repo.findByClientSessionId(session.clientSessionId);
    expect(stored?.endedBy).toBe(winners[0]?.session?.endedBy);
    expect(stored?.evaluation).toEqual({ status: 'pending', attempts: 0 });
  });

  it('a transition that requires a turn state fails and changes nothing when the turn differs', async () => {
    const { session } = await store.repo.createSession(input());
    await store.repo.transition(session.clientSessionId, { from: ['created'], to: 'active' });
    const paused = await store.repo.transition(session.clientSessionId, {
      from: ['active'],
      to: 'paused',
      turn: { state: 'awaiting_answer' },
    });
    expect(paused.won).toBe(false);
    expect(paused.session?.status).toBe('active');
  });

  it('a transition of an unknown session is lost with no session', async () => {
    await expect(store.repo.transition(randomUUID(), { from: ['created'], to: 'active' })).resolves.toEqual({ won: false, session: null });
  });

  it('fields outside the transition whitelist are refused with VALIDATION', async () => {
    const { session } = await store.repo.createSession(input());
    const set = { messages: [] } as unknown as Record<string, never>;
    await expect(store.repo.transition(session.clientSessionId, { from: ['created'], to: 'active', set })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('listSessions', () => {
  it('pages newest first with an opaque cursor, ties broken by id, and filters by status and mode', async () => {
    const mark = `list-${randomUUID().slice(0, 8)}`;
    clock.set(new Date('2030-01-01T00:00:00.000Z'));
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      // Pairs share a createdAt to exercise the _id tiebreak.
      if (i % 2 === 0) clock.advance(1_000);
      const { session } = await store.repo.createSession(input({ mode: i % 3 === 0 ? 'voice' : 'text', role: mark }));
      made.push(session.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.repo.listSessions({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.filter((s) => s.role === mark).map((s) => s.id));
      for (const item of page.items) expect(item).not.toHaveProperty('messages');
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const expected = await store.models.Interview.find({ role: mark }).sort({ createdAt: -1, _id: -1 }).lean();
    expect(seen).toEqual(expected.map((d) => d._id.toHexString()));
    expect(new Set(seen)).toEqual(new Set(made));

    const voice = await store.repo.listSessions({ limit: 100, mode: 'voice' });
    expect(voice.items.filter((s) => s.role === mark)).toHaveLength(3);
    expect(voice.items.every((s) => s.mode === 'voice')).toBe(true);
    const completed = await store.repo.listSessions({ limit: 100, status: 'completed' });
    expect(completed.items.every((s) => s.status === 'completed')).toBe(true);
  });

  it('a malformed cursor is refused with VALIDATION', async () => {
    await expect(store.repo.listSessions({ limit: 5, cursor: 'garbage' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const forged = Buffer.from(JSON.stringify([1, { $gt: '' }])).toString('base64url');
    await expect(store.repo.listSessions({ limit: 5, cursor: forged })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
