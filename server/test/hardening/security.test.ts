import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, secretWeakness } from '../../src/config.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { connected, connectErrorOf, databaseDigest, isRestError, rawSocket, trackedServers } from './helpers.js';

const { server, track } = trackedServers();

describe('origins (CORS_ORIGINS)', () => {
  it('serves same-origin and header-less callers, refuses foreign origins on REST and socket.io, and answers allowed origins with CORS headers', async () => {
    const s = await server({ NODE_ENV: 'test', CORS_ORIGINS: 'https://app.example.com' });
    const get = (origin?: string, method = 'GET') => fetch(`${s.url}/api/roles`, { method, headers: origin ? { origin, 'access-control-request-method': 'POST' } : {} });

    expect((await get()).status).toBe(200);
    expect((await get(s.url)).status).toBe(200); // same origin
    const foreign = await get('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await foreign.json()) as unknown;
    expect(isRestError(body)).toBe(true);
    expect(body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await get('null')).status).toBe(403);
    expect((await get('https://evil.example', 'OPTIONS')).status).toBe(403);

    const preflight = await get('https://app.example.com', 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const allowed = await get('https://app.example.com');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    // The dev server's origin is not allowed outside development.
    expect((await get('http://localhost:5173')).status).toBe(403);

    // socket.io: the handshake of a foreign page is refused; an allowed one connects.
    const recruiter = { token: s.config.recruiterToken };
    const evil = track(rawSocket(s.url, '/monitor', recruiter, { extraHeaders: { origin: 'https://evil.example' } }));
    await expect(connectErrorOf(evil)).resolves.toBeDefined();
    await connected(track(rawSocket(s.url, '/monitor', recruiter, { extraHeaders: { origin: 'https://app.example.com' } })));
    await connected(track(rawSocket(s.url, '/monitor', recruiter, { extraHeaders: { origin: s.url } })));
  });

  it('allows the Vite dev server by default in development only', () => {
    expect(loadConfig({}).corsOrigins).toEqual(['http://localhost:5173', 'http://127.0.0.1:5173']);
    expect(loadConfig({ NODE_ENV: 'test' }).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, https://b.example.com:8443/' }).corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com:8443']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(ConfigError);
  });
});

describe('a candidate token is bound to its session', () => {
  it("refuses A's token on every candidate route and socket of B, and refuses candidate tokens on recruiter surfaces", async () => {
    const s = await server();
    const a = await TestCandidate.create(s.url);
    const b = await TestCandidate.create(s.url);
    const before = await databaseDigest(s.connection);
    const csid = b.clientSessionId;
    const tokenA = a.candidateToken;

    const attempts = [
      await b.rest('GET', `/api/sessions/by-client/${csid}`, undefined, tokenA),
      await b.rest('POST', `/api/sessions/${csid}/messages`, { messageId: 'x1', text: 'not mine' }, tokenA),
      await b.rest('POST', `/api/sessions/${csid}/end`, { endedBy: 'user' }, tokenA),
      await b.rest('POST', `/api/sessions/${csid}/end`, { endedBy: 'user', candidateToken: tokenA }, null), // sendBeacon form
      await b.rest('POST', '/api/voice/session', { clientSessionId: csid }, tokenA),
    ];
    const beacon = await fetch(`${s.url}/api/sessions/${csid}/end`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ endedBy: 'user', candidateToken: tokenA }) });
    attempts.push({ status: beacon.status, body: (await beacon.json()) as unknown });
    for (const attempt of attempts) {
      expect(attempt.status).toBe(401);
      expect(attempt.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    const socket = track(rawSocket(s.url, '/interview', { clientSessionId: csid, candidateToken: tokenA }));
    expect((await connectErrorOf(socket)).data).toMatchObject({ code: 'UNAUTHORIZED' });
    // A candidate token is the wrong party on recruiter REST and /monitor.
    expect(await b.rest('GET', '/api/sessions', undefined, tokenA)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await b.rest('GET', `/api/sessions/${b.created.sessionId}`, undefined, tokenA)).toMatchObject({ status: 403 });
    await expect(TestRecruiter.connect(s.url, tokenA)).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect((await databaseDigest(s.connection)).digest).toBe(before.digest);
    // B's own token still works.
    expect((await b.rest('GET', `/api/sessions/by-client/${csid}`)).status).toBe(200);
  });
});

describe('production secrets', () => {
  const production = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db:27017/candor' };
  const strong = { SESSION_SECRET: 'Zq7vN2kLw9Xc4RbT1yHs8MfJ3pGd6AeU', RECRUITER_TOKEN: 'r8Kp2Wm5Qx9Lt4Vz' };

  it.each([
    ['one repeated character', { SESSION_SECRET: 'a'.repeat(40) }],
    ['a repeated pattern', { SESSION_SECRET: 'ab12cd34'.repeat(5) }],
    ['a run of consecutive characters', { SESSION_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789' }],
    ['a placeholder', { RECRUITER_TOKEN: 'changeme-please-now' }],
    ['a placeholder', { SESSION_SECRET: 'your-session-secret-goes-here-1234' }],
    ['too few distinct characters', { RECRUITER_TOKEN: 'abababababababab1' }],
  ])('refuses %s', (_why, weak) => {
    expect(() => loadConfig({ ...production, ...strong, ...weak })).toThrow(/too weak for NODE_ENV=production/);
  });

  it('accepts generated secrets, and weak ones outside production', () => {
    expect(() => loadConfig({ ...production, ...strong })).not.toThrow();
    for (let i = 0; i < 200; i++) {
      expect(secretWeakness(Buffer.from(randomUUID() + randomUUID()).toString('base64url').slice(0, 43))).toBeUndefined();
    }
    expect(() => loadConfig({ SESSION_SECRET: 'a'.repeat(40), RECRUITER_TOKEN: 'r'.repeat(16) })).not.toThrow();
  });
});

describe('log redaction over a full interview', () => {
  it('writes no answer, question, name, evaluation text, token or secret into any log line', async () => {
    const s = await server({ LOG_LEVEL: 'debug' });
    const name = 'Quintessa Marlowe-Zed';
    const clientSessionId = randomUUID();
    const created = await fetch(`${s.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSessionId, mode: 'text', role: 'backend-engineer', candidateName: name }),
    });
    expect(created.status).toBe(201);
    const candidate = await TestCandidate.create(s.url, { clientSessionId });
    const recruiter = await TestRecruiter.connect(s.url, s.config.recruiterToken);
    await recruiter.subscribe();
    await candidate.connect();
    await recruiter.watch(candidate.created.sessionId);
    await candidate.start();
    const answers: string[] = [];
    for (let i = 0; candidate.view.status === 'active'; i++) {
      const view = await candidate.until((v) => (v.turn === 'awaiting_answer' && v.streaming === null) || v.status === 'completed', 20_000, 'question');
      if (view.status === 'completed') break;
      const text = `Zebrafish-${i} answer: I partitioned the ledger by tenant and replayed the outbox idempotently (${randomUUID()}).`;
      answers.push(text);
      expect(await candidate.answer(text, `ans-${i}`)).toMatchObject({ ok: true });
      await candidate.nextQuestion(`ans-${i}`, 20_000);
    }
    await candidate.until((v) => v.evaluationStatus === 'complete', 30_000, 'evaluation');
    // Recruiter and candidate REST reads of the full transcript, and a refused call carrying a token.
    const full = await candidate.rest('GET', `/api/sessions/${candidate.created.sessionId}`, undefined, s.config.recruiterToken);
    expect(full.status).toBe(200);
    await candidate.rest('GET', `/api/sessions/by-client/${clientSessionId}`);
    await candidate.rest('POST', `/api/sessions/${clientSessionId}/messages`, { messageId: 'late', text: answers[0] });
    recruiter.close();
    candidate.disconnect();

    const doc = full.body as { messages: Array<{ text: string }>; evaluation?: { result?: Record<string, unknown> } };
    const evaluationTexts = JSON.stringify(doc.evaluation?.result ?? {})
      .match(/"(?:[^"\\]|\\.){24,}"/g)
      ?.map((q) => JSON.parse(q) as string) ?? [];
    const forbidden = [
      name,
      ...doc.messages.map((m) => m.text),
      ...answers,
      ...evaluationTexts,
      candidate.candidateToken,
      candidate.candidateToken.slice(3), // the HMAC part alone
      s.config.recruiterToken,
      s.config.sessionSecret,
      s.config.voice.webhookSecret,
    ];
    expect(doc.messages.length).toBeGreaterThanOrEqual(24);
    expect(s.logLines.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const line of s.logLines) {
      for (const secret of forbidden) if (line.includes(secret)) leaks.push(`${secret.slice(0, 30)}… in ${line.slice(0, 200)}`);
      if (line.includes('Zebrafish-')) leaks.push(`answer fragment in ${line.slice(0, 200)}`);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
