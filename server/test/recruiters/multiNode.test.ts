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

  it('a nudge sent on node B shapes the next question streamed on node A (the one already under way finishes first); watchers on both nodes see it used', async () => {
    const candidate = await TestCandidate.create(a.url);
    await candidate.connect();
    const seen: string[] = [];
    candidate.socket!.onAny((event: string, payload: unknown) => seen.push(`${event} ${JSON.stringify(payload)}`));
    await candidate.start();
    await candidate.awaitingAnswer();
    const nudger = await addRecruiter(b.url, ADMIN, 'Node B Nudger');
    const [onB, watcherA, watcherB] = await Promise.all([TestRecruiter.connect(b.url, nudger.token), TestRecruiter.connect(a.url, ADMIN), TestRecruiter.connect(b.url, ADMIN)]);
    const sessionId = candidate.created.sessionId;
    await Promise.all([onB.watch(sessionId), watcherA.watch(sessionId), watcherB.watch(sessionId)]);

    // The answer is stored (①, on A) before the ack: question 2 starts on A without the nudge.
    await candidate.answer('Partition by key, then make consumers idempotent.', 'mn-a1');
    const text = 'Which metric told you the partitioning was wrong xk9?';
    await onB.call('session:nudge', { sessionId, nudgeId: 'mn-nudge-1', kind: 'follow_up', text });
    await Promise.all([watcherA, watcherB].map((w) => w.until((_v, _u, r) => r.nudges.get('mn-nudge-1')?.state === 'pending', 3_000, 'pending on both nodes')));
    await candidate.nextQuestion('mn-a1');
    const interviewer = () => candidate.view.messages.filter((m) => m.role === 'interviewer');
    expect(interviewer()[1]!.text).not.toContain(text);

    await candidate.answer('We watched consumer lag per partition.', 'mn-a2');
    await candidate.nextQuestion('mn-a2');
    const third = interviewer()[2]!;
    expect(third.text).toContain(text);
    for (const w of [onB, watcherA, watcherB]) {
      await w.until((_v, _u, r) => r.nudges.get('mn-nudge-1')?.state === 'used', 3_000, 'used on every watcher');
      expect(w.nudges.get('mn-nudge-1')).toMatchObject({ questionId: third.id, questionNumber: 3, author: { id: nudger.id, name: 'Node B Nudger' } });
    }
    // The candidate got the question, never the nudge: no event, id, kind, state or recruiter name.
    expect(seen.map((e) => e.split(' ')[0]).filter((e) => /nudge|takeover|voice:context/.test(e!))).toEqual([]);
    for (const secret of ['mn-nudge-1', 'follow_up', 'Node B Nudger', '"pending"']) expect(seen.join('\n')).not.toContain(secret);
    for (const r of [onB, watcherA, watcherB]) r.close();
    candidate.disconnect();
  });

  it('two recruiters on two nodes take over the same interview at once: one wins, the other gets STATE_CONFLICT naming the winner', async () => {
    const candidate = await TestCandidate.create(a.url);
    await candidate.connect();
    await candidate.start();
    await candidate.awaitingAnswer();
    const [ann, ben] = await Promise.all([addRecruiter(a.url, ADMIN, 'Ann Racer'), addRecruiter(b.url, ADMIN, 'Ben Racer')]);
    const [onA, onB] = await Promise.all([TestRecruiter.connect(a.url, ann.token), TestRecruiter.connect(b.url, ben.token)]);
    const sessionId = candidate.created.sessionId;
    const results = await Promise.allSettled([onA.call('session:takeover', { sessionId }), onB.call('session:takeover', { sessionId })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ takeover: { by: { name: string } } }>).value.takeover.by.name;
    expect(lost[0]!.reason).toMatchObject({ code: 'STATE_CONFLICT', message: `${winner} has already taken this interview over` });
    onA.close();
    onB.close();
    candidate.disconnect();
  });
});
