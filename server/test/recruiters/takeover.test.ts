import { describe, expect, it } from 'vitest';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { api } from '../support/recruiters.js';
import { steeringServer } from '../support/steering.js';

const ADMIN = 'bootstrap-admin-token-for-takeover-1';
const steering = steeringServer(ADMIN);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('take-over', () => {
  it('a recruiter takes over, the AI stays silent after the answer, the recruiter’s question streams to the candidate like any question, and after hand-back the AI asks next', async () => {
    const { candidate, seen, sessionId } = await steering.liveInterview();
    const [byAda, watcher] = await Promise.all([TestRecruiter.connect(steering.server.url, steering.ada.token), TestRecruiter.connect(steering.server.url, steering.bob.token)]);
    await watcher.watch(sessionId);

    const taken = await byAda.call('session:takeover', { sessionId });
    expect(taken).toMatchObject({ ok: true, takeover: { sessionId, by: { id: steering.ada.id, name: 'Ada Lovelace' } } });
    await watcher.until((_v, _u, r) => r.takeover?.by?.name === 'Ada Lovelace', 3_000, 'takeover:updated');
    // Idempotent for the holder; the candidate has not answered yet: nothing to ask over.
    expect(await byAda.call('session:takeover', { sessionId })).toMatchObject({ ok: true });
    await expect(byAda.call('session:takeover:ask', { sessionId, text: 'Too early?' })).rejects.toMatchObject({ code: 'STATE_CONFLICT' });
    await expect(watcher.call('session:takeover:ask', { sessionId, text: 'Not mine' })).rejects.toMatchObject({ code: 'STATE_CONFLICT' });

    // The candidate answers: stored normally, and the AI generates nothing.
    const ack = await candidate.answer('I would start from the SLOs and work back.', 'to-a1');
    expect(ack).toMatchObject({ ok: true, messageId: 'to-a1' });
    await sleep(400);
    const starts = () => seen.filter((s) => s.event === 'question:start').length;
    expect(starts()).toBe(1);
    let doc = await steering.stored(candidate.clientSessionId);
    expect(doc.turn.state).toBe('idle');
    expect(doc.messages.at(-1)).toMatchObject({ id: 'to-a1', role: 'candidate' });

    // The recruiter's own question: question:start/token/end, stored with source recruiter and their name, counted by the plan.
    const text = 'Which SLO would you page on first, and why?';
    const asked = (await byAda.call('session:takeover:ask', { sessionId, text })) as { questionId: string; number: number };
    expect(asked).toMatchObject({ ok: true, number: 2 });
    await candidate.nextQuestion('to-a1');
    expect(candidate.view.messages.at(-1)).toMatchObject({ id: asked.questionId, role: 'interviewer', text });
    expect(seen.filter((s) => s.event === 'question:token' && (s.payload as { questionId: string }).questionId === asked.questionId).length).toBeGreaterThan(1);
    doc = await steering.stored(candidate.clientSessionId);
    expect(doc.messages.at(-1)).toMatchObject({ id: asked.questionId, source: 'recruiter', by: { id: steering.ada.id, name: 'Ada Lovelace' }, text });
    expect(doc.plan.asked.map((q: { number: number }) => q.number)).toEqual([1, 2]);
    // The recruiter's detail names them; the candidate's socket and REST never do.
    const detail = await api(steering.server.url, 'GET', `/api/sessions/${sessionId}`, ADMIN);
    expect((detail.body as { messages: Array<{ id: string; by?: unknown }> }).messages.find((m) => m.id === asked.questionId)?.by).toEqual({ id: steering.ada.id, name: 'Ada Lovelace' });
    expect(JSON.stringify(seen)).not.toContain('Ada Lovelace');
    const mine = await candidate.rest('GET', `/api/sessions/by-client/${candidate.clientSessionId}`);
    expect(JSON.stringify(mine.body)).not.toContain('Ada Lovelace');

    // Someone else cannot hand it back; the holder can; then the AI asks after the candidate's answer.
    await expect(watcher.call('session:handback', { sessionId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await byAda.call('session:handback', { sessionId })).toMatchObject({ ok: true, takeover: { by: null } });
    await watcher.until((_v, _u, r) => r.takeover?.by === null, 3_000, 'hand-back reaches the watcher');
    await sleep(200);
    expect(starts()).toBe(2); // nothing asked while the candidate still has a question
    await candidate.answer('Availability of checkout, because it is revenue.', 'to-a2');
    await candidate.nextQuestion('to-a2');
    doc = await steering.stored(candidate.clientSessionId);
    expect(doc.messages.at(-1)).toMatchObject({ role: 'interviewer', source: 'text' });
    expect(doc.plan.asked).toHaveLength(3);
    expect(doc.takeover).toBeUndefined();
    byAda.close();
    watcher.close();
    candidate.disconnect();
  });

  it('handing back while the candidate has answered and nobody asked: the AI asks at once', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const byAda = await TestRecruiter.connect(steering.server.url, steering.ada.token);
    await byAda.call('session:takeover', { sessionId });
    await candidate.answer('Mostly Go services.', 'tb-a1');
    await sleep(300);
    expect((await steering.stored(candidate.clientSessionId)).turn.state).toBe('idle');
    await byAda.call('session:handback', { sessionId });
    await candidate.nextQuestion('tb-a1');
    expect((await steering.stored(candidate.clientSessionId)).plan.asked).toHaveLength(2);
    byAda.close();
    candidate.disconnect();
  });

  it('two recruiters taking over at once: exactly one wins, the other gets STATE_CONFLICT; an admin may hand back anyone’s take-over', async () => {
    const { candidate, sessionId } = await steering.liveInterview();
    const [byAda, byBob] = await Promise.all([TestRecruiter.connect(steering.server.url, steering.ada.token), TestRecruiter.connect(steering.server.url, steering.bob.token)]);
    const results = await Promise.allSettled([byAda.call('session:takeover', { sessionId }), byBob.call('session:takeover', { sessionId })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(lost.reason).toMatchObject({ code: 'STATE_CONFLICT' });
    expect(lost.reason.message).toMatch(/^(Ada Lovelace|Bob Builder) has already taken this interview over$/);
    const admin = await TestRecruiter.connect(steering.server.url, ADMIN);
    expect(await admin.call('session:handback', { sessionId })).toMatchObject({ ok: true, takeover: { by: null } });
    for (const r of [byAda, byBob, admin]) r.close();
    candidate.disconnect();
  });

  it('voice sessions refuse take-over with a clear error; an ended interview drops its take-over', async () => {
    const voice = await TestCandidate.create(steering.server.url, { mode: 'voice' });
    const recruiter = await TestRecruiter.connect(steering.server.url, steering.ada.token);
    await expect(recruiter.call('session:takeover', { sessionId: voice.created.sessionId })).rejects.toMatchObject({
      code: 'STATE_CONFLICT',
      message: expect.stringContaining('text interviews only'),
    });
    expect((await steering.stored(voice.clientSessionId)).takeover).toBeUndefined();

    const { candidate, sessionId } = await steering.liveInterview();
    await recruiter.watch(sessionId);
    await recruiter.call('session:takeover', { sessionId });
    await candidate.emit('interview:end', { endedBy: 'user' });
    await recruiter.until((_v, _u, r) => r.takeover?.by === null, 3_000, 'take-over ends with the interview');
    expect((await steering.stored(candidate.clientSessionId)).takeover).toBeUndefined();
    await expect(recruiter.call('session:takeover', { sessionId })).rejects.toMatchObject({ code: 'STATE_CONFLICT' });
    recruiter.close();
    candidate.disconnect();
  });
});
