import { afterEach, describe, expect, it } from 'vitest';
import { questionTexts } from '../../../shared/sessionView.js';
import { TestCandidate } from '../support/candidate.js';
import { restartableServerEnv, startCandorProcess, type CandorProcess } from '../support/candorProcess.js';

const running: CandorProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill('SIGKILL')));
});

describe('a server killed mid-question', () => {
  it('after SIGKILL and restart the candidate reconnects to a complete question, with nothing lost or duplicated', async () => {
    const { env, url } = await restartableServerEnv();
    const first = await startCandorProcess(env);
    running.push(first);
    const candidate = await TestCandidate.create(url);
    await candidate.connect({ reconnection: true });
    await candidate.start();
    await candidate.awaitingAnswer(15_000);
    expect(await candidate.answer('I designed an idempotent queue consumer keyed by message id.', 'a1')).toMatchObject({ ok: true, seq: 2 });
    const killedMid = await candidate.until((v) => v.streaming !== null && v.streaming.nextIndex >= 3, 10_000, 'second question streaming');
    const interruptedId = killedMid.streaming!.questionId;

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    const second = await startCandorProcess(env);
    running.push(second);

    // socket.io-client reconnects by itself; the restarted server released the dead
    // process's lease at start and streams a fresh second question.
    const view = await candidate.until((v) => v.ready && v.turn === 'awaiting_answer' && v.streaming === null && v.messages.length === 3, 20_000, 'recovered question');
    expect(view.gaps).toBe(0);

    const res = await candidate.rest('GET', `/api/sessions/by-client/${candidate.clientSessionId}`);
    const stored = (res.body as { messages: Array<{ id: string; role: string; text: string }> }).messages;
    expect(stored.map((m) => m.role)).toEqual(['interviewer', 'candidate', 'interviewer']);
    expect(stored[1]!.id).toBe('a1');
    expect(stored[2]!.id).not.toBe(interruptedId);
    expect(new Set(stored.map((m) => m.id)).size).toBe(3);
    expect(questionTexts(view)).toEqual([stored[0]!.text, stored[2]!.text]);

    // The retried answer after the crash is still acknowledged identically.
    expect(await candidate.answer('I designed an idempotent queue consumer keyed by message id.', 'a1')).toEqual({ ok: true, messageId: 'a1', seq: 2 });
    candidate.disconnect();
  }, 60_000);
});
