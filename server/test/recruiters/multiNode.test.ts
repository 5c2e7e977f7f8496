import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoteAddedResponse } from '../../../shared/notes.js';
import { connectErrorOf, rawSocket } from '../hardening/helpers.js';
import { TestCandidate } from '../support/candidate.js';
import { startCandorProcess, type CandorProcess } from '../support/candorProcess.js';
import { startEmbeddedDbProcess, withDatabase, type ChildHandle } from '../support/processes.js';
import { testRedisUrl } from '../support/redis.js';
import { TestRecruiter } from '../support/recruiter.js';
import { addRecruiter, api } from '../support/recruiters.js';

/**
 * Two real server processes sharing one store and Redis. The periodic
 * revoked-socket check is off (RECRUITER_RECHECK_MS=0): what cuts a revoked
 * recruiter off on the other node is the adapter's cross-node disconnectSockets.
 */
const ADMIN = 'recruiter-token-multinode-admin-01';

let db: ChildHandle & { uri: string };
let a: CandorProcess;
let b: CandorProcess;

beforeAll(async () => {
  db = await startEmbeddedDbProcess();
  const env = {
    SESSION_SECRET: 'multinode-recruiters-secret-0123456789abcdef',
    RECRUITER_TOKEN: ADMIN,
    RECRUITER_RECHECK_MS: '0',
    SCRIPTED_TOKEN_DELAY_MS: '2',
    ANSWER_MIN_INTERVAL_MS: '0',
    HTTP_RATE_LIMIT: '0',
    LOG_LEVEL: 'error',
    MONGODB_URI: withDatabase(db.uri, `candor_${randomUUID().slice(0, 8)}`),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
  };
  [a, b] = await Promise.all([startCandorProcess(env, 60_000), startCandorProcess(env, 60_000)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
  await db?.stop();
});

describe('named recruiters on two nodes', () => {
  it('a recruiter revoked on node A is cut off mid-session on both nodes at once, and refused on both afterwards', async () => {
    const candidate = await TestCandidate.create(a.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    const doomed = await addRecruiter(a.url, ADMIN, 'Revoked Recruiter');
    const [onA, onB, otherOnB] = await Promise.all([TestRecruiter.connect(a.url, doomed.token), TestRecruiter.connect(b.url, doomed.token), TestRecruiter.connect(b.url, ADMIN)]);
    await Promise.all([onA.watch(candidate.created.sessionId), onB.watch(candidate.created.sessionId), otherOnB.watch(candidate.created.sessionId)]);

    const started = Date.now();
    expect((await api(a.url, 'DELETE', `/api/recruiters/${doomed.id}`, ADMIN)).status).toBe(200);
    await Promise.all([
      onA.until((_v, _u, r) => r.disconnectReason !== null, 3_000, 'cut off on A'),
      onB.until((_v, _u, r) => r.disconnectReason !== null, 3_000, 'cut off on B'),
    ]);
    console.info(`revocation reached the other node's socket after ${Date.now() - started} ms`);
    expect([onA.disconnectReason, onB.disconnectReason]).toEqual(['io server disconnect', 'io server disconnect']);

    for (const url of [a.url, b.url]) {
      expect((await api(url, 'GET', '/api/sessions', doomed.token)).status).toBe(401);
      expect(await connectErrorOf(rawSocket(url, '/monitor', { token: doomed.token }))).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    }
    // The admin watching on B keeps following the interview streamed on A.
    await candidate.answer('Partition by key, then make consumers idempotent.');
    await otherOnB.until((v) => v.messages.filter((m) => m.role === 'interviewer').length === 2, 5_000, 'next question on B');
    expect(otherOnB.disconnectReason).toBeNull();
    candidate.disconnect();
    otherOnB.close();
  });

  it('a note added on node A reaches a watcher on node B, with its author', async () => {
    const candidate = await TestCandidate.create(a.url);
    const author = await addRecruiter(b.url, ADMIN, 'Cross Node Author');
    const watcher = await TestRecruiter.connect(b.url, ADMIN);
    await watcher.watch(candidate.created.sessionId);
    const res = await api(a.url, 'POST', `/api/sessions/${candidate.created.sessionId}/notes`, author.token, { noteId: 'cross-1', text: 'seen from B' });
    expect(res.status).toBe(201);
    await watcher.until((_v, _u, r) => r.notes.has('cross-1'), 3_000, 'note:upserted on B');
    expect(watcher.notes.get('cross-1')).toEqual((res.body as NoteAddedResponse).note);
    expect(watcher.notes.get('cross-1')?.author).toEqual({ id: author.id, name: 'Cross Node Author' });
    watcher.close();
  });
});
