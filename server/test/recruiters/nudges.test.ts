import { describe, expect, it } from 'vitest';
import type { WireNudge } from '../../../shared/nudges.js';
import { connected, connectErrorOf, emitAck, rawSocket } from '../hardening/helpers.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { addRecruiter, api } from '../support/recruiters.js';
import { steeringServer } from '../support/steering.js';

const ADMIN = 'bootstrap-admin-token-for-nudges-1';
const steering = steeringServer(ADMIN);

const interviewerLines = (c: TestCandidate) => c.view.messages.filter((m) => m.role === 'interviewer');

describe('nudges', () => {
  it('a follow-up nudge is asked as the next question; watchers see it used with its question number; the candidate receives only the question', async () => {
    const { candidate, seen, sessionId } = await steering.liveInterview();
    const [byAda, byBob] = await Promise.all([TestRecruiter.connect(steering.server.url, steering.ada.token), TestRecruiter.connect(steering.server.url, steering.bob.token)]);
    await Promise.all([byAda.watch(sessionId), byBob.watch(sessionId)]);

    const text = 'How did you verify the rollback plan zq7 actually worked?';
    const ack = (await byAda.call('session:nudge', { sessionId, nudgeId: 'nudge-follow-1', kind: 'follow_up', text })) as { nudge: WireNudge; created: boolean };
    expect(ack).toMatchObject({ ok: true, created: true, nudge: { id: 'nudge-follow-1', sessionId, kind: 'follow_up', text, state: 'pending', author: { id: steering.ada.id, name: 'Ada Lovelace' }, questionNumber: null } });
    await byBob.until((_v, _u, r) => r.nudges.get('nudge-follow-1')?.state === 'pending', 3_000, 'pending nudge reaches the other watcher');

    await candidate.answer('I would roll back with a feature flag and a canary release.', 'a-follow-1');
    await candidate.nextQuestion('a-follow-1');
    const question = interviewerLines(candidate).at(-1)!;
    expect(question.text).toContain(text);
    expect(question.text.length).toBeGreaterThan(text.length); // in the interviewer's voice: acknowledgement first

    for (const r of [byAda, byBob]) await r.until((_v, _u, me) => me.nudges.get('nudge-follow-1')?.state === 'used', 3_000, 'used nudge');
    const used = byBob.nudges.get('nudge-follow-1')!;
    expect(used).toMatchObject({ state: 'used', questionId: question.id, questionNumber: 2, author: { name: 'Ada Lovelace' } });
    const doc = await steering.stored(candidate.clientSessionId);
    expect(doc.plan.asked).toHaveLength(2); // the plan counts it as usual
    expect(doc.nudges[0]).toMatchObject({ id: 'nudge-follow-1', state: 'used', questionId: question.id, questionNumber: 2 });

    // The candidate: no nudge event, no kind, state or recruiter name — the question only.
    expect(seen.map((s) => s.event).filter((e) => e.startsWith('nudge') || e.startsWith('takeover') || e === 'voice:context')).toEqual([]);
    const everything = JSON.stringify(seen);
    for (const secret of ['nudge-follow-1', 'follow_up', 'Ada Lovelace', '"pending"', '"used"']) expect(everything).not.toContain(secret);
    // The next question after that is the AI's own again.
    await candidate.answer('I ran the rollback in staging under load and timed it.', 'a-follow-2');
    await candidate.nextQuestion('a-follow-2');
    expect(interviewerLines(candidate).at(-1)!.text).not.toContain(text);
    for (const r of [byAda, byBob]) r.close();
    candidate.disconnect();
  });

  it('a topic nudge that names a role skill becomes the skill of the next question', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const recruiter = await TestRecruiter.connect(steering.server.url, steering.ada.token);
    await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-topic-1', kind: 'topic', text: 'Concurrency' });
    await candidate.answer('Mostly REST APIs in Go with Postgres behind them.', 'a-topic-1');
    await candidate.nextQuestion('a-topic-1');
    const doc = await steering.stored(candidate.clientSessionId);
    expect(doc.plan.asked[1]).toMatchObject({ number: 2, skill: 'concurrency' });
    expect(doc.nudges[0]).toMatchObject({ state: 'used', questionNumber: 2 });
    // A topic that is not a skill is asked about in the interviewer's words.
    await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-topic-2', kind: 'topic', text: 'GraphQL federation' });
    await candidate.answer('I use worker pools and bounded queues.', 'a-topic-2');
    await candidate.nextQuestion('a-topic-2');
    expect(interviewerLines(candidate).at(-1)!.text).toContain('GraphQL federation');
    recruiter.close();
    candidate.disconnect();
  });

  it('a retried nudge stores one; a withdrawn nudge is never asked; used and withdrawn nudges cannot be withdrawn (again)', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const [byAda, watcher] = await Promise.all([TestRecruiter.connect(steering.server.url, steering.ada.token), TestRecruiter.connect(steering.server.url, steering.bob.token)]);
    await watcher.watch(sessionId);
    const body = { sessionId, nudgeId: 'nudge-w-1', kind: 'follow_up', text: 'WITHDRAWN-QUESTION-k2: why not use Kafka?' };
    const [first, retry] = await Promise.all([byAda.call('session:nudge', body), byAda.call('session:nudge', body)]);
    expect([first, retry].map((a) => (a as { created: boolean }).created).sort()).toEqual([false, true]);
    await expect(watcher.call('session:nudge', body)).rejects.toMatchObject({ code: 'STATE_CONFLICT' });

    const withdrawn = await watcher.call('session:nudge:withdraw', { sessionId, nudgeId: 'nudge-w-1' });
    expect(withdrawn).toMatchObject({ ok: true, nudge: { state: 'withdrawn', withdrawnBy: { id: steering.bob.id, name: 'Bob Builder' }, author: { name: 'Ada Lovelace' } } });
    expect(await byAda.call('session:nudge:withdraw', { sessionId, nudgeId: 'nudge-w-1' })).toMatchObject({ nudge: { state: 'withdrawn' } });
    await watcher.until((_v, _u, r) => r.nudges.get('nudge-w-1')?.state === 'withdrawn', 3_000, 'withdrawn event');

    await candidate.answer('Because the team already ran RabbitMQ.', 'a-w-1');
    await candidate.nextQuestion('a-w-1');
    expect(interviewerLines(candidate).at(-1)!.text).not.toContain('WITHDRAWN-QUESTION-k2');

    await byAda.call('session:nudge', { sessionId, nudgeId: 'nudge-w-2', kind: 'follow_up', text: 'What broke first?' });
    await candidate.answer('Consumers lagged under load.', 'a-w-2');
    await candidate.nextQuestion('a-w-2');
    await expect(byAda.call('session:nudge:withdraw', { sessionId, nudgeId: 'nudge-w-2' })).rejects.toMatchObject({ code: 'STATE_CONFLICT' });
    await expect(byAda.call('session:nudge:withdraw', { sessionId, nudgeId: 'no-such-nudge' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const doc = await steering.stored(candidate.clientSessionId);
    expect(doc.nudges.map((n: { id: string; state: string }) => [n.id, n.state])).toEqual([
      ['nudge-w-1', 'withdrawn'],
      ['nudge-w-2', 'used'],
    ]);
    byAda.close();
    watcher.close();
    candidate.disconnect();
  });

  it('ending the interview expires its pending nudges in the same update; watchers see them expire; new nudges are refused', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const watcher = await TestRecruiter.connect(steering.server.url, steering.ada.token);
    await watcher.watch(sessionId);
    await watcher.call('session:nudge', { sessionId, nudgeId: 'nudge-x-1', kind: 'topic', text: 'observability' });
    await watcher.call('session:nudge', { sessionId, nudgeId: 'nudge-x-2', kind: 'follow_up', text: 'And the pager?' });
    await watcher.call('session:nudge:withdraw', { sessionId, nudgeId: 'nudge-x-2' });
    await candidate.emit('interview:end', { endedBy: 'user' });
    await watcher.until((_v, _u, r) => r.nudges.get('nudge-x-1')?.state === 'expired', 3_000, 'expired event');
    const doc = await steering.stored(candidate.clientSessionId);
    expect(doc.status).toBe('completed');
    expect(doc.nudges.map((n: { state: string }) => n.state)).toEqual(['expired', 'withdrawn']);
    await expect(watcher.call('session:nudge', { sessionId, nudgeId: 'nudge-x-3', kind: 'topic', text: 'late' })).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    watcher.close();
    candidate.disconnect();
  });

  it('refuses invalid nudges with documented errors, and a candidate token on every steering event', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const socket = rawSocket(steering.server.url, '/monitor', { token: steering.ada.token });
    await connected(socket);
    for (const payload of [
      { sessionId, nudgeId: 'bad-1', kind: 'follow_up', text: 'x'.repeat(501) },
      { sessionId, nudgeId: 'bad-2', kind: 'follow_up', text: '   ' },
      { sessionId, nudgeId: 'bad-3', kind: 'rewrite', text: 'ok' },
      { sessionId, nudgeId: 'bad 4', kind: 'topic', text: 'ok' },
      { sessionId, kind: 'topic', text: 'no id' },
      { sessionId, nudgeId: 'bad-5', kind: 'topic', text: 'ok', author: { id: 'bootstrap', name: 'forged' } },
      { sessionId: { $ne: null }, nudgeId: 'bad-6', kind: 'topic', text: 'ok' },
    ]) {
      expect(await emitAck(socket, 'session:nudge', [payload]), JSON.stringify(payload).slice(0, 60)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await emitAck(socket, 'session:nudge', [{ sessionId: '0123456789abcdef01234567', nudgeId: 'n-1', kind: 'topic', text: 'ok' }])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    socket.close();
    expect((await steering.stored(candidate.clientSessionId)).nudges).toBeUndefined();

    // The candidate's own socket: every steering event is FORBIDDEN.
    for (const event of ['session:nudge', 'session:nudge:withdraw', 'session:takeover', 'session:takeover:ask', 'session:handback']) {
      expect(await emitAck(candidate.socket! as never, event, [{ sessionId, nudgeId: 'c-1', kind: 'topic', text: 'me' }]), event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    candidate.disconnect();
  });

  it('a recruiter revoked mid-session is cut off: the next nudge is refused and the socket closed', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const carol = await addRecruiter(steering.server.url, ADMIN, 'Carol Revoked');
    const recruiter = await TestRecruiter.connect(steering.server.url, carol.token);
    await recruiter.watch(sessionId);
    await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-r-1', kind: 'topic', text: 'caching' });
    expect((await api(steering.server.url, 'DELETE', `/api/recruiters/${carol.id}`, ADMIN)).status).toBe(200);
    // Either the revocation's disconnect arrives first, or the event is refused (UNAUTHORIZED) and the socket closed.
    const refused = await Promise.race([
      recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-r-2', kind: 'topic', text: 'queues' }).catch((e: unknown) => e),
      recruiter.until((_v, _u, r) => r.disconnectReason !== null, 3_000, 'socket closed').then(() => 'closed'),
    ]);
    if (refused !== 'closed') expect(refused).toMatchObject({ code: 'UNAUTHORIZED' });
    await recruiter.until((_v, _u, r) => r.disconnectReason !== null, 3_000, 'socket closed');
    expect(await connectErrorOf(rawSocket(steering.server.url, '/monitor', { token: carol.token }))).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect((await steering.stored(candidate.clientSessionId)).nudges.map((n: { id: string }) => n.id)).toEqual(['nudge-r-1']);
    candidate.disconnect();
  });
});
