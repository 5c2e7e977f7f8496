import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTES_PER_SESSION_MAX, type NoteAddedResponse, type NoteEditedResponse, type WireNote } from '../../../shared/notes.js';
import type { CreateRecruiterResponse } from '../../../shared/recruiters.js';
import { emitAck, rawSocket, connected } from '../hardening/helpers.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { addRecruiter, api } from '../support/recruiters.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-token-for-notes-1';
let server: TestServer;
let ada: CreateRecruiterResponse;
let bob: CreateRecruiterResponse;
let candidate: TestCandidate;
let sessionId: string;
let questionId: string;
let answerId: string;

beforeAll(async () => {
  server = await startTestServer({ RECRUITER_TOKEN: ADMIN, HTTP_RATE_LIMIT: '0', LOG_LEVEL: 'warn' });
  [ada, bob] = await Promise.all([addRecruiter(server.url, ADMIN, 'Ada Lovelace'), addRecruiter(server.url, ADMIN, 'Bob Builder')]);
  candidate = await TestCandidate.create(server.url);
  await candidate.connect();
  await candidate.start();
  await candidate.awaitingAnswer();
  await candidate.answer('I would shard the queue by tenant and keep consumers idempotent.', 'answer-1');
  await candidate.awaitingAnswer();
  sessionId = candidate.created.sessionId;
  questionId = candidate.view.messages[0]!.id;
  answerId = 'answer-1';
});
afterAll(async () => {
  candidate?.disconnect();
  await server?.close();
});

const storedNotes = async (csid = candidate.clientSessionId) =>
  ((await server.connection.db!.collection('interviews').findOne({ clientSessionId: csid }))?.notes as Array<Record<string, unknown>> | undefined) ?? [];

