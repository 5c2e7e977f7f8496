import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { TestCandidate } from '../support/candidate.js';
import { restartableServerEnv, startCandorProcess, type CandorProcess } from '../support/candorProcess.js';
import { emitAck, sleep } from './helpers.js';

/**
 * kill -9 with 20 interviews in flight: 10 mid-question (their answer acked, the next
 * question streaming) and 10 mid-answer (submits on the wire as the process dies).
 * The single-session version is server/test/process/crashRecovery.test.ts.
 */

const running: CandorProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill('SIGKILL')));
});

const SESSIONS = 20;

describe('a server killed with 20 interviews mid-question and mid-answer', () => {
  it('restarts with every acknowledged answer stored exactly once, every session resumable, nothing stuck', async () => {
    const { env, url } = await restartableServerEnv();
    const first = await startCandorProcess(env);
    running.push(first);

    const candidates = await Promise.all(Array.from({ length: SESSIONS }, () => TestCandidate.create(url)));
    await Promise.all(candidates.map((c) => c.connect({ reconnection: true })));
    await Promise.all(candidates.map((c) => c.start()));
    await Promise.all(candidates.map((c) => c.awaitingAnswer(20_000)));

    const midQuestion = candidates.slice(0, SESSIONS / 2);
    const midAnswer = candidates.slice(SESSIONS / 2);
    const answerOf = (c: TestCandidate) => `Answer of ${c.clientSessionId.slice(0, 8)}: I made the consumer idempotent by message id.`;
    const acked = new Map<string, number>(); // clientSessionId -> seq of the acked answer

    // Group 1: answered and acknowledged; their next question is streaming when the process dies.
    for (const [c, ack] of await Promise.all(midQuestion.map(async (c) => [c, await c.answer(answerOf(c), `a1-${c.clientSessionId}`)] as const))) {
      expect(ack).toMatchObject({ ok: true, seq: 2 });
      acked.set(c.clientSessionId, 2);
    }
    await Promise.all(midQuestion.map((c) => c.until((v) => v.streaming !== null && v.streaming.nextIndex >= 2, 10_000, 'second question streaming')));

    // Group 2: submits on the wire as the process is killed; some acks may make it out.
    const inFlight = midAnswer.map(async (c, i) => {
      await sleep(i * 3); // staggered around the kill at ~12 ms: some stored, some not, maybe some acked
      const ack = await emitAck(c.socket as unknown as Socket, 'answer:submit', [{ messageId: `a1-${c.clientSessionId}`, text: answerOf(c) }], 3_000);
      if ((ack as { ok?: unknown }).ok === true) acked.set(c.clientSessionId, (ack as { seq: number }).seq);
    });
    await sleep(12);
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    const killedAt = Date.now();
    const second = await startCandorProcess(env);
    running.push(second);
    const restartMs = Date.now() - killedAt;
    await Promise.all(inFlight);
    const ackedBeforeKill = acked.size - midQuestion.length;
    // Answers the dead process stored but could not acknowledge: the retry below must not duplicate them.
    let storedUnacked = 0;
    for (const c of midAnswer) {
      const res = await c.rest('GET', `/api/sessions/by-client/${c.clientSessionId}`);
      const stored = (res.body as { messages: Array<{ id: string }> }).messages.some((m) => m.id === `a1-${c.clientSessionId}`);
      if (stored && !acked.has(c.clientSessionId)) storedUnacked++;
    }

    // Every candidate's client retries its unacknowledged answer with the same messageId
    // (what client/src/lib/outbox does) until acknowledged.
    await Promise.all(
      midAnswer.map(async (c) => {
        for (let attempt = 0; attempt < 40; attempt++) {
          await c.until((v) => v.ready, 20_000, 'reconnected');
          const ack = await emitAck(c.socket as unknown as Socket, 'answer:submit', [{ messageId: `a1-${c.clientSessionId}`, text: answerOf(c) }], 3_000);
          if ((ack as { ok?: unknown }).ok === true) {
            const seq = (ack as { seq: number }).seq;
            const earlier = acked.get(c.clientSessionId);
            if (earlier !== undefined) expect(seq).toBe(earlier); // a retry answers what the first stored
            acked.set(c.clientSessionId, seq);
            return;
          }
          await sleep(250);
        }
        throw new Error(`answer of ${c.clientSessionId} never acknowledged after the restart`);
      }),
    );
    // ...and every session resumes: its second question arrives, complete.
    await Promise.all(
      candidates.map((c) => c.until((v) => v.ready && v.turn === 'awaiting_answer' && v.streaming === null && v.messages.length === 3, 30_000, 'recovered question')),
    );
    const recoveredMs = Date.now() - killedAt;
    console.info(
      `crash: ${SESSIONS} sessions, ${ackedBeforeKill}/${midAnswer.length} in-flight answers acked before SIGKILL, ${storedUnacked} stored but unacked; restart listening after ${restartMs} ms, all ${SESSIONS} sessions resumed with a complete question ${recoveredMs} ms after the kill`,
    );

    for (const c of candidates) {
      const res = await c.rest('GET', `/api/sessions/by-client/${c.clientSessionId}`);
      const body = res.body as { status: string; messages: Array<{ id: string; role: string; text: string }> };
      expect(body.status).toBe('active');
      expect(body.messages.map((m) => m.role)).toEqual(['interviewer', 'candidate', 'interviewer']);
      const answers = body.messages.filter((m) => m.id === `a1-${c.clientSessionId}`);
      expect(answers).toHaveLength(1); // stored exactly once
      expect(answers[0]!.text).toBe(answerOf(c));
      expect(acked.get(c.clientSessionId)).toBe(2);
      expect(new Set(body.messages.map((m) => m.id)).size).toBe(3);
      expect(c.view.gaps).toBe(0);
      c.disconnect();
    }
    // Nothing is left generating under a dead lease, or running.
    const res = await fetch(`${url}/api/sessions?limit=100`, { headers: { authorization: `Bearer ${await recruiterToken(env.DATA_DIR)}` } });
    expect(res.status).toBe(200);
    const items = ((await res.json()) as { items: Array<{ clientSessionId: string; status: string }> }).items;
    expect(items).toHaveLength(SESSIONS);
  }, 120_000);
});

async function recruiterToken(dataDir: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const secrets = JSON.parse(await readFile(path.join(dataDir, 'generated-secrets.json'), 'utf8')) as Record<string, string>;
  return secrets['RECRUITER_TOKEN']!;
}
