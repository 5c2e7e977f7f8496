import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpeningListResponse, OpeningView, PersonaSummary, PublicOpening } from '../../../shared/opening.js';
import type { CreateSessionResponse } from '../../../shared/protocol.js';
import { TestCandidate } from '../support/candidate.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, createOpening, errorCode, RECRUITER } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RECRUITER_TOKEN: RECRUITER });
});
afterAll(async () => {
  await server?.close();
});

describe('openings API: auth and validation', () => {
  it('recruiter routes need the recruiter token: none -> 401, a candidate token -> 403', async () => {
    const candidate = await TestCandidate.create(server.url);
    const opening = await createOpening(server.url);
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/api/openings', { title: 't', role: 'backend-engineer' }],
      ['GET', '/api/openings'],
      ['GET', `/api/openings/${opening.id}`],
      ['PATCH', `/api/openings/${opening.id}`, { version: 1, title: 'x' }],
      ['POST', `/api/openings/${opening.id}/archive`],
      ['POST', `/api/openings/${opening.id}/rotate-slug`],
      ['GET', '/api/stats'],
    ];
    for (const [method, path, body] of routes) {
      const none = await call(server.url, method, path, body, null);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(errorCode(none)).toBe('UNAUTHORIZED');
      const wrongParty = await call(server.url, method, path, body, candidate.candidateToken);
      expect(wrongParty.status, `${method} ${path}`).toBe(403);
      expect(errorCode(wrongParty)).toBe('FORBIDDEN');
    }
    // Nothing changed on the opening.
    expect((await call<OpeningView>(server.url, 'GET', `/api/openings/${opening.id}`)).body).toMatchObject({ version: 1, archivedAt: null, slug: opening.slug });
  });

  it('creates with defaults and refuses invalid openings with VALIDATION details', async () => {
    const created = await createOpening(server.url);
    expect(created).toMatchObject({
      role: 'backend-engineer',
      jobDescription: '',
      length: { minQuestions: 12, maxQuestions: 20 },
      allowedModes: ['text', 'voice'],
      persona: 'neutral',
      mustAsk: [],
      version: 1,
      archivedAt: null,
    });
    expect(created.slug).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.link).toBe(`/o/${created.slug}`);

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ role: 'astronaut' }, 'role'],
      [{ jobDescription: 'x'.repeat(20_001) }, 'jobDescription'],
      [{ length: { minQuestions: 15, maxQuestions: 13 } }, 'length.minQuestions'],
      [{ length: { minQuestions: 11, maxQuestions: 20 } }, 'length.minQuestions'],
      [{ length: { minQuestions: 12, maxQuestions: 21 } }, 'length.maxQuestions'],
      [{ mustAsk: Array.from({ length: 11 }, (_, i) => `Question ${i}?`) }, 'mustAsk'],
      [{ mustAsk: ['x'.repeat(501)] }, 'mustAsk.0'],
      [{ length: { minQuestions: 12, maxQuestions: 12 }, mustAsk: Array.from({ length: 10 }, (_, i) => `Question ${i}?`) }, 'mustAsk'],
      [{ persona: 'grumpy' }, 'persona'],
      [{ allowedModes: [] }, 'allowedModes'],
      [{ allowedModes: ['text', 'text'] }, 'allowedModes'],
      [{ title: '' }, 'title'],
      [{ slug: 'mine' }, '(root)'],
    ];
    for (const [fields, path] of bad) {
      const res = await call(server.url, 'POST', '/api/openings', { title: 'Opening', role: 'backend-engineer', ...fields });
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(errorCode(res)).toBe('VALIDATION');
      const details = (res.body as { error: { details?: Array<{ path: string }> } }).error.details ?? [];
      if (path !== '(root)') expect(details.map((d) => d.path)).toContain(path);
    }
    // A 20,000-character job description is fine (the JSON body limit allows it), also in a 3-byte UTF-8 script
    // with ten 500-character must-ask questions (about 75 KB on the wire).
    const long = await call(server.url, 'POST', '/api/openings', { title: 'Long', role: 'backend-engineer', jobDescription: 'a'.repeat(20_000) });
    expect(long.status).toBe(201);
    const cjk = await call(server.url, 'POST', '/api/openings', {
      title: '后端工程师',
      role: 'backend-engineer',
      jobDescription: '设计分布式系统'.repeat(2_857),
      mustAsk: Array.from({ length: 10 }, () => '请描述一次生产事故'.repeat(55)),
    });
    expect(cjk.status).toBe(201);
  });

  it('GET one, list newest first (archived only on request), unknown ids -> 404', async () => {
    const a = await createOpening(server.url, { title: 'List A' });
    const b = await createOpening(server.url, { title: 'List B' });
    expect((await call<OpeningView>(server.url, 'GET', `/api/openings/${a.id}`)).body.title).toBe('List A');
    expect((await call(server.url, 'GET', '/api/openings/0123456789abcdef01234567')).status).toBe(404);
    expect((await call(server.url, 'GET', '/api/openings/not-an-id')).status).toBe(404);
    await call(server.url, 'POST', `/api/openings/${a.id}/archive`);
    const active = (await call<OpeningListResponse>(server.url, 'GET', '/api/openings?limit=100')).body.items.map((o) => o.id);
    expect(active).toContain(b.id);
    expect(active).not.toContain(a.id);
    const all = (await call<OpeningListResponse>(server.url, 'GET', '/api/openings?includeArchived=true&limit=100')).body.items.map((o) => o.id);
    expect(all.indexOf(b.id)).toBeLessThan(all.indexOf(a.id));
    const page = await call<OpeningListResponse>(server.url, 'GET', '/api/openings?includeArchived=true&limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).not.toBeNull();
    const next = await call<OpeningListResponse>(server.url, 'GET', `/api/openings?includeArchived=true&limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0]?.id).not.toBe(page.body.items[0]?.id);
  });

  it('GET /api/personas lists at least warm, neutral and probing (public)', async () => {
    const res = await call<PersonaSummary[]>(server.url, 'GET', '/api/personas', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body.map((p) => p.id)).toEqual(expect.arrayContaining(['warm', 'neutral', 'probing']));
    for (const p of res.body) expect(p.description.length).toBeGreaterThan(10);
  });
});

describe('openings API: concurrent edits', () => {
  it('two edits of the same version: one wins, the other gets 409 STATE_CONFLICT, nothing is lost', async () => {
    const opening = await createOpening(server.url, { jobDescription: 'original' });
    const [first, second] = await Promise.all([
      call<OpeningView>(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, title: 'Edited by Ann' }),
      call<OpeningView>(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, jobDescription: 'Edited by Bob: Postgres, Kafka' }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    const winner = first.status === 200 ? first : second;
    expect(errorCode(loser)).toBe('STATE_CONFLICT');
    expect(winner.body.version).toBe(2);

    const stored = (await call<OpeningView>(server.url, 'GET', `/api/openings/${opening.id}`)).body;
    expect(stored).toEqual(winner.body); // exactly the winner's write, nothing of the loser's
    // The loser reloads and re-applies its edit on version 2: both edits are now stored.
    const loserEdit = loser === first ? { title: 'Edited by Ann' } : { jobDescription: 'Edited by Bob: Postgres, Kafka' };
    const retried = await call<OpeningView>(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 2, ...loserEdit });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ version: 3, title: 'Edited by Ann', jobDescription: 'Edited by Bob: Postgres, Kafka' });
  });

  it('ten concurrent edits of one version: exactly one is stored', async () => {
    const opening = await createOpening(server.url);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call<OpeningView>(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, title: `Title ${i}` })),
    );
    const won = replies.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(9);
    const stored = (await call<OpeningView>(server.url, 'GET', `/api/openings/${opening.id}`)).body;
    expect(stored.version).toBe(2);
    expect(stored.title).toBe(won[0]!.body.title);
  });

  it('PATCH validates the merged opening, refuses a stale version, unknown ids and archived openings', async () => {
    const opening = await createOpening(server.url, { mustAsk: ['Why payments?'] });
    const tooLong = await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, length: { minQuestions: 13, maxQuestions: 12 } });
    expect(tooLong.status).toBe(400);
    const unknownField = await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, slug: 'x' });
    expect(unknownField.status).toBe(400);
    const noVersion = await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { title: 'x' });
    expect(noVersion.status).toBe(400);
    const badRole = await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, role: 'astronaut' });
    expect(badRole.status).toBe(400);
    const stale = await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 7, title: 'x' });
    expect(stale.status).toBe(409);
    expect((stale.body as { error: { details: Array<{ message: string }> } }).error.details[0]?.message).toContain('current version is 1');
    expect((await call(server.url, 'PATCH', '/api/openings/0123456789abcdef01234567', { version: 1, title: 'x' })).status).toBe(404);
    await call(server.url, 'POST', `/api/openings/${opening.id}/archive`);
    const archived = await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 2, title: 'x' });
    expect(archived.status).toBe(409);
    expect((await call<OpeningView>(server.url, 'GET', `/api/openings/${opening.id}`)).body.title).toBe(opening.title);
  });
});

describe('candidate links', () => {
  it('the public view shows title, role, persona, modes and length — never the job description or must-ask questions', async () => {
    const opening = await createOpening(server.url, {
      persona: 'warm',
      allowedModes: ['text'],
      jobDescription: 'Secret sauce',
      mustAsk: ['Confidential question?'],
      length: { minQuestions: 12, maxQuestions: 15 },
    });
    const res = await call<PublicOpening>(server.url, 'GET', `/api/o/${opening.slug}`, undefined, null);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      slug: opening.slug,
      title: opening.title,
      role: { id: 'backend-engineer', title: 'Backend Engineer' },
      persona: { id: 'warm', name: 'Warm' },
      allowedModes: ['text'],
      length: { minQuestions: 12, maxQuestions: 15 },
    });
    expect(res.body.focusNotice).toMatch(/hidden|paste/i);
    expect(JSON.stringify(res.body)).not.toMatch(/Secret sauce|Confidential/);
  });

  it('rotating the slug invalidates the old link at once; the new one works', async () => {
    const opening = await createOpening(server.url);
    const rotated = await call<OpeningView>(server.url, 'POST', `/api/openings/${opening.id}/rotate-slug`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.slug).not.toBe(opening.slug);
    expect(rotated.body.version).toBe(2);
    const old = await call(server.url, 'GET', `/api/o/${opening.slug}`, undefined, null);
    expect(old.status).toBe(404);
    expect(errorCode(old)).toBe('NOT_FOUND');
    expect((await call(server.url, 'GET', `/api/o/${rotated.body.slug}`, undefined, null)).status).toBe(200);
    // The old slug cannot start a session either.
    const session = await call(server.url, 'POST', '/api/sessions', { clientSessionId: randomUUID(), mode: 'text', openingSlug: opening.slug }, null);
    expect(session.status).toBe(404);
    // An editor holding version 1 learns that something changed.
    expect((await call(server.url, 'PATCH', `/api/openings/${opening.id}`, { version: 1, title: 'x' })).status).toBe(409);
  });

  it('unknown or malformed slugs are 404 NOT_FOUND with a message', async () => {
    for (const slug of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', '%7B%22%24ne%22%3A1%7D']) {
      const res = await call(server.url, 'GET', `/api/o/${slug}`, undefined, null);
      expect(res.status).toBe(404);
      expect(errorCode(res)).toBe('NOT_FOUND');
    }
  });

  it('a session created from a slug carries openingId and the opening role; a wrong role or mode is refused', async () => {
    const opening = await createOpening(server.url, { role: 'data-scientist', allowedModes: ['text'] });
    const clientSessionId = randomUUID();
    const res = await call<CreateSessionResponse>(server.url, 'POST', '/api/sessions', { clientSessionId, mode: 'text', openingSlug: opening.slug, candidateName: 'Ada' }, null);
    expect(res.status).toBe(201);
    const stored = await server.service.require(clientSessionId);
    expect(stored.openingId).toBe(opening.id);
    expect(stored.role).toBe('data-scientist');
    // Retrying the create returns the same session.
    const again = await call<CreateSessionResponse>(server.url, 'POST', '/api/sessions', { clientSessionId, mode: 'text', openingSlug: opening.slug }, null);
    expect(again.status).toBe(200);
    expect(again.body.sessionId).toBe(res.body.sessionId);

    const voice = await call(server.url, 'POST', '/api/sessions', { clientSessionId: randomUUID(), mode: 'voice', openingSlug: opening.slug }, null);
    expect(voice.status).toBe(400);
    expect(JSON.stringify(voice.body)).toContain('mode');
    const role = await call(server.url, 'POST', '/api/sessions', { clientSessionId: randomUUID(), mode: 'text', role: 'backend-engineer', openingSlug: opening.slug }, null);
    expect(role.status).toBe(400);
    const neither = await call(server.url, 'POST', '/api/sessions', { clientSessionId: randomUUID(), mode: 'text' }, null);
    expect(neither.status).toBe(400);
    // A client cannot bind an opening by id (that would skip the archive and mode checks).
    const byId = await call(server.url, 'POST', '/api/sessions', { clientSessionId: randomUUID(), mode: 'text', role: 'backend-engineer', openingId: opening.id }, null);
    expect(byId.status).toBe(400);

    // The recruiter lists the opening's sessions.
    const list = await call<{ items: Array<{ clientSessionId: string; openingId?: string }> }>(server.url, 'GET', `/api/sessions?openingId=${opening.id}`);
    expect(list.body.items.map((i) => i.clientSessionId)).toEqual([clientSessionId]);
    expect(list.body.items[0]?.openingId).toBe(opening.id);
  });

  it('an archived opening refuses new sessions with 410 GONE; its sessions keep their history', async () => {
    const opening = await createOpening(server.url);
    const clientSessionId = randomUUID();
    expect((await call(server.url, 'POST', '/api/sessions', { clientSessionId, mode: 'text', openingSlug: opening.slug }, null)).status).toBe(201);
    const archived = await call<OpeningView>(server.url, 'POST', `/api/openings/${opening.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).not.toBeNull();
    const again = await call<OpeningView>(server.url, 'POST', `/api/openings/${opening.id}/archive`);
    expect(again.body).toEqual(archived.body); // idempotent

    const view = await call(server.url, 'GET', `/api/o/${opening.slug}`, undefined, null);
    expect(view.status).toBe(410);
    expect(errorCode(view)).toBe('GONE');
    const refused = await call(server.url, 'POST', '/api/sessions', { clientSessionId: randomUUID(), mode: 'text', openingSlug: opening.slug }, null);
    expect(refused.status).toBe(410);
    expect((refused.body as { error: { message: string } }).error.message).toMatch(/archived/);
    expect((await call(server.url, 'POST', `/api/openings/${opening.id}/rotate-slug`)).status).toBe(409);
    // The session made before the archive is still there, still bound to the opening.
    expect((await server.service.require(clientSessionId)).openingId).toBe(opening.id);
    // Retrying that session's create still works (idempotent), archive or not.
    expect((await call(server.url, 'POST', '/api/sessions', { clientSessionId, mode: 'text', openingSlug: opening.slug }, null)).status).toBe(200);
  });
});