describe('private notes', () => {
  it('a note on a transcript line reaches every watcher of that session with its author, and never the candidate (socket, snapshot, REST, live list)', async () => {
    // Everything the candidate's socket receives, raw.
    const seen: Array<{ event: string; payload: unknown }> = [];
    candidate.socket!.onAny((event: string, payload: unknown) => seen.push({ event, payload }));
    const other = await TestCandidate.create(server.url);
    const [byAda, byAdmin, elsewhere, lister] = await Promise.all([
      TestRecruiter.connect(server.url, ada.token),
      TestRecruiter.connect(server.url, ADMIN),
      TestRecruiter.connect(server.url, bob.token),
      TestRecruiter.connect(server.url, bob.token),
    ]);
    await Promise.all([byAda.watch(sessionId), byAdmin.watch(sessionId), elsewhere.watch(other.created.sessionId), lister.subscribe()]);

    const text = 'PRIVATE-NOTE-7f3a: sharding answer was vague on rebalancing';
    const ack = (await byAda.call('note:add', { sessionId, noteId: 'note-line-1', messageId: answerId, text, rating: 3 })) as NoteAddedResponse;
    expect(ack).toMatchObject({ ok: true, created: true, note: { id: 'note-line-1', sessionId, messageId: answerId, text, rating: 3, author: { id: ada.id, name: 'Ada Lovelace' } } });
    await byAdmin.until((_v, _u, r) => r.notes.has('note-line-1'), 2_000, 'note:upserted for the admin watcher');
    await byAda.until((_v, _u, r) => r.notes.has('note-line-1'), 2_000, 'note:upserted for the author');
    expect(byAdmin.notes.get('note-line-1')).toEqual(ack.note);

    // Session-level note over REST reaches the watchers the same way.
    const rest = await api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, ADMIN, { noteId: 'note-session-1', text: `${text} (session)` });
    expect(rest).toMatchObject({ status: 201, body: { created: true, note: { messageId: null, rating: null, author: { id: 'bootstrap', name: 'admin' } } } });
    await byAda.until((_v, _u, r) => r.notes.has('note-session-1'), 2_000, 'REST note reaches the socket watcher');

    // The candidate: no note event, and the text nowhere — live, in a fresh snapshot, over REST.
    await candidate.answer('And I would add a dead-letter queue with alerts.', 'answer-2');
    await candidate.awaitingAnswer();
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.map((s) => s.event).filter((e) => e.startsWith('note'))).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain('PRIVATE-NOTE-7f3a');
    expect(JSON.stringify(candidate.view)).not.toContain('PRIVATE-NOTE-7f3a');
    const reconnecting = await TestCandidate.create(server.url, { clientSessionId: candidate.clientSessionId });
    const raw = rawSocket(server.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: reconnecting.candidateToken });
    const snapshot = new Promise<unknown>((resolve) => raw.once('session:state', resolve));
    await connected(raw);
    const state = JSON.stringify(await snapshot);
    expect(state).toContain('dead-letter');
    expect(state).not.toContain('PRIVATE-NOTE-7f3a');
    expect(state).not.toContain('notes');
    raw.close();
    const byClient = await candidate.rest('GET', `/api/sessions/by-client/${candidate.clientSessionId}`);
    expect(byClient.status).toBe(200);
    expect(JSON.stringify(byClient.body)).not.toContain('PRIVATE-NOTE-7f3a');
    expect(JSON.stringify(byClient.body)).not.toContain('Ada Lovelace');
    // Neither in the live list rows, nor for a watcher of another session.
    expect(JSON.stringify(lister.upserts)).not.toContain('PRIVATE-NOTE-7f3a');
    expect(elsewhere.notes.size).toBe(0);
    for (const r of [byAda, byAdmin, elsewhere, lister]) r.close();
  });

  it('a retried add with the same noteId stores one note, also when the retries race', async () => {
    const body = { noteId: 'note-retry', messageId: questionId, text: 'asked well', rating: 5 };
    const first = await api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, ada.token, body);
    const second = await api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, ada.token, body);
    expect(first).toMatchObject({ status: 201, body: { created: true } });
    expect(second).toMatchObject({ status: 200, body: { created: false, note: (first.body as NoteAddedResponse).note } });
    const socket = await TestRecruiter.connect(server.url, ada.token);
    expect(await socket.call('note:add', { sessionId, ...body })).toMatchObject({ ok: true, created: false });

    const racing = await Promise.all(Array.from({ length: 8 }, () => api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, ada.token, { ...body, noteId: 'note-race' })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const stored = await storedNotes();
    expect(stored.filter((n) => n.id === 'note-retry')).toHaveLength(1);
    expect(stored.filter((n) => n.id === 'note-race')).toHaveLength(1);
    // Someone else reusing the id is a conflict, not a silent overwrite.
    const stolen = await api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, bob.token, { ...body, text: 'mine now' });
    expect(stolen).toMatchObject({ status: 409, body: { error: { code: 'STATE_CONFLICT' } } });
    expect(stored.find((n) => n.id === 'note-retry')).toMatchObject({ text: 'asked well', author: { id: ada.id, name: 'Ada Lovelace' } });
    socket.close();
  });

  it('only its author edits a note (REST and socket); watchers get every edit; a rating can be cleared', async () => {
    const watcher = await TestRecruiter.connect(server.url, bob.token);
    await watcher.watch(sessionId);
    await api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, ada.token, { noteId: 'note-edit', text: 'first take', rating: 2 });

    const bobTries = await api(server.url, 'PATCH', `/api/sessions/${sessionId}/notes/note-edit`, bob.token, { text: 'bob was here' });
    expect(bobTries).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Only the author of a note can edit it' } } });
    const adminTries = await api(server.url, 'PATCH', `/api/sessions/${sessionId}/notes/note-edit`, ADMIN, { rating: 5 });
    expect(adminTries.status).toBe(403);
    expect(await watcher.call('note:edit', { sessionId, noteId: 'note-edit', text: 'bob again' }).catch((e: unknown) => e)).toMatchObject({ code: 'FORBIDDEN' });
    expect((await storedNotes()).find((n) => n.id === 'note-edit')).toMatchObject({ text: 'first take', rating: 2 });

    const edited = await api(server.url, 'PATCH', `/api/sessions/${sessionId}/notes/note-edit`, ada.token, { text: 'second take', rating: null });
    expect(edited).toMatchObject({ status: 200, body: { note: { text: 'second take', rating: null, author: { name: 'Ada Lovelace' } } } });
    const note = (edited.body as NoteEditedResponse).note;
    expect(note.updatedAt > note.createdAt).toBe(true);
    await watcher.until((_v, _u, r) => r.notes.get('note-edit')?.text === 'second take', 2_000, 'edit reaches the watcher');
    expect(watcher.notes.get('note-edit')?.rating).toBeNull();

    const adaSocket = await TestRecruiter.connect(server.url, ada.token);
    const viaSocket = (await adaSocket.call('note:edit', { sessionId, noteId: 'note-edit', rating: 4 })) as NoteEditedResponse;
    expect(viaSocket.note).toMatchObject({ text: 'second take', rating: 4 });
    await watcher.until((_v, _u, r) => r.notes.get('note-edit')?.rating === 4, 2_000, 'socket edit reaches the watcher');
    watcher.close();
    adaSocket.close();
  });

  it('the recruiter session detail and a new watcher get every note with its author; notes do not touch the interview’s updatedAt', async () => {
    const before = (await server.connection.db!.collection('interviews').findOne({ clientSessionId: candidate.clientSessionId }))!.updatedAt as Date;
    await api(server.url, 'POST', `/api/sessions/${sessionId}/notes`, bob.token, { noteId: 'note-detail', text: 'good communication' });
    const after = (await server.connection.db!.collection('interviews').findOne({ clientSessionId: candidate.clientSessionId }))!.updatedAt as Date;
    expect(after.getTime()).toBe(before.getTime());

    const detail = await api(server.url, 'GET', `/api/sessions/${sessionId}`, ada.token);
    const notes = (detail.body as { notes: WireNote[] }).notes;
    expect(notes.find((n) => n.id === 'note-detail')).toEqual({
      id: 'note-detail',
      sessionId,
      messageId: null,
      text: 'good communication',
      rating: null,
      author: { id: bob.id, name: 'Bob Builder' },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(notes.find((n) => n.id === 'note-line-1')?.author).toEqual({ id: ada.id, name: 'Ada Lovelace' });
    const late = await TestRecruiter.connect(server.url, ADMIN);
    await late.watch(sessionId);
    expect([...late.notes.keys()].sort()).toEqual(notes.map((n) => n.id).sort());
    late.close();
  });

  it('refuses invalid notes with documented errors and stores nothing', async () => {
    const count = (await storedNotes()).length;
    const post = (body: unknown, sid = sessionId) => api(server.url, 'POST', `/api/sessions/${sid}/notes`, ada.token, body);
    for (const body of [
      { noteId: 'bad-1', text: 'x'.repeat(2001) },
      { noteId: 'bad-2', text: '   ' },
      { noteId: 'bad-3', text: 'ok', rating: 0 },
      { noteId: 'bad-4', text: 'ok', rating: 6 },
      { noteId: 'bad-5', text: 'ok', rating: 2.5 },
      { noteId: 'bad 6', text: 'ok' },
      { text: 'no id' },
      { noteId: 'bad-7', text: 'ok', author: { id: 'bootstrap', name: 'forged' } },
      { noteId: 'bad-8', text: 'ok', messageId: { $ne: null } },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION' } });
    }
    expect(await post({ noteId: 'bad-9', text: 'on a line that does not exist', messageId: 'no-such-line' })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await post({ noteId: 'bad-10', text: 'ok' }, '0123456789abcdef01234567')).toMatchObject({ status: 404 });
    expect(await post({ noteId: 'bad-11', text: 'ok' }, 'not-a-session')).toMatchObject({ status: 400 });
    expect((await api(server.url, 'PATCH', `/api/sessions/${sessionId}/notes/no-such-note`, ada.token, { text: 'x' })).status).toBe(404);
    expect((await api(server.url, 'PATCH', `/api/sessions/${sessionId}/notes/note-line-1`, ada.token, {})).status).toBe(400);
    expect((await api(server.url, 'PATCH', `/api/sessions/${sessionId}/notes/note-line-1`, ada.token, { text: 'y'.repeat(2001) })).status).toBe(400);
    const socket = rawSocket(server.url, '/monitor', { token: ada.token });
    await connected(socket);
    expect(await emitAck(socket, 'note:add', [{ sessionId, noteId: 'bad-12', text: '' }])).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await emitAck(socket, 'note:edit', [{ sessionId, noteId: 'note-line-1' }])).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    socket.close();
    expect((await storedNotes()).length).toBe(count);
  });

  it(`keeps at most ${NOTES_PER_SESSION_MAX} notes per session: the next one is 409 and nothing grows`, async () => {
    const fresh = await TestCandidate.create(server.url);
    // All but the last slot filled directly in the store (fast); the last one and the one over it go through REST.
    const at = new Date();
    const filler = Array.from({ length: NOTES_PER_SESSION_MAX - 1 }, (_, i) => ({ id: `cap-${i}`, text: `note ${i}`, author: { id: ada.id, name: 'Ada Lovelace' }, createdAt: at, updatedAt: at }));
    await server.connection.db!.collection('interviews').updateOne({ clientSessionId: fresh.clientSessionId }, { $push: { notes: { $each: filler } } } as never);
    const last = await api(server.url, 'POST', `/api/sessions/${fresh.created.sessionId}/notes`, ada.token, { noteId: 'cap-last', text: 'the last one' });
    expect(last.status).toBe(201);
    const over = await api(server.url, 'POST', `/api/sessions/${fresh.created.sessionId}/notes`, ada.token, { noteId: 'cap-over', text: 'one too many' });
    expect(over).toMatchObject({ status: 409, body: { error: { code: 'STATE_CONFLICT' } } });
    expect(await storedNotes(fresh.clientSessionId)).toHaveLength(NOTES_PER_SESSION_MAX);
  });
});
