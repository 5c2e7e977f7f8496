import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOCUS_SIGNALS_MAX } from '../../../shared/interview.js';
import type { WireFocusSignal } from '../../../shared/monitor.js';
import { FOCUS_RATE } from '../../src/interview/focusSignals.js';
import { isAckError, TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startTestStore, type TestStore } from '../support/store.js';
import { call, RECRUITER } from './helpers.js';

describe('live focus signals over /interview and /monitor', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RECRUITER_TOKEN: RECRUITER });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('are stored on the session, streamed to a watcher (not to the candidate) and returned by the recruiter REST view', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    const candidateSaw: unknown[] = [];
    (candidate.socket as unknown as { on(e: string, l: (p: unknown) => void): void }).on('focus:signal', (p) => candidateSaw.push(p));

    // A signal before anyone watches: it arrives in the watch ack.
    const at = new Date().toISOString();
    expect(await candidate.emit('candidate:focus', { state: 'hidden', at })).toEqual({ ok: true, stored: true });

    const recruiter = await TestRecruiter.connect(server.url, RECRUITER);
    const live: WireFocusSignal[] = [];
    recruiter.socket.on('focus:signal', (s) => live.push(s));
    const ack = (await recruiter.call('session:watch', { sessionId: candidate.created.sessionId })) as { focus: WireFocusSignal[] };
    expect(ack.focus).toHaveLength(1);
    expect(ack.focus[0]).toMatchObject({ kind: 'focus', state: 'hidden', clientAt: at });

    expect(await candidate.emit('candidate:focus', { state: 'visible', at: new Date().toISOString() })).toEqual({ ok: true, stored: true });
    expect(await candidate.emit('candidate:paste', { length: 1234, at: new Date().toISOString() })).toEqual({ ok: true, stored: true });
    await recruiter.until(() => live.length === 2, 2_000, 'two live focus signals');
    expect(live[0]).toMatchObject({ kind: 'focus', state: 'visible' });
    expect(live[1]).toMatchObject({ kind: 'paste', length: 1234 });
    expect(typeof live[1]!.at).toBe('string');

    const rest = await call<{ focus: WireFocusSignal[] }>(server.url, 'GET', `/api/sessions/${candidate.created.sessionId}`);
    expect(rest.body.focus.map((s) => s.kind)).toEqual(['focus', 'focus', 'paste']);
    expect(candidateSaw).toEqual([]);
    recruiter.close();
    candidate.disconnect();
  });

  it('validates payloads (never text), rate-limits a flood and records nothing after the end', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    const bad = [
      ['candidate:focus', { state: 'blurred', at: new Date().toISOString() }],
      ['candidate:focus', { state: 'hidden' }],
      ['candidate:paste', { length: -1, at: new Date().toISOString() }],
      ['candidate:paste', { length: 5, text: 'secret', at: new Date().toISOString() }],
      ['candidate:paste', { length: 5, at: 'yesterday' }],
    ] as const;
    for (const [event, payload] of bad) {
      const ack = await candidate.emit(event, payload as never);
      expect(isAckError(ack) && ack.error.code, JSON.stringify(payload)).toBe('VALIDATION');
    }

    const acks = await Promise.all(
      Array.from({ length: FOCUS_RATE.points + 20 }, () => candidate.emit('candidate:paste', { length: 3, at: new Date().toISOString() })),
    );
    const limited = acks.filter((a) => isAckError(a) && a.error.code === 'RATE_LIMITED');
    expect(limited.length).toBe(20);
    const stored = await server.service.require(candidate.clientSessionId);
    expect(stored.focus).toHaveLength(FOCUS_RATE.points);

    candidate.disconnect();

    // After the end nothing is recorded (and nothing is streamed).
    const ended = await TestCandidate.create(server.url);
    await ended.connect();
    await ended.start();
    expect(await ended.emit('interview:end', { endedBy: 'user' })).toMatchObject({ ok: true, status: 'completed' });
    expect(await ended.emit('candidate:focus', { state: 'hidden', at: new Date().toISOString() })).toEqual({ ok: true, stored: false });
    expect((await server.service.require(ended.clientSessionId)).focus).toBeUndefined();
    ended.disconnect();
  });
});

describe('focus signals in the store', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await startTestStore();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('a flood never grows the document past the cap: ONE $push with $each + $slice keeps the newest', async () => {
    const { randomUUID } = await import('node:crypto');
    const id = randomUUID();
    await store.repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer' });
    const base = Date.now();
    const signal = (i: number) => ({ kind: 'paste' as const, length: i, at: new Date(base + i) });
    const { commands } = await store.commandsDuring(() => store.repo.pushFocusSignals(id, [signal(0)]));
    expect(commands.filter((c) => c.name === 'update')).toHaveLength(1);
    await Promise.all(Array.from({ length: 260 }, (_, i) => store.repo.pushFocusSignals(id, [signal(i + 1)])));
    await store.repo.pushFocusSignals(id, Array.from({ length: 50 }, (_, i) => signal(1000 + i)));
    const session = await store.repo.findByClientSessionId(id);
    expect(session?.focus).toHaveLength(FOCUS_SIGNALS_MAX);
    const lengths = session!.focus!.map((s) => (s.kind === 'paste' ? s.length : -1));
    expect(lengths.slice(-50)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    expect(lengths.includes(0)).toBe(false); // the oldest were dropped
  });

  it('records nothing for an ended or unknown session', async () => {
    const { randomUUID } = await import('node:crypto');
    const id = randomUUID();
    await store.repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer' });
    await store.repo.transition(id, { from: ['created'], to: 'completed' });
    expect(await store.repo.pushFocusSignals(id, [{ kind: 'focus', state: 'hidden', at: new Date() }])).toEqual({ stored: false });
    expect((await store.repo.findByClientSessionId(id))?.focus).toBeUndefined();
    expect(await store.repo.pushFocusSignals(randomUUID(), [{ kind: 'focus', state: 'hidden', at: new Date() }])).toEqual({ stored: false });
  });
});
