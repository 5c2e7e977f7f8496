import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../../shared/interview.js';
import { startTestStore, testClock, type TestStore } from '../support/store.js';

let store: TestStore;
const clock = testClock();

beforeAll(async () => {
  store = await startTestStore({ now: clock.now });
});
afterAll(async () => {
  await store?.stop();
});

const result: EvaluationResult = {
  overall: 7.5,
  summary: 'Solid fundamentals.',
  strengths: ['clear reasoning'],
  concerns: ['little testing'],
  competencies: [{ name: 'system design', score: 7, evidence: 'sharding answer' }],
};

/** An ended session whose evaluation is pending, as the end transition writes it. */
async function endedSession(): Promise<string> {
  const clientSessionId = randomUUID();
  await store.repo.createSession({ clientSessionId, mode: 'text', role: 'backend-engineer' });
  const ended = await store.repo.transition(clientSessionId, {
    from: ['created', 'active', 'paused'],
    to: 'completed',
    set: { endedBy: 'user', endedAt: clock.now(), evaluation: { status: 'pending', attempts: 0 } },
  });
  expect(ended.won).toBe(true);
  return clientSessionId;
}

async function rawEvaluation(clientSessionId: string): Promise<unknown> {
  const raw = await store.conn.db!.collection('interviews').findOne({ clientSessionId });
  return raw?.['evaluation'];
}

describe('evaluation', () => {
  it('evaluation status and result are written together', async () => {
    const id = await endedSession();
    const running = await store.repo.recordEvaluation(id, { status: 'running', leaseMs: 60_000 });
    expect(running.won).toBe(true);
    expect(running.session?.evaluation).toEqual({ status: 'running', attempts: 1, leaseUntil: new Date(clock.now().getTime() + 60_000) });

    const complete = await store.repo.recordEvaluation(id, { status: 'complete', result });
    expect(complete.won).toBe(true);
    const expected = { status: 'complete', attempts: 1, result, completedAt: clock.now() };
    expect(complete.session?.evaluation).toEqual(expected);
    expect(await rawEvaluation(id)).toEqual(expected);
  });

  it('a late failed never overwrites complete, nor does a second complete', async () => {
    const id = await endedSession();
    await store.repo.recordEvaluation(id, { status: 'running' });
    await store.repo.recordEvaluation(id, { status: 'complete', result });
    const late = await store.repo.recordEvaluation(id, { status: 'failed', error: 'timeout' });
    expect(late.won).toBe(false);
    const second = await store.repo.recordEvaluation(id, { status: 'complete', result: { ...result, overall: 1 } });
    expect(second.won).toBe(false);
    expect(await rawEvaluation(id)).toMatchObject({ status: 'complete', result });
    expect(await rawEvaluation(id)).not.toHaveProperty('error');
  });

  it('a failure is written with its error and lease cleared; a retry goes back to running with attempts + 1', async () => {
    const id = await endedSession();
    await store.repo.recordEvaluation(id, { status: 'running' });
    const failed = await store.repo.recordEvaluation(id, { status: 'failed', error: 'llm 503' });
    expect(failed.session?.evaluation).toEqual({ status: 'failed', attempts: 1, error: 'llm 503' });
    const retry = await store.repo.recordEvaluation(id, { status: 'running', leaseMs: 1_000 });
    expect(retry.session?.evaluation).toEqual({ status: 'running', attempts: 2, leaseUntil: new Date(clock.now().getTime() + 1_000) });
  });

  it('pending creates the evaluation when there is none and is refused while running', async () => {
    const clientSessionId = randomUUID();
    await store.repo.createSession({ clientSessionId, mode: 'text', role: 'backend-engineer' });
    const created = await store.repo.recordEvaluation(clientSessionId, { status: 'pending' });
    expect(created.session?.evaluation).toEqual({ status: 'pending', attempts: 0 });
    await store.repo.recordEvaluation(clientSessionId, { status: 'running' });
    expect((await store.repo.recordEvaluation(clientSessionId, { status: 'pending' })).won).toBe(false);
  });

  it('a pending evaluation is claimed by exactly one of 10 concurrent workers', async () => {
    const id = await endedSession();
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.repo.claimEvaluation({ clientSessionId: id, leaseMs: 5_000 })));
    const won = claims.filter((c) => c !== null);
    expect(won).toHaveLength(1);
    expect(won[0]?.evaluation).toEqual({ status: 'running', attempts: 1, leaseUntil: new Date(clock.now().getTime() + 5_000) });
  });

  it('a running evaluation is reclaimed only after its lease expired, with attempts incremented', async () => {
    const id = await endedSession();
    expect(await store.repo.claimEvaluation({ clientSessionId: id, leaseMs: 5_000 })).not.toBeNull();
    expect(await store.repo.claimEvaluation({ clientSessionId: id, leaseMs: 5_000 })).toBeNull();
    clock.advance(5_001);
    const again = await store.repo.claimEvaluation({ clientSessionId: id, leaseMs: 5_000 });
    expect(again?.evaluation).toMatchObject({ status: 'running', attempts: 2 });
    clock.advance(5_001);
    expect(await store.repo.claimEvaluation({ clientSessionId: id, maxAttempts: 2 })).toBeNull();
  });

  it('claimEvaluation without a session finds waiting work and returns null when there is none', async () => {
    const id = await endedSession();
    const claimed: string[] = [];
    for (;;) {
      const c = await store.repo.claimEvaluation({ leaseMs: 600_000 });
      if (!c) break;
      claimed.push(c.clientSessionId);
    }
    expect(claimed).toContain(id);
  });
});
