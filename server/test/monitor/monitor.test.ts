import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionTexts } from '../../../shared/sessionView.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SCRIPTED_TOKEN_DELAY_MS: '8', RECRUITER_TOKEN: 'recruiter-token-for-tests-0001' });
});
afterAll(async () => {
  await server?.close();
});
const TOKEN = 'recruiter-token-for-tests-0001';

async function connectError(auth: Record<string, unknown>): Promise<unknown> {
  const { io } = await import('socket.io-client');
  const socket = io(`${server.url}/monitor`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      resolve(err.data);
    });
  });
}

describe('/monitor auth', () => {
  it('refuses a missing or wrong token with UNAUTHORIZED and a candidate token with FORBIDDEN', async () => {
    const candidate = await TestCandidate.create(server.url);
    expect(await connectError({})).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await connectError({ token: 'not-the-token' })).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await connectError({ token: candidate.candidateToken })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await connectError({ token: TOKEN })).toBe('connected');
  });
});

describe('the live list', () => {
  it('a subscribed recruiter sees a new session appear and follow its status', async () => {
    const recruiter = await TestRecruiter.connect(server.url, TOKEN);
    await recruiter.subscribe();
    const candidate = await TestCandidate.create(server.url);
    await recruiter.until((_, upserts) => upserts.some((u) => u.clientSessionId === candidate.clientSessionId), 2_000, 'created upsert');
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    await recruiter.until(
      (_, upserts) => upserts.some((u) => u.clientSessionId === candidate.clientSessionId && u.status === 'active' && u.questionNumber === 1),
      2_000,
      'active upsert',
    );
    const latest = recruiter.upserts.filter((u) => u.clientSessionId === candidate.clientSessionId).at(-1)!;
    expect(latest).toMatchObject({ mode: 'text', role: 'backend-engineer', phase: 'warmup', linkState: 'none', candidateName: 'Test Candidate' });
    candidate.disconnect();
    recruiter.close();
  });

  it('what changed while no recruiter subscribed is in the list the next one gets, and later changes stream to them', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    const recruiter = await TestRecruiter.connect(server.url, TOKEN);
    const listed = await recruiter.subscribe();
    expect(listed.find((s) => s.clientSessionId === candidate.clientSessionId)).toMatchObject({ status: 'active', questionNumber: 1 });
    await candidate.answer('I would shard by tenant.');
    await recruiter.until((_, upserts) => upserts.some((u) => u.clientSessionId === candidate.clientSessionId && u.questionNumber === 2), 5_000, 'second question upsert');
    candidate.disconnect();
    recruiter.close();
  });
});

describe('watching a session', () => {
  it('a watcher joining mid-question renders exactly the stored text, for 20 questions in a row', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    const recruiter = await TestRecruiter.connect(server.url, TOKEN);
    for (let n = 0; n < 20 && candidate.view.status === 'active'; n++) {
      const joinAt = 1 + (n % 5);
      await candidate.until((v) => (v.streaming !== null && v.streaming.nextIndex >= joinAt) || v.status !== 'active', 5_000, 'mid-question');
      if (candidate.view.status !== 'active') break;
      const questionId = candidate.view.streaming!.questionId;
      await recruiter.watch(candidate.created.sessionId);
      const watched = await recruiter.until((v) => v.messages.some((m) => m.id === questionId), 5_000, 'question end');
      const stored = (await server.service.require(candidate.clientSessionId)).messages.find((m) => m.id === questionId)!;
      expect(watched.gaps).toBe(0);
      expect(questionTexts(watched).at(-1)).toBe(stored.text);
      await recruiter.unwatch(candidate.created.sessionId);
      await candidate.awaitingAnswer();
      await candidate.answer('We used an idempotent consumer with a unique index on the message key.', `a${n}`);
    }
    candidate.disconnect();
    recruiter.close();
  });

  it('a watcher that reconnects mid-question renders the same final text', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    await candidate.start();
    await candidate.until((v) => v.streaming !== null && v.streaming.nextIndex >= 2, 5_000, 'mid-question');
    const first = await TestRecruiter.connect(server.url, TOKEN);
    await first.watch(candidate.created.sessionId);
    await first.until((v) => v.streaming !== null && v.streaming.nextIndex >= 4, 5_000, 'watcher streaming');
    first.close();
    const second = await TestRecruiter.connect(server.url, TOKEN);
    await second.watch(candidate.created.sessionId);
    const done = await second.until((v) => v.turn === 'awaiting_answer' && v.streaming === null, 5_000, 'question end');
    const stored = (await server.service.require(candidate.clientSessionId)).messages.filter((m) => m.role === 'interviewer');
    expect(done.gaps).toBe(0);
    expect(questionTexts(done)).toEqual(stored.map((m) => m.text));
    candidate.disconnect();
    second.close();
  });

  it('watching an unknown session answers NOT_FOUND and a malformed id VALIDATION', async () => {
    const recruiter = await TestRecruiter.connect(server.url, TOKEN);
    await expect(recruiter.call('session:watch', { sessionId: 'ffffffffffffffffffffffff' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(recruiter.call('session:watch', { sessionId: { $ne: 1 } })).rejects.toMatchObject({ code: 'VALIDATION' });
    recruiter.close();
  });
});

describe('recruiter REST', () => {
  async function get(path: string, token?: string) {
    const res = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('lists sessions newest first with filters and cursor pagination', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await TestCandidate.create(server.url)).created.sessionId);
    const page1 = await get('/api/sessions?status=created&limit=2', TOKEN);
    expect(page1.status).toBe(200);
    const items1 = page1.body.items as Array<{ sessionId: string; status: string }>;
    expect(items1.map((i) => i.sessionId)).toEqual([created[2], created[1]]);
    expect(items1.every((i) => i.status === 'created')).toBe(true);
    const page2 = await get(`/api/sessions?status=created&limit=2&cursor=${String(page1.body.nextCursor)}`, TOKEN);
    expect((page2.body.items as Array<{ sessionId: string }>)[0]!.sessionId).toBe(created[0]);
    expect(await get('/api/sessions?status=bogus', TOKEN)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
  });

  it('returns one interview in full, and 401 without a token, 403 with a candidate token', async () => {
    const candidate = await TestCandidate.create(server.url);
    const full = await get(`/api/sessions/${candidate.created.sessionId}`, TOKEN);
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ clientSessionId: candidate.clientSessionId, messages: [], summary: { linkState: 'none' } });
    expect(await get(`/api/sessions/${candidate.created.sessionId}`)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(await get(`/api/sessions/${candidate.created.sessionId}`, candidate.candidateToken)).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(await get('/api/sessions/ffffffffffffffffffffffff', TOKEN)).toMatchObject({ status: 404 });
  });

  it('/metrics counts sockets per namespace, tokens emitted and watch joins', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/candor_connected_sockets\{namespace="interview"\} \d+/);
    expect(text).toMatch(/candor_tokens_emitted_total [1-9]\d*/);
    expect(text).toMatch(/candor_watch_joins_total [1-9]\d*/);
    expect(text).toMatch(/candor_active_interviews \d+/);
  });
});
