import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../../shared/monitor.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedMongo } from '../../src/db/embedded/index.js';
import { TestCandidate } from '../support/candidate.js';
import { withDatabase } from '../support/processes.js';
import { TestRecruiter } from '../support/recruiter.js';
import { api } from '../support/recruiters.js';
import { testRedisUrl } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The whole Custom LLM path without network: two server nodes (in this process, with their
 * own socket servers, leases and simulators) sharing one store and Redis, both with VOICE_LLM_KEY. The candidate talks to node A in simulator mode; A's
 * simulated platform calls the endpoint the way ElevenLabs does (rendered prompt, history,
 * a retried turn, an overlapping speculative request); a recruiter watches on node B.
 */
const ADMIN = 'recruiter-token-voice-llm-two-nodes';
const KEY = 'voice-llm-key-two-nodes-0123456789';

let db: EmbeddedMongo;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  db = await EmbeddedMongo.start({ dir: mkdtempSync(path.join(tmpdir(), 'candor-voice-llm-')), host: '127.0.0.1', port: 0, durability: 'none' });
  const env = {
    SESSION_SECRET: 'voice-llm-two-nodes-secret-0123456789abcdef',
    RECRUITER_TOKEN: ADMIN,
    VOICE_LLM_KEY: KEY,
    SCRIPTED_TOKEN_DELAY_MS: '4',
    TOKEN_FRAME_MS: '0',
    ANSWER_MIN_INTERVAL_MS: '0',
    HTTP_RATE_LIMIT: '0',
    SIMULATED_WEBHOOK_DELAY_MS: '100',
    LOG_LEVEL: 'error',
    MONGODB_URI: withDatabase(db.uri('candor'), `candor_${randomUUID().slice(0, 8)}`),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
  };
  a = await startTestServer(env);
  b = await startTestServer(env);
}, 90_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.close();
});

describe('voice simulator driving the Custom LLM endpoint, watched from another node', () => {
  it('the agent speaks the plan’s questions, streamed token by token to a recruiter on node B, each answer and question stored once, then the webhook links it', async () => {
    const clientSessionId = randomUUID();
    const created = await fetch(`${a.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSessionId, mode: 'voice', role: 'backend-engineer', candidateId: `cand_${clientSessionId.slice(0, 8)}` }),
    });
    expect(created.status).toBe(201);
    const candidate = await TestCandidate.create(a.url, { clientSessionId, mode: 'voice' });
    const start = await candidate.rest('POST', '/api/voice/session', { clientSessionId });
    expect(start.status).toBe(200);

    const recruiter = await TestRecruiter.connect(b.url, ADMIN);
    await recruiter.watch(candidate.created.sessionId);
    const tokens = new Map<string, string[]>();
    (recruiter.socket as unknown as { on(e: string, l: (p: { questionId: string; text: string }) => void): void }).on('question:token', (p) => {
      tokens.set(p.questionId, [...(tokens.get(p.questionId) ?? []), p.text]);
    });

    await candidate.connect();
    expect(await candidate.emit('voice:started', {})).toEqual({ ok: true, status: 'active' });
    const questionsIn = (v: { messages: Array<{ role: string }> }) => v.messages.filter((m) => m.role === 'interviewer').length;
    await candidate.until((v) => questionsIn(v) === 1, 10_000, 'the opening question');
    let turn = 0;
    while (candidate.view.status === 'active' && turn < 21) {
      turn += 1;
      const ack = await candidate.emit('voice:transcript', { messageId: `live-${turn}`, role: 'user', text: `Spoken answer ${turn}: partition by key and keep consumers idempotent with retries.` });
      expect(ack).toMatchObject({ ok: true });
      await candidate.until((v) => questionsIn(v) === turn + 1 || v.status !== 'active', 10_000, `question ${turn + 1}`);
    }
    // The webhook comes after SIMULATED_WEBHOOK_DELAY_MS, and its verification loads the ElevenLabs SDK on first use.
    await candidate.until((v) => v.status === 'completed', 30_000, 'the simulated webhook links the call');

    const detail = (await api(b.url, 'GET', `/api/sessions/${candidate.created.sessionId}`, ADMIN)).body as SessionDetail;
    const questions = detail.messages.filter((m) => m.role === 'interviewer');
    const answers = detail.messages.filter((m) => m.role === 'candidate');
    // Completion honoured: 12..20 questions, the last answer ended it (its closing line is not a question).
    expect(questions.length).toBeGreaterThanOrEqual(12);
    expect(questions.length).toBeLessThanOrEqual(20);
    expect(answers).toHaveLength(questions.length);
    expect(new Set(answers.map((m) => m.id)).size).toBe(answers.length);
    expect(answers.map((m) => m.text)).toEqual(Array.from({ length: answers.length }, (_, i) => `Spoken answer ${i + 1}: partition by key and keep consumers idempotent with retries.`));
    expect(detail.messages.every((m) => m.source === 'voice')).toBe(true);
    expect(detail.plan.asked.map((q) => q.questionId)).toEqual(questions.map((q) => q.id));
    expect(detail.plan.asked[0]?.phase).toBe('warmup');
    // Every stored question reached node B token by token, adding up to its text.
    for (const q of questions) {
      expect(tokens.get(q.id)?.length ?? 0).toBeGreaterThan(1);
      expect(tokens.get(q.id)?.join('')).toBe(q.text);
    }
    expect(detail).toMatchObject({ status: 'completed', voice: { conversationId: `sim_${clientSessionId}` } });
    candidate.disconnect();
    recruiter.close();
  }, 90_000);
});
