import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseDigest, isRestError, pool } from '../hardening/helpers.js';
import type { Interview } from '../../../shared/interview.js';
import { PlatformConversation, postCompletion, renderedSystemPrompt } from '../../src/voice/agentDriver.js';
import { CLOSING_LINE, REFUSAL_LINE } from '../../src/voice/customLlm.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createOpening, RECRUITER } from '../openings/helpers.js';
import { startVoice, voiceCandidate, waitFor } from './helpers.js';

const KEY = 'voice-llm-key-for-tests-0123456789';

function endpoint(server: TestServer): string {
  return `${server.url}/llm/v1/chat/completions`;
}

async function stored(server: TestServer, csid: string): Promise<Interview> {
  return server.service.require(csid);
}

/** A recruiter on /monitor collecting every question:token per question id. */
async function watcher(server: TestServer, sessionId: string): Promise<{ recruiter: TestRecruiter; tokens: Map<string, string[]> }> {
  const recruiter = await TestRecruiter.connect(server.url, RECRUITER);
  await recruiter.watch(sessionId);
  const tokens = new Map<string, string[]>();
  (recruiter.socket as unknown as { on(e: string, l: (p: { questionId: string; text: string }) => void): void }).on('question:token', (p) => {
    tokens.set(p.questionId, [...(tokens.get(p.questionId) ?? []), p.text]);
  });
  return { recruiter, tokens };
}

async function voiceSession(server: TestServer, c?: TestCandidate): Promise<{ candidate: TestCandidate; conversation: PlatformConversation }> {
  const candidate = c ?? (await voiceCandidate(server));
  await startVoice(candidate, { omitConversationId: true, webhook: 'off' });
  const conversationId = `conv_${randomUUID().replace(/-/g, '')}`;
  return { candidate, conversation: new PlatformConversation(endpoint(server), KEY, candidate.clientSessionId, conversationId) };
}

