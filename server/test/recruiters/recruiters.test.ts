import { createHash } from 'node:crypto';
import { EJSON } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorClientSchemas } from '../../../shared/monitor.js';
import { RECRUITER_TOKEN_PATTERN, type MeResponse, type RecruiterListResponse, type RecruiterView } from '../../../shared/recruiters.js';
import { connectErrorOf, connected, emitAck, rawSocket } from '../hardening/helpers.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { addRecruiter, api } from '../support/recruiters.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-token-for-tests-01';
let server: TestServer;
let candidate: TestCandidate;

beforeAll(async () => {
  server = await startTestServer({ RECRUITER_TOKEN: ADMIN, HTTP_RATE_LIMIT: '0', LOG_LEVEL: 'warn', RECRUITER_RECHECK_MS: '200' });
  candidate = await TestCandidate.create(server.url);
});
afterAll(async () => {
  await server?.close();
});

describe('named recruiters', () => {
  it('the bootstrap token acts as the admin "admin"; a created recruiter signs in with its own token and is named', async () => {
    expect((await api(server.url, 'GET', '/api/recruiters/me', ADMIN)).body).toEqual({ id: 'bootstrap', name: 'admin', role: 'admin' } satisfies MeResponse);
    const created = await addRecruiter(server.url, ADMIN, 'Grace Hopper');
    expect(created).toMatchObject({ name: 'Grace Hopper', role: 'recruiter', createdBy: { id: 'bootstrap', name: 'admin' }, revokedAt: null });
    expect(created.token).toMatch(RECRUITER_TOKEN_PATTERN);
    expect(created.token).toContain(created.id);

    expect((await api(server.url, 'GET', '/api/recruiters/me', created.token)).body).toEqual({ id: created.id, name: 'Grace Hopper', role: 'recruiter' });
    expect((await api(server.url, 'GET', '/api/sessions', created.token)).status).toBe(200);
    const monitor = await TestRecruiter.connect(server.url, created.token);
    expect(await monitor.subscribe()).toEqual(expect.any(Array));
    monitor.close();
  });

  it('the token is shown once: the create response is not cacheable, the list never carries a token or hash, and the store keeps only the SHA-256 of the secret', async () => {
    const res = await api(server.url, 'POST', '/api/recruiters', ADMIN, { name: 'Katherine Johnson', role: 'admin' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token, id } = res.body as RecruiterView & { token: string };
    const secret = token.slice(`cr_${id}_`.length);

    const list = (await api(server.url, 'GET', '/api/recruiters', ADMIN)).body as RecruiterListResponse;
    const listed = list.items.find((r) => r.id === id)!;
    expect(listed).toEqual({ id, name: 'Katherine Johnson', role: 'admin', createdAt: expect.any(String), createdBy: { id: 'bootstrap', name: 'admin' }, revokedAt: null, revokedBy: null });
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(JSON.stringify(list)).not.toContain('secretHash');

    const everything = EJSON.stringify(await server.connection.db!.collection('recruiters').find({}).toArray());
    expect(everything).not.toContain(secret);
    expect(everything).toContain(createHash('sha256').update(secret).digest('hex'));
    // Logs never carry the token, its secret or the name.
    const logs = server.logLines.join('\n');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain('Katherine');
  });

  it('only admins manage recruiters: a recruiter gets 403 on every admin route, a named admin may create and revoke', async () => {
    const plain = await addRecruiter(server.url, ADMIN, 'Plain Recruiter');
    for (const [method, path, body] of [
      ['GET', '/api/recruiters', undefined],
      ['POST', '/api/recruiters', { name: 'Sneaky' }],
      ['DELETE', `/api/recruiters/${plain.id}`, undefined],
      // Erasure (docs/privacy.md) is admin-only too.
      ['DELETE', `/api/sessions/${candidate.created.sessionId}`, undefined],
    ] as const) {
      const res = await api(server.url, method, path, plain.token, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect((await api(server.url, 'GET', `/api/sessions/${candidate.created.sessionId}`, plain.token)).status).toBe(200);
    const namedAdmin = await addRecruiter(server.url, ADMIN, 'Named Admin', 'admin');
    const byNamed = await addRecruiter(server.url, namedAdmin.token, 'Hired By Named');
    expect(byNamed.createdBy).toEqual({ id: namedAdmin.id, name: 'Named Admin' });
    const revoked = await api(server.url, 'DELETE', `/api/recruiters/${byNamed.id}`, namedAdmin.token);
    expect(revoked).toMatchObject({ status: 200, body: { id: byNamed.id, revokedBy: { id: namedAdmin.id, name: 'Named Admin' } } });
  });

  it('revocation holds from the next request; revoking twice keeps the first revocation; unknown ids are 404', async () => {
    const r = await addRecruiter(server.url, ADMIN, 'Short Lived');
    expect((await api(server.url, 'GET', '/api/sessions', r.token)).status).toBe(200);
    const first = await api(server.url, 'DELETE', `/api/recruiters/${r.id}`, ADMIN);
    expect(first.status).toBe(200);
    const revokedAt = (first.body as RecruiterView).revokedAt;
    expect(revokedAt).toEqual(expect.any(String));

    const after = await api(server.url, 'GET', '/api/sessions', r.token);
    expect(after).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'This recruiter token was revoked' } } });
    expect((await api(server.url, 'GET', '/api/recruiters/me', r.token)).status).toBe(401);
    expect(await connectErrorOf(rawSocket(server.url, '/monitor', { token: r.token }))).toMatchObject({ data: { code: 'UNAUTHORIZED' } });

    const again = await api(server.url, 'DELETE', `/api/recruiters/${r.id}`, ADMIN);
    expect(again).toMatchObject({ status: 200, body: { revokedAt } });
    expect((await api(server.url, 'DELETE', '/api/recruiters/0123456789abcdef01234567', ADMIN)).status).toBe(404);
    expect((await api(server.url, 'DELETE', '/api/recruiters/not-an-id', ADMIN)).status).toBe(400);
    expect((await api(server.url, 'DELETE', '/api/recruiters/bootstrap', ADMIN)).status).toBe(400);
  });

  it('a wrong secret for a real id, a malformed token and no token are 401; the bootstrap admin cannot be revoked', async () => {
    const r = await addRecruiter(server.url, ADMIN, 'Target');
    const forged = `cr_${r.id}_${'A'.repeat(43)}`;
    for (const token of [forged, `${r.token}x`, 'cr_nothing', r.token.slice(0, -1)]) {
      expect((await api(server.url, 'GET', '/api/sessions', token)).body, token).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'The recruiter token is not valid' } });
    }
    expect((await api(server.url, 'GET', '/api/sessions', null)).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/recruiters/me', ADMIN)).status).toBe(200);
  });

  it('a candidate token is refused (403 FORBIDDEN) on every recruiter and note route, and on /monitor', async () => {
    const r = await addRecruiter(server.url, ADMIN, 'Someone');
    const sid = candidate.created.sessionId;
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/api/recruiters/me', undefined],
      ['GET', '/api/recruiters', undefined],
      ['POST', '/api/recruiters', { name: 'Candidate Pretending' }],
      ['DELETE', `/api/recruiters/${r.id}`, undefined],
      ['POST', `/api/sessions/${sid}/notes`, { noteId: 'n-cand', text: 'let me in' }],
      ['PATCH', `/api/sessions/${sid}/notes/n-cand`, { text: 'let me in' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(server.url, method, path, candidate.candidateToken, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(await connectErrorOf(rawSocket(server.url, '/monitor', { token: candidate.candidateToken }))).toMatchObject({ data: { code: 'FORBIDDEN' } });
    // Still not revoked, nothing stored.
    expect((await api(server.url, 'GET', '/api/recruiters/me', r.token)).status).toBe(200);
    const doc = await server.connection.db!.collection('interviews').findOne({ clientSessionId: candidate.clientSessionId });
    expect(doc?.notes).toBeUndefined();
  });

  it('a candidate socket on /interview is answered FORBIDDEN on every recruiter event', async () => {
    const socket = rawSocket(server.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken });
    await connected(socket);
    for (const event of Object.keys(monitorClientSchemas)) {
      expect(await emitAck(socket, event, [{ sessionId: candidate.created.sessionId, noteId: 'x', text: 'y' }], 2_000), event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    socket.close();
    const doc = await server.connection.db!.collection('interviews').findOne({ clientSessionId: candidate.clientSessionId });
    expect(doc?.notes).toBeUndefined();
  });

  it('revoking a recruiter mid-session closes their live /monitor sockets, refuses their reconnect, and leaves other recruiters watching', async () => {
    const live = await TestCandidate.create(server.url);
    await live.connect();
    await live.start();
    await live.awaitingAnswer();
    const doomed = await addRecruiter(server.url, ADMIN, 'Doomed');
    const other = await addRecruiter(server.url, ADMIN, 'Other');
    const [a1, a2, b] = await Promise.all([TestRecruiter.connect(server.url, doomed.token), TestRecruiter.connect(server.url, doomed.token), TestRecruiter.connect(server.url, other.token)]);
    await Promise.all([a1.watch(live.created.sessionId), a2.subscribe(), b.watch(live.created.sessionId)]);

    expect((await api(server.url, 'DELETE', `/api/recruiters/${doomed.id}`, ADMIN)).status).toBe(200);
    await a1.until((_v, _u, r) => r.disconnectReason !== null, 2_000, 'a1 cut off');
    await a2.until((_v, _u, r) => r.disconnectReason !== null, 2_000, 'a2 cut off');
    expect(a1.disconnectReason).toBe('io server disconnect');
    expect(await connectErrorOf(rawSocket(server.url, '/monitor', { token: doomed.token }))).toMatchObject({ data: { code: 'UNAUTHORIZED' } });

    // The other recruiter still follows the interview.
    await live.answer('We made every consumer idempotent with a unique key.');
    await b.until((v) => v.messages.filter((m) => m.role === 'interviewer').length === 2, 5_000, 'next question for the other watcher');
    expect(b.disconnectReason).toBeNull();
    live.disconnect();
    b.close();
  });

  it('a revoked recruiter whose socket was not reached by the disconnect is refused on its next event and closed by the periodic check', async () => {
    const r = await addRecruiter(server.url, ADMIN, 'Missed Broadcast');
    const first = await TestRecruiter.connect(server.url, r.token);
    const second = await TestRecruiter.connect(server.url, r.token);
    // Revoked in the store directly: as if the cross-node disconnect was lost (Redis down).
    const { ObjectId } = await import('mongodb');
    await server.connection.db!.collection('recruiters').updateOne({ _id: new ObjectId(r.id) }, { $set: { revokedAt: new Date(), revokedBy: { id: 'bootstrap', name: 'admin' } } });

    await expect(first.subscribe()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'This recruiter token was revoked' });
    await first.until((_v, _u, x) => x.disconnectReason !== null, 2_000, 'closed after the refused event');
    // The other socket sends nothing: RECRUITER_RECHECK_MS (200 ms here) closes it.
    await second.until((_v, _u, x) => x.disconnectReason !== null, 3_000, 'closed by the periodic check');
    expect(second.disconnectReason).toBe('io server disconnect');
  });

  it('invalid recruiter bodies are 400 VALIDATION and store nothing', async () => {
    const before = await server.connection.db!.collection('recruiters').countDocuments();
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(81) }, { name: 'Ok', role: 'owner' }, { name: 'Ok', extra: 1 }, { name: 'Tab\there' }, { name: { $ne: null } }]) {
      const res = await api(server.url, 'POST', '/api/recruiters', ADMIN, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION' } });
    }
    expect(await server.connection.db!.collection('recruiters').countDocuments()).toBe(before);
  });
});
