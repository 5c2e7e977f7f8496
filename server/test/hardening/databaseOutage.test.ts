import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { TestCandidate } from '../support/candidate.js';
import { makeDataDir } from '../support/candorProcess.js';
import { freePort } from '../support/processes.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { connectErrorOf, emitAck, exited, holdingProxy, isRestError, rawSocket, sleep, startEmbeddedDbAt } from './helpers.js';

/**
 * The database goes away for ~10 s while an interview is running: first it hangs
 * (SIGSTOP: connections open, nothing answers), then it dies (SIGKILL: connection
 * refused), then it comes back on the same port and directory. Candor answers 503
 * DEPENDENCY_DOWN + Retry-After on REST, refuses (never acks) socket submits within a
 * bound, loses nothing it acknowledged, and recovers without a restart.
 */

let db: ChildProcess | undefined;
let server: TestServer | undefined;
afterAll(async () => {
  await server?.close().catch(() => undefined);
  if (db) {
    db.kill('SIGKILL');
    await exited(db);
  }
});

const BOUND_MS = 7_000; // DB_OPERATION_DEADLINE_MS (5 s) + slack

describe('the database unreachable for ~10 s', () => {
  it('answers 503 with Retry-After, never acks a submit it could not store, loses nothing acked, and recovers by itself', async () => {
    const port = await freePort();
    const dir = makeDataDir();
    db = await startEmbeddedDbAt(port, dir);
    server = await startTestServer({ MONGODB_URI: `mongodb://127.0.0.1:${port}/candor_outage`, HTTP_RATE_LIMIT: '0', LOG_LEVEL: 'warn' });
    const candidate = await TestCandidate.create(server.url); // answers on the socket
    const other = await TestCandidate.create(server.url); // answers over REST (submits of one session queue behind each other)
    await candidate.connect({ reconnection: true });
    await other.connect({ reconnection: true });
    await Promise.all([candidate.start(), other.start()]);
    await Promise.all([candidate.awaitingAnswer(), other.awaitingAnswer()]);
    expect(await candidate.answer('Before the outage: a retry queue with idempotency keys.', 'before-1')).toMatchObject({ ok: true, seq: 2 });
    await candidate.until((v) => v.turn === 'awaiting_answer' && v.streaming === null && v.messages.length === 3, 10_000, 'second question');
    const socket = candidate.socket as unknown as Socket;
    const timings: string[] = [];

    // ---- hung: SIGSTOP -------------------------------------------------------------
    const outageStarted = Date.now();
    db.kill('SIGSTOP');
    const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
      const t0 = Date.now();
      const v = await p;
      return [v, Date.now() - t0];
    };
    const [[hungRest, hungRestMs], [hungAck, hungAckMs]] = await Promise.all([
      timed(other.rest('POST', `/api/sessions/${other.clientSessionId}/messages`, { messageId: 'rest-1', text: 'An answer sent while the database hangs.' })),
      timed(emitAck(socket, 'answer:submit', [{ messageId: 'during-1', text: 'An answer sent while the database hangs.' }], 15_000)),
    ]);
    timings.push(`hung: REST 503 after ${hungRestMs} ms, socket error ack after ${hungAckMs} ms`);
    expect(hungRest.status).toBe(503);
    expect(isRestError(hungRest.body)).toBe(true);
    expect(hungRest.body).toMatchObject({ error: { code: 'DEPENDENCY_DOWN' } });
    expect(hungRestMs).toBeLessThan(BOUND_MS);
    expect(hungAck).toMatchObject({ ok: false, error: { code: 'DEPENDENCY_DOWN' } });
    expect(hungAckMs).toBeLessThan(BOUND_MS);

    // ---- down: SIGKILL (connection refused) ----------------------------------------
    db.kill('SIGKILL');
    await exited(db);
    // A new candidate socket cannot load its interview: a coded connect_error, not a hang.
    const newcomer = rawSocket(server.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken });
    const [[res, downRestMs], [downAck, downAckMs], [ready], [refused]] = await Promise.all([
      timed(
        fetch(`${server.url}/api/sessions/${other.clientSessionId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${other.candidateToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messageId: 'rest-1', text: 'An answer sent while the database is down.' }),
        }),
      ),
      timed(emitAck(socket, 'answer:submit', [{ messageId: 'during-1', text: 'An answer sent while the database is down.' }], 15_000)),
      timed(fetch(`${server.url}/readyz`)),
      timed(connectErrorOf(newcomer, 15_000)),
    ]);
    newcomer.close();
    timings.push(`down: REST 503 after ${downRestMs} ms, socket error ack after ${downAckMs} ms`);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({ error: { code: 'DEPENDENCY_DOWN' } });
    expect(downAck).toMatchObject({ ok: false, error: { code: 'DEPENDENCY_DOWN' } });
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).not.toBeNull();
    expect(refused.data).toMatchObject({ code: 'DEPENDENCY_DOWN' });
    // The process is still up and says so.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // ---- back after ~10 s, same port and data ------------------------------------
    await sleep(Math.max(0, 10_000 - (Date.now() - outageStarted)));
    db = await startEmbeddedDbAt(port, dir);
    const restartedAt = Date.now();
    timings.push(`outage lasted ${restartedAt - outageStarted} ms`);
    for (;;) {
      if ((await fetch(`${server.url}/readyz`)).status === 200) break;
      if (Date.now() - restartedAt > 20_000) throw new Error('never became ready again');
      await sleep(100);
    }
    timings.push(`ready again ${Date.now() - restartedAt} ms after the database returned`);

    // The client retries its unacknowledged answer with the same messageId until acked.
    let ack: unknown;
    for (let i = 0; i < 50; i++) {
      ack = await emitAck(socket, 'answer:submit', [{ messageId: 'during-1', text: 'An answer sent while the database hangs.' }], 10_000);
      if ((ack as { ok?: unknown }).ok === true) break;
      await sleep(200);
    }
    timings.push(`retried submit acked ${Date.now() - restartedAt} ms after the database returned`);
    expect(ack).toEqual({ ok: true, messageId: 'during-1', seq: 4 });
    const restRetry = await other.rest('POST', `/api/sessions/${other.clientSessionId}/messages`, { messageId: 'rest-1', text: 'An answer sent while the database hangs.' });
    expect(restRetry).toEqual({ status: 200, body: { ok: true, messageId: 'rest-1', seq: 2 } });
    await candidate.until((v) => v.turn === 'awaiting_answer' && v.streaming === null && v.messages.length === 5, 20_000, 'third question');
    console.info(`database outage: ${timings.join('; ')}`);

    const after = await candidate.rest('GET', `/api/sessions/by-client/${candidate.clientSessionId}`);
    const messages = (after.body as { messages: Array<{ id: string; role: string }> }).messages;
    expect(messages.map((m) => m.role)).toEqual(['interviewer', 'candidate', 'interviewer', 'candidate', 'interviewer']);
    expect(messages.filter((m) => m.id === 'before-1')).toHaveLength(1);
    expect(messages.filter((m) => m.id === 'during-1')).toHaveLength(1);
    candidate.disconnect();
    other.disconnect();
  }, 90_000);
});

describe('an answer whose write lands after its deadline', () => {
  let lateDb: ChildProcess | undefined;
  let lateServer: TestServer | undefined;
  let proxy: Awaited<ReturnType<typeof holdingProxy>> | undefined;
  afterAll(async () => {
    await lateServer?.close().catch(() => undefined);
    await proxy?.close();
    if (lateDb) {
      lateDb.kill('SIGKILL');
      await exited(lateDb);
    }
  });

  it('is acknowledged on retry and its question starts at once, not after TURN_LEASE_MS', async () => {
    const port = await freePort();
    lateDb = await startEmbeddedDbAt(port, makeDataDir());
    // The database answers everything except the answer's append, which a proxy holds past the 5 s deadline.
    proxy = await holdingProxy({ host: '127.0.0.1', port });
    lateServer = await startTestServer({ MONGODB_URI: `mongodb://127.0.0.1:${proxy.port}/candor_late`, TURN_LEASE_MS: '60000', LOG_LEVEL: 'warn' });
    const candidate = await TestCandidate.create(lateServer.url);
    await candidate.connect({ reconnection: true });
    await candidate.start();
    await candidate.awaitingAnswer();
    const socket = candidate.socket as unknown as Socket;
    const answer = { messageId: 'late-1', text: 'Sent while the database is slow; it lands after the deadline.' };

    proxy.arm('findAndModify');
    expect(await emitAck(socket, 'answer:submit', [answer], 15_000)).toMatchObject({ ok: false, error: { code: 'DEPENDENCY_DOWN' } });
    expect(proxy.held()).toBe(true);
    proxy.release(); // the append reaches the database now, after its caller got DEPENDENCY_DOWN
    const db = lateServer.connection.db!;
    const releasedAt = Date.now();
    for (;;) {
      const doc = await db.collection('interviews').findOne({ clientSessionId: candidate.clientSessionId });
      if ((doc?.messages as Array<{ id: string }> | undefined)?.some((m) => m.id === 'late-1')) {
        expect((doc?.turn as { state: string }).state).toBe('generating'); // leased to a question nobody streams yet
        break;
      }
      if (Date.now() - releasedAt > 10_000) throw new Error('the held write never landed');
      await sleep(50);
    }

    const retriedAt = Date.now();
    expect(await emitAck(socket, 'answer:submit', [answer])).toEqual({ ok: true, messageId: 'late-1', seq: 2 });
    await candidate.until((v) => v.turn === 'awaiting_answer' && v.streaming === null && v.messages.length === 3, 10_000, 'the question of the late answer');
    const questionMs = Date.now() - retriedAt;
    console.info(`late write: landed after its 5 s deadline; the retry was acked and the next question complete ${questionMs} ms later (lease 60 s)`);
    const stored = await candidate.rest('GET', `/api/sessions/by-client/${candidate.clientSessionId}`);
    expect((stored.body as { messages: Array<{ id: string }> }).messages.filter((m) => m.id === 'late-1')).toHaveLength(1);
    candidate.disconnect();
  }, 60_000);
});