describe('Candor as the voice agent’s Custom LLM', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ VOICE_LLM_KEY: KEY, RECRUITER_TOKEN: RECRUITER, TOKEN_FRAME_MS: '0' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('speaks the plan’s questions in order, each streamed to a watching recruiter token by token and stored once, then the closing line', async () => {
    const { candidate, conversation } = await voiceSession(server);
    const { recruiter, tokens } = await watcher(server, candidate.created.sessionId);
    try {
      const spoken: string[] = [];
      let reply = await conversation.opening();
      expect(reply).toMatchObject({ status: 200, done: true });
      // The conversation id read from the prompt is recorded at the first turn.
      expect((await stored(server, candidate.clientSessionId)).voice?.conversationId).toBe(conversation.conversationId);
      for (let turn = 1; reply.text !== CLOSING_LINE; turn++) {
        expect(turn).toBeLessThanOrEqual(21);
        spoken.push(reply.text);
        expect(reply.chunks).toBeGreaterThan(1);
        reply = await conversation.answer(`Spoken answer ${turn}: I would use a queue with idempotent consumers and retries.`);
        expect(reply).toMatchObject({ status: 200, done: true });
      }
      const s = await stored(server, candidate.clientSessionId);
      expect(s.status).toBe('ended_pending_webhook');
      expect(s.endedBy).toBe('server');
      const questions = s.messages.filter((m) => m.role === 'interviewer');
      const answers = s.messages.filter((m) => m.role === 'candidate');
      // Each spoken question stored once, in order, with source voice; each answer once.
      expect(questions.map((q) => q.text)).toEqual(spoken);
      expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
      expect(questions.every((q) => q.source === 'voice')).toBe(true);
      expect(answers).toHaveLength(spoken.length);
      expect(answers.every((a) => a.source === 'voice')).toBe(true);
      // The plan: warm-up first, every question a plan fact, completion honoured (12..20).
      expect(s.plan.asked.map((a) => a.questionId)).toEqual(questions.map((q) => q.id));
      expect(s.plan.asked[0]?.phase).toBe('warmup');
      expect(spoken.length).toBeGreaterThanOrEqual(12);
      expect(spoken.length).toBeLessThanOrEqual(20);
      // The recruiter saw each question token by token, the tokens adding up to the stored text.
      await recruiter.until((v) => v.messages.filter((m) => m.role === 'interviewer').length === questions.length, 5_000, 'questions on the monitor');
      for (const q of questions) {
        expect(tokens.get(q.id)?.length ?? 0).toBeGreaterThan(1);
        expect(tokens.get(q.id)?.join('')).toBe(q.text);
      }
      // After the end: the closing line again, nothing stored.
      const again = await conversation.answer('Hello? Are you still there?');
      expect(again.text).toBe(CLOSING_LINE);
      expect((await stored(server, candidate.clientSessionId)).messages).toHaveLength(s.messages.length);
    } finally {
      recruiter.close();
    }
  });

  it('an opening’s must-ask question is spoken verbatim', async () => {
    const must = 'Walk me through how you would make a payment API idempotent.';
    const opening = await createOpening(server.url, { mustAsk: [must], allowedModes: ['voice'] });
    const candidate = await TestCandidate.create(server.url, { mode: 'voice', openingSlug: opening.slug });
    const { conversation } = await voiceSession(server, candidate);
    const spoken = [(await conversation.opening()).text];
    for (let turn = 1; turn <= 20 && spoken[spoken.length - 1] !== CLOSING_LINE; turn++) {
      spoken.push((await conversation.answer(`Answer ${turn} about ledgers and retries.`)).text);
    }
    expect(spoken.filter((q) => q.includes(must))).toHaveLength(1);
    const s = await stored(server, candidate.clientSessionId);
    expect(s.plan.asked.filter((a) => a.mustAsk === 0)).toHaveLength(1);
  });

  it('refuses a wrong or missing key with 401 and stores nothing', async () => {
    const { candidate, conversation } = await voiceSession(server);
    const body = conversation.body([...conversation.history]);
    expect((await postCompletion(endpoint(server), 'not-the-key-at-all-0123456789', body)).status).toBe(401);
    expect((await postCompletion(endpoint(server), null, body)).status).toBe(401);
    const s = await stored(server, candidate.clientSessionId);
    expect(s.messages).toHaveLength(0);
    expect(s.turn.state).toBe('idle');
  });

  it('a request naming no open voice session gets a spoken refusal, and nothing is stored anywhere', async () => {
    const { candidate } = await voiceSession(server);
    const before = await server.service.require(candidate.clientSessionId);
    const unknown = randomUUID();
    const reply = await postCompletion(endpoint(server), KEY, {
      stream: true,
      messages: [
        { role: 'system', content: renderedSystemPrompt(unknown, 'conv_nobody') },
        { role: 'assistant', content: 'Tell me about yourself.' },
        { role: 'user', content: 'I am a backend engineer.' },
      ],
    });
    expect(reply).toMatchObject({ status: 200, text: REFUSAL_LINE, done: true });
    // Not even a prompt without any session line links by guess.
    const none = await postCompletion(endpoint(server), KEY, { stream: true, messages: [{ role: 'system', content: 'You are an interviewer.' }, { role: 'user', content: 'Hi' }] });
    expect(none.text).toBe(REFUSAL_LINE);
    await expect(server.service.require(unknown)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const after = await server.service.require(candidate.clientSessionId);
    expect(after.messages).toEqual(before.messages);
    expect(after.voice?.conversationId).toBeUndefined();
  });

  it('malformed or hostile bodies with the right key: a 400 error or a spoken refusal, and the store unchanged', async () => {
    const { candidate } = await voiceSession(server);
    const before = await databaseDigest(server.connection);
    const hostileId = fc.oneof(
      fc.constantFrom<unknown>({ $ne: null }, { $gt: '' }, ['x'], 42, null, '', 'not-a-uuid', `${candidate.clientSessionId} `, candidate.clientSessionId.toUpperCase().replace(/-/g, '')),
      fc.string({ maxLength: 80 }),
    );
    const content = fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 2 }), fc.array(fc.record({ type: fc.constant('text'), text: fc.string({ maxLength: 50 }) }), { maxLength: 3 }));
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({
        stream: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
        messages: fc.oneof(fc.array(fc.record({ role: fc.constantFrom<unknown>('system', 'user', 'assistant', 'tool', 1, { $ne: 1 }), content }), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
        elevenlabs_extra_body: fc.oneof(fc.record({ client_session_id: hostileId }), fc.jsonValue({ maxDepth: 2 })),
      }),
      // A prompt naming a session that is not one (or an operator where the id goes).
      hostileId.map((id) => ({ stream: true, messages: [{ role: 'system', content: `Candor session: ${JSON.stringify(id)}\nCandor conversation: {"$ne":1}` }, { role: 'user', content: 'Answer' }] })),
    );
    const bodies = fc.sample(body, { numRuns: 400, seed: 20261130 });
    const problems: string[] = [];
    await pool(bodies, 8, async (b) => {
      const res = await fetch(endpoint(server), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(b) });
      const text = await res.text();
      const ok =
        (res.status === 200 && (text.includes(JSON.stringify(REFUSAL_LINE).slice(1, -1)) || text.includes(REFUSAL_LINE)) && text.endsWith('data: [DONE]\n\n')) ||
        (res.status === 200 && !(b as { stream?: unknown }).stream && text.includes(REFUSAL_LINE)) ||
        ([400, 413].includes(res.status) && isRestError(JSON.parse(text)));
      if (!ok) problems.push(`${res.status} ${JSON.stringify(b).slice(0, 200)} -> ${text.slice(0, 200)}`);
    });
    expect(problems).toEqual([]);
    expect((await databaseDigest(server.connection)).digest).toBe(before.digest);
  }, 120_000);

  it('a recruiter’s nudge shapes the next spoken question on the server; the candidate’s browser gets no voice:context', async () => {
    const { candidate, conversation } = await voiceSession(server);
    await candidate.connect();
    const seen: string[] = [];
    candidate.socket!.onAny((event: string) => seen.push(event));
    const recruiter = await TestRecruiter.connect(server.url, RECRUITER);
    try {
      await recruiter.watch(candidate.created.sessionId);
      await conversation.opening();
      const follow = 'Ask how they would shed load when the queue backs up.';
      await recruiter.call('session:nudge', { sessionId: candidate.created.sessionId, nudgeId: 'llm-nudge-1', kind: 'follow_up', text: follow });
      const next = await conversation.answer('We used a bounded queue with backpressure.');
      expect(next.text).toContain(follow);
      await recruiter.until((_v, _u, r) => r.nudges.get('llm-nudge-1')?.state === 'used', 3_000, 'nudge used');
      const s = await stored(server, candidate.clientSessionId);
      const asked = s.messages.filter((m) => m.role === 'interviewer');
      expect(recruiter.nudges.get('llm-nudge-1')).toMatchObject({ questionId: asked[1]!.id, questionNumber: 2 });
      expect(asked[1]!.text).toBe(next.text);
      expect(seen.filter((e) => e === 'voice:context' || e.startsWith('nudge'))).toEqual([]);
    } finally {
      recruiter.close();
      candidate.disconnect();
    }
  });

  it('a duplicated request (a platform retry) stores the answer once and speaks the same question', async () => {
    const { candidate, conversation } = await voiceSession(server);
    await conversation.opening();
    const retried = await conversation.answer('I built a ledger service.', { retry: true });
    expect(retried.status).toBe(200);
    // The retry of the opening after it was stored replays it.
    const replay = await postCompletion(endpoint(server), KEY, conversation.body([conversation.history[0]!]));
    expect(replay.text).toBe(conversation.history[1]!.content);
    const s = await stored(server, candidate.clientSessionId);
    expect(s.messages.filter((m) => m.role === 'candidate').map((m) => m.text)).toEqual(['I built a ledger service.']);
    const questions = s.messages.filter((m) => m.role === 'interviewer');
    expect(questions).toHaveLength(2);
    expect(questions[1]!.text).toBe(retried.text);
  });
});

