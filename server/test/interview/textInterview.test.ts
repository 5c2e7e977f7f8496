import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionTexts } from '../../../shared/sessionView.js';
import { candidateTokenFor } from '../../src/interview/candidateToken.js';
import { isAckError, TestCandidate } from '../support/candidate.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const ANSWERS = [
  'I led the rebuild of our notification pipeline around a queue with idempotent consumers, which cut duplicate sends to zero.',
  'We stored processed message keys with a unique index, so a redelivery became a no-op; the trade-off was an extra write per message.',
  'I would start with the read path, measure p99 latency, then add a cache in front of the hottest queries because they dominate.',
  'I am not sure.',
];

describe('a live text interview over /interview', () => {
  it('a candidate completes a scripted interview: every question streams gap-free and is stored exactly as streamed', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    expect(candidate.view.status).toBe('created');
    expect(await candidate.start()).toEqual({ ok: true, status: 'active' });

    let answered = 0;
    while (candidate.view.status === 'active') {
      const view = await candidate.until((v) => (v.turn === 'awaiting_answer' && v.streaming === null) || v.status === 'completed', 10_000, 'question');
      if (view.status === 'completed') break;
      const ack = await candidate.answer(ANSWERS[answered % ANSWERS.length]!, `answer-${answered}`);
      expect(ack).toMatchObject({ ok: true, messageId: `answer-${answered}` });
      answered += 1;
      await candidate.nextQuestion(`answer-${answered - 1}`);
    }
    const view = await candidate.until((v) => v.completeReason !== null, 10_000, 'completion');
    expect(view.gaps).toBe(0);

    const stored = await server.service.require(candidate.clientSessionId);
    const questions = stored.messages.filter((m) => m.role === 'interviewer');
    expect(questions.length).toBeGreaterThanOrEqual(12);
    expect(questions.length).toBeLessThanOrEqual(20);
    expect(stored.messages.filter((m) => m.role === 'candidate')).toHaveLength(answered);
    expect(stored.status).toBe('completed');
    expect(stored.endedBy).toBe('server');

    for (const question of questions) {
      const tokens = candidate.tokens.filter((t) => t.questionId === question.id);
      expect(tokens.length).toBeGreaterThanOrEqual(5);
      expect(tokens.map((t) => t.index)).toEqual(tokens.map((_, i) => i));
      expect(tokens.map((t) => t.text).join('')).toBe(question.text);
    }
    expect(questionTexts(view)).toEqual(questions.map((q) => q.text));
    const texts = new Set(questions.map((q) => q.text));
    expect(texts.size).toBe(questions.length);

    const evaluated = await candidate.until((v) => v.evaluationStatus === 'complete', 10_000, 'evaluation');
    expect(evaluated.evaluationStatus).toBe('complete');
    const results = await candidate.rest('GET', `/api/sessions/by-client/${candidate.clientSessionId}`);
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({ status: 'completed', evaluationStatus: 'complete', evaluation: { overall: expect.any(Number) } });
    candidate.disconnect();
  });

  it('the same answer sent three times at once is stored once and all three acks are identical', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    const acks = await Promise.all([1, 2, 3].map(() => candidate.answer(ANSWERS[0]!, 'same-id')));
    expect(acks[0]).toEqual({ ok: true, messageId: 'same-id', seq: 2 });
    expect(acks[1]).toEqual(acks[0]);
    expect(acks[2]).toEqual(acks[0]);
    const stored = await server.service.require(candidate.clientSessionId);
    expect(stored.messages.filter((m) => m.id === 'same-id')).toHaveLength(1);
    candidate.disconnect();
  });

  it('invalid answers get the documented codes and store nothing', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    expect(await candidate.answer('too early')).toMatchObject({ ok: false, error: { code: 'STATE_CONFLICT' } });
    await candidate.start();
    await candidate.awaitingAnswer();
    const tooLong = await candidate.answer('x'.repeat(2001));
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(isAckError(tooLong) && tooLong.error.message).toMatch(/at most 2000 characters/);
    expect(await candidate.answer('   ')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await candidate.emit('answer:submit', { text: 'no id' } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await candidate.emit('answer:submit', { messageId: { $gt: '' }, text: 'operator' } as never)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    const stored = await server.service.require(candidate.clientSessionId);
    expect(stored.messages.filter((m) => m.role === 'candidate')).toHaveLength(0);
    candidate.disconnect();
  });

  it('an answer sent while the next question is still being generated is refused with STATE_CONFLICT', async () => {
    const slow = await startTestServer({ SCRIPTED_TOKEN_DELAY_MS: '40' });
    try {
      const candidate = await TestCandidate.create(slow.url);
      await candidate.connect();
      await candidate.start();
      await candidate.until((v) => v.streaming !== null && v.streaming.nextIndex > 0, 5_000, 'streaming');
      expect(await candidate.answer('answering too soon')).toMatchObject({ ok: false, error: { code: 'STATE_CONFLICT' } });
      const stored = await slow.service.require(candidate.clientSessionId);
      expect(stored.messages.filter((m) => m.role === 'candidate')).toHaveLength(0);
      candidate.disconnect();
    } finally {
      await slow.close();
    }
  });

  it('answers faster than the configured interval are refused with RATE_LIMITED and retryAfterMs', async () => {
    const limited = await startTestServer({ ANSWER_MIN_INTERVAL_MS: '60000' });
    try {
      const candidate = await TestCandidate.create(limited.url);
      await candidate.connect();
      await candidate.start();
      await candidate.awaitingAnswer();
      expect(await candidate.answer(ANSWERS[0]!, 'first')).toMatchObject({ ok: true });
      await candidate.awaitingAnswer();
      const limitedAck = await candidate.answer(ANSWERS[1]!, 'second');
      expect(limitedAck).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
      // A retry of the stored answer is not penalised.
      expect(await candidate.answer(ANSWERS[0]!, 'first')).toEqual({ ok: true, messageId: 'first', seq: 2 });
      candidate.disconnect();
    } finally {
      await limited.close();
    }
  });

  it('a paused interview refuses answers until it is resumed', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    expect(await candidate.emit('interview:pause', {})).toEqual({ ok: true, status: 'paused' });
    await candidate.until((v) => v.status === 'paused');
    expect(await candidate.answer(ANSWERS[0]!)).toMatchObject({ ok: false, error: { code: 'STATE_CONFLICT' } });
    expect(await candidate.emit('interview:resume', {})).toEqual({ ok: true, status: 'active' });
    expect(await candidate.answer(ANSWERS[0]!)).toMatchObject({ ok: true });
    candidate.disconnect();
  });

  it('ending is idempotent and an ended interview refuses answers with SESSION_ENDED', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    expect(await candidate.emit('interview:end', { endedBy: 'user' })).toEqual({ ok: true, status: 'completed' });
    expect(await candidate.emit('interview:end', { endedBy: 'user' })).toEqual({ ok: true, status: 'completed' });
    expect(await candidate.answer(ANSWERS[0]!)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    await candidate.until((v) => v.evaluationStatus === 'complete', 10_000, 'evaluation');
    const stored = await server.service.require(candidate.clientSessionId);
    expect(stored).toMatchObject({ status: 'completed', endedBy: 'user', evaluation: { status: 'complete', attempts: 1 } });
    candidate.disconnect();
  });
});

describe('handshake auth on /interview', () => {
  async function connectError(auth: Record<string, unknown>): Promise<{ message: string; data?: unknown }> {
    const { io } = await import('socket.io-client');
    const socket = io(`${server.url}/interview`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    return new Promise((resolve) => {
      socket.on('connect', () => resolve({ message: 'connected' }));
      socket.on('connect_error', (err: Error & { data?: unknown }) => {
        socket.close();
        resolve({ message: err.message, data: err.data });
      });
    });
  }

  it('a missing token is refused with UNAUTHORIZED', async () => {
    const candidate = await TestCandidate.create(server.url);
    const result = await connectError({ clientSessionId: candidate.clientSessionId });
    expect(result.data).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it("another session's token never opens this session", async () => {
    const a = await TestCandidate.create(server.url);
    const b = await TestCandidate.create(server.url);
    const result = await connectError({ clientSessionId: a.clientSessionId, candidateToken: b.candidateToken });
    expect(result.data).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('a well-signed token for a session that does not exist is refused with NOT_FOUND', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const token = candidateTokenFor(server.config.sessionSecret, ghost);
    const result = await connectError({ clientSessionId: ghost, candidateToken: token });
    expect(result.data).toMatchObject({ code: 'NOT_FOUND' });
  });
});
