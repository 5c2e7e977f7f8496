import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionTexts } from '../../../shared/sessionView.js';
import { TestCandidate } from '../support/candidate.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SCRIPTED_TOKEN_DELAY_MS: '30', DISCONNECT_GRACE_MS: '200', TURN_LEASE_MS: '3000' });
});
afterAll(async () => {
  await server?.close();
});

async function midQuestion(candidate: TestCandidate, atLeast = 3) {
  return candidate.until((v) => v.streaming !== null && v.streaming.nextIndex >= atLeast, 5_000, 'mid-question');
}

describe('losing the connection mid-question', () => {
  it('a candidate who reconnects within the grace period sees exactly the same question, no gap, no duplicate', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    const before = await midQuestion(candidate);
    const questionId = before.streaming!.questionId;
    candidate.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await candidate.connect();
    // The snapshot carries the partial text; the following tokens continue it.
    const resumed = candidate.view.streaming ?? null;
    if (resumed) expect(resumed.questionId).toBe(questionId);
    const done = await candidate.awaitingAnswer();
    expect(done.gaps).toBe(0);
    const stored = await server.service.require(candidate.clientSessionId);
    const question = stored.messages.find((m) => m.id === questionId);
    expect(question).toBeDefined();
    expect(questionTexts(done)).toEqual([question!.text]);
    candidate.disconnect();
  });

  it('a candidate who stays away past the grace period gets a fresh, complete question on return', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    const before = await midQuestion(candidate);
    const abortedId = before.streaming!.questionId;
    candidate.disconnect();
    // Wait until the server has aborted the stream and released its lease.
    for (let i = 0; i < 100; i++) {
      const turn = (await server.service.require(candidate.clientSessionId)).turn;
      if (turn.questionId === abortedId && turn.leaseUntil !== undefined && turn.leaseUntil.getTime() === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const released = (await server.service.require(candidate.clientSessionId)).turn;
    expect(released).toMatchObject({ state: 'generating', questionId: abortedId, leaseUntil: new Date(0) });
    await candidate.connect();
    const done = await candidate.awaitingAnswer();
    expect(done.gaps).toBe(0);
    const stored = await server.service.require(candidate.clientSessionId);
    const questions = stored.messages.filter((m) => m.role === 'interviewer');
    expect(questions).toHaveLength(1);
    expect(questions[0]!.id).not.toBe(abortedId);
    expect(questionTexts(done)).toEqual([questions[0]!.text]);
    candidate.disconnect();
  });

  it('a second tab opened mid-question renders the same text as the first', async () => {
    const first = await TestCandidate.create(server.url);
    await first.connect();
    await first.start();
    await midQuestion(first, 5);
    const second = Object.assign(Object.create(Object.getPrototypeOf(first) as object) as TestCandidate, first, { tokens: [] });
    await second.connect();
    const [a, b] = await Promise.all([first.awaitingAnswer(), second.awaitingAnswer()]);
    expect(questionTexts(b)).toEqual(questionTexts(a));
    expect(a.gaps + b.gaps).toBe(0);
    first.disconnect();
    second.disconnect();
  });
});

describe('the REST twin of answer:submit', () => {
  it('stores through the same service function with the same ack and idempotency', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    const path = `/api/sessions/${candidate.clientSessionId}/messages`;
    const body = { messageId: 'rest-1', text: 'Answered over HTTP with a concrete example of a queue.' };
    const first = await candidate.rest('POST', path, body);
    expect(first).toEqual({ status: 200, body: { ok: true, messageId: 'rest-1', seq: 2 } });
    // The retry over the socket gets the identical ack.
    expect(await candidate.answer(body.text, 'rest-1')).toEqual({ ok: true, messageId: 'rest-1', seq: 2 });
    expect(await candidate.rest('POST', path, body)).toEqual(first);
    await candidate.until((v) => v.messages.some((m) => m.id === 'rest-1'), 5_000, 'message:appended');

    expect(await candidate.rest('POST', path, { messageId: 'rest-2', text: 'x'.repeat(2001) })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION' } },
    });
    expect(await candidate.rest('POST', path, body, null)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    const other = await TestCandidate.create(server.url);
    expect(await candidate.rest('POST', path, body, other.candidateToken)).toMatchObject({ status: 401 });
    const stored = await server.service.require(candidate.clientSessionId);
    expect(stored.messages.filter((m) => m.role === 'candidate').map((m) => m.id)).toEqual(['rest-1']);
    candidate.disconnect();
  });

  it('POST /api/sessions is idempotent on clientSessionId and rejects unknown roles', async () => {
    const candidate = await TestCandidate.create(server.url);
    const again = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSessionId: candidate.clientSessionId, mode: 'text', role: 'backend-engineer' }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ sessionId: candidate.created.sessionId, candidateToken: candidate.candidateToken, created: false });
    const bad = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSessionId: crypto.randomUUID(), mode: 'text', role: 'astronaut' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION', details: [{ path: 'role' }] } });
  });

  it('GET /api/roles lists at least four roles', async () => {
    const res = await fetch(`${server.url}/api/roles`);
    const roles = (await res.json()) as Array<{ id: string; title: string }>;
    expect(roles.length).toBeGreaterThanOrEqual(4);
    expect(roles[0]).toEqual({ id: expect.any(String), title: expect.any(String), description: expect.any(String) });
  });

  it('the end route accepts a text/plain beacon with the token in the body', async () => {
    const candidate = await TestCandidate.create(server.url);
    const res = await fetch(`${server.url}/api/sessions/${candidate.clientSessionId}/end`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ endedBy: 'disconnect', candidateToken: candidate.candidateToken }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, status: 'completed' });
    const stored = await server.service.require(candidate.clientSessionId);
    expect(stored).toMatchObject({ status: 'completed', endedBy: 'disconnect' });
  });
});