describe('overlapping speculative requests', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Slow tokens: the older request is still streaming when the newer one arrives.
    server = await startTestServer({ VOICE_LLM_KEY: KEY, RECRUITER_TOKEN: RECRUITER, SCRIPTED_TOKEN_DELAY_MS: '15', TOKEN_FRAME_MS: '0' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the newer request wins the turn with its text; the superseded question is never stored', async () => {
    const { candidate, conversation } = await voiceSession(server);
    const { recruiter, tokens } = await watcher(server, candidate.created.sessionId);
    try {
      await conversation.opening();
      const full = 'I would shard the ledger by account and keep an idempotency key per request.';
      const reply = await conversation.answer(full, { speculativePrefix: 'I would shard the ledger' });
      expect(reply).toMatchObject({ status: 200, done: true });
      const s = await stored(server, candidate.clientSessionId);
      const answers = s.messages.filter((m) => m.role === 'candidate');
      expect(answers.map((a) => a.text)).toEqual([full]);
      const questions = s.messages.filter((m) => m.role === 'interviewer');
      expect(questions).toHaveLength(2);
      expect(questions[1]!.text).toBe(reply.text);
      expect(s.plan.asked).toHaveLength(2);
      expect(s.turn).toMatchObject({ state: 'awaiting_answer', questionId: questions[1]!.id });
      // The watcher's transcript shows the revised answer, once.
      await recruiter.until((v) => v.messages.filter((m) => m.role === 'candidate').map((m) => m.text).join('|') === full, 5_000, 'the revised answer on the monitor');
      // The recruiter saw the superseded question start streaming, but only the winner was stored.
      await waitFor(async () => tokens.size, (n) => n >= 3, 5_000, 'three streamed questions');
      const superseded = [...tokens.keys()].filter((id) => !questions.some((q) => q.id === id));
      expect(superseded.length).toBeGreaterThanOrEqual(1);
      // The conversation goes on normally.
      const next = await conversation.answer('Another answer.');
      expect(next.status).toBe(200);
      const later = await stored(server, candidate.clientSessionId);
      expect(later.messages.filter((m) => m.role === 'candidate')).toHaveLength(2);
      expect(later.messages.filter((m) => m.role === 'interviewer')).toHaveLength(3);
    } finally {
      recruiter.close();
    }
  });

  it('a speculative request closed before the newer one arrives: the answer is stored once, with the newer text', async () => {
    const { candidate, conversation } = await voiceSession(server);
    await conversation.opening();
    const full = 'Partial words and then the rest of the answer.';
    const reply = await conversation.answer(full, { speculativePrefix: 'Partial words', abortAfterMs: 30, closeFirst: true });
    expect(reply.status).toBe(200);
    const s = await stored(server, candidate.clientSessionId);
    expect(s.messages.filter((m) => m.role === 'candidate').map((m) => m.text)).toEqual([full]);
    expect(s.messages.filter((m) => m.role === 'interviewer')).toHaveLength(2);
  });
});
