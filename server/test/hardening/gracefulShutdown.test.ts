import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCandidate } from '../support/candidate.js';
import { restartableServerEnv, startCandorProcess, type CandorProcess } from '../support/candorProcess.js';
import { emitAck, sleep } from './helpers.js';

/**
 * SIGTERM while 10 interviews stream and answers are on the wire (socket and REST):
 * the process exits 0 within a bound, every socket sees a clean WebSocket close (not
 * a dropped TCP connection), every request that got a 200 and every acked submit is
 * stored exactly once, and the successor on the same port resumes every session at once.
 */

const running: CandorProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill('SIGKILL')));
});

const SESSIONS = 10;
const EXIT_BOUND_MS = 5_000;

describe('graceful shutdown under load', () => {
  it('finishes in-flight writes, closes sockets cleanly and exits 0 within the bound', async () => {
    const { env, url } = await restartableServerEnv({ SHUTDOWN_TIMEOUT_MS: '10000', LOG_LEVEL: 'info' });
    const first = await startCandorProcess(env);
    running.push(first);
    const candidates = await Promise.all(Array.from({ length: SESSIONS }, () => TestCandidate.create(url)));
    await Promise.all(candidates.map((c) => c.connect({ reconnection: true })));
    await Promise.all(candidates.map((c) => c.start()));
    await Promise.all(candidates.map((c) => c.awaitingAnswer(20_000)));

    const closes: Array<{ reason: string; code: unknown }> = [];
    for (const c of candidates) {
      (c.socket as unknown as Socket).once('disconnect', (reason: string, description: unknown) => {
        closes.push({ reason, code: (description as { context?: { code?: unknown } } | undefined)?.context?.code });
      });
    }
    const streaming = candidates.slice(0, SESSIONS / 2);
    const answering = candidates.slice(SESSIONS / 2);
    await Promise.all(streaming.map((c) => c.answer(`Streaming ${c.clientSessionId}: I shard by tenant.`, `s-${c.clientSessionId}`)));
    await Promise.all(streaming.map((c) => c.until((v) => v.streaming !== null && v.streaming.nextIndex >= 2, 10_000, 'question streaming')));

    // Answers on the wire as SIGTERM arrives: half over the socket, half over REST.
    const acked = new Map<string, string>(); // clientSessionId -> acked messageId
    const inFlight = answering.map(async (c, i) => {
      const messageId = `t-${c.clientSessionId}`;
      const text = `Answer ${i} sent during shutdown: I would add a dead-letter queue.`;
      if (i % 2 === 0) {
        const ack = await emitAck(c.socket as unknown as Socket, 'answer:submit', [{ messageId, text }], 3_000);
        if ((ack as { ok?: unknown }).ok === true) acked.set(c.clientSessionId, messageId);
      } else {
        const res = await c.rest('POST', `/api/sessions/${c.clientSessionId}/messages`, { messageId, text }).catch(() => ({ status: 0, body: null }));
        if (res.status === 200) acked.set(c.clientSessionId, messageId);
        else expect([0, 503]).toContain(res.status); // refused (server gone) is fine; a half answer is not
      }
    });
    const termAt = Date.now();
    first.proc.kill('SIGTERM');
    const code = await first.exited;
    const exitMs = Date.now() - termAt;
    await Promise.all(inFlight);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(EXIT_BOUND_MS);
    expect(first.stdout()).toContain('shutdown complete');
    await sleep(100);
    expect(closes).toHaveLength(SESSIONS);
    // 'transport close' with a WebSocket close frame (1000/1005), never an abnormal 1006: clients reconnect at once.
    for (const close of closes) {
      expect(close.reason).toBe('transport close');
      expect([1000, 1005]).toContain(close.code);
    }

    // The successor: every session resumes, every acked answer is there exactly once.
    const restartAt = Date.now();
    const second = await startCandorProcess(env);
    running.push(second);
    await Promise.all(
      answering.map(async (c, i) => {
        const messageId = `t-${c.clientSessionId}`;
        for (let attempt = 0; attempt < 40; attempt++) {
          await c.until((v) => v.ready, 20_000, 'reconnected');
          const ack = await emitAck(c.socket as unknown as Socket, 'answer:submit', [{ messageId, text: `Answer ${i} sent during shutdown: I would add a dead-letter queue.` }], 3_000);
          if ((ack as { ok?: unknown }).ok === true) return;
          await sleep(250);
        }
        throw new Error('retried answer never acknowledged');
      }),
    );
    await Promise.all(candidates.map((c) => c.until((v) => v.ready && v.turn === 'awaiting_answer' && v.streaming === null && v.messages.length === 3, 20_000, 'resumed')));
    console.info(
      `graceful shutdown: ${SESSIONS} sessions (${streaming.length} streaming, ${answering.length} answering, ${acked.size} answers acked during shutdown); exit 0 after ${exitMs} ms; all sessions resumed ${Date.now() - restartAt} ms after the successor started`,
    );
    for (const c of candidates) {
      const res = await c.rest('GET', `/api/sessions/by-client/${c.clientSessionId}`);
      const messages = (res.body as { messages: Array<{ id: string; role: string }> }).messages;
      expect(messages.map((m) => m.role)).toEqual(['interviewer', 'candidate', 'interviewer']);
      expect(new Set(messages.map((m) => m.id)).size).toBe(3);
      const mine = acked.get(c.clientSessionId);
      if (mine) expect(messages.filter((m) => m.id === mine)).toHaveLength(1);
      c.disconnect();
    }
  }, 90_000);
});
