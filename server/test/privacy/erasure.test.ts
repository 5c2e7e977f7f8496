import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Eraser } from '../../src/privacy/erasers.js';
import { recruiterHeaders, textInterview, voiceInterview } from '../support/interviews.js';
import { makeDataDir } from '../support/candorProcess.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { newConversationId, sendWebhook, waitFor } from '../voice/helpers.js';
import { findEverywhere, secrets, voiceWithOrphan } from './helpers.js';

/**
 * DELETE /api/sessions/:id erases a candidate everywhere (docs/privacy.md):
 * after it, a search of every collection finds none of their words or their
 * name — also when the erasure failed half-way and was finished later.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SIMULATED_WEBHOOK: 'off' });
});
afterAll(async () => {
  await server?.close();
});

const del = (id: string, headers = recruiterHeaders(server)) => fetch(`${server.url}/api/sessions/${id}`, { method: 'DELETE', headers });
const db = () => server.connection.db!;

describe('DELETE /api/sessions/:id', () => {
  it('erases a typed interview: 204, then 404, and no collection holds the answers or the name', async () => {
    const s = secrets('typed');
    const c = await textInterview(server, { name: s.name, answers: s.answers });
    expect((await findEverywhere(db(), [s.name, ...s.answers])).length).toBeGreaterThan(0);

    const first = await del(c.created.sessionId);
    expect(first.status).toBe(204);
    expect(await first.text()).toBe('');
    expect((await del(c.created.sessionId)).status).toBe(404);
    expect(await findEverywhere(db(), [s.name, ...s.answers])).toEqual([]);
    expect((await fetch(`${server.url}/api/sessions/${c.created.sessionId}`, { headers: recruiterHeaders(server) })).status).toBe(404);
    expect((await c.rest('GET', `/api/sessions/by-client/${c.clientSessionId}`)).status).toBe(404);
    // The tombstone keeps ids only, and the erased clientSessionId cannot start a new interview.
    const tombstone = await db().collection('erasures').findOne({ clientSessionId: c.clientSessionId });
    expect(tombstone).toMatchObject({ status: 'done', reason: 'request', sessionId: c.created.sessionId });
    const again = await c.rest('POST', '/api/sessions', { clientSessionId: c.clientSessionId, mode: 'text', role: 'backend-engineer', candidateName: s.name }, null);
    expect(again.status).toBe(410);
    expect(await findEverywhere(db(), [s.name])).toEqual([]);
  }, 30_000);

  it('erases a voice interview with its raw webhook payloads and the orphaned copy of its other call', async () => {
    const s = secrets('voice');
    const { linked, retry, orphanCallLine } = await voiceWithOrphan(server, s);
    const needles = [s.name, ...s.callLines, orphanCallLine];
    const before = await findEverywhere(db(), needles);
    expect(new Set(before.map((h) => h.collection))).toEqual(new Set(['interviews', 'webhook_events']));

    expect((await del(linked.created.sessionId)).status).toBe(204);
    expect((await del(retry.created.sessionId)).status).toBe(204);
    expect(await findEverywhere(db(), needles)).toEqual([]);
    // The other session the ambiguous call listed is untouched.
    expect(await db().collection('interviews').countDocuments({ candidateName: 'Someone Else' })).toBeGreaterThan(0);
  }, 40_000);

  it("a late webhook of an erased interview is kept as an orphan without the person's words and never brings it back", async () => {
    const s = secrets('late');
    const { candidate, start } = await voiceInterview(server, { name: s.name, lines: [s.answers[0]!], webhook: true });
    expect((await del(candidate.created.sessionId)).status).toBe(204);

    const late = `A late redelivery of ${s.name} repeating ${s.callLines[0]}`;
    // Same conversation id; then a new conversation that only carries the dynamic variable.
    for (const conversationId of [start.conversationId!, newConversationId()]) {
      const hook = await sendWebhook(server, {
        conversationId,
        agentId: start.agentId,
        userId: start.userId,
        clientSessionId: candidate.clientSessionId,
        lines: [{ role: 'user', text: late }],
        summary: `Summary of ${s.name}`,
        type: 'post_call_transcription',
      });
      expect(hook.status).toBe(200);
      const event = await waitFor(
        () => db().collection('webhook_events').findOne({ conversationId }),
        (e) => e?.['processedAt'] !== undefined,
        8_000,
        'processed late webhook',
      );
      expect(event?.['outcome']).toMatchObject({ result: 'orphaned', detail: 'erased_interview' });
      expect(event?.['payload']).toEqual({ type: 'post_call_transcription', redacted: 'erased_interview', data: { conversation_id: conversationId, agent_id: start.agentId } });
      const orphan = await db().collection('interviews').findOne({ 'voice.conversationId': conversationId });
      expect(orphan).toMatchObject({ status: 'orphaned', transcript: { lines: [] }, voice: { candidates: [] } });
      expect(orphan?.['voice']).not.toHaveProperty('userId');
    }
    expect(await db().collection('interviews').countDocuments({ clientSessionId: candidate.clientSessionId })).toBe(0);
    expect(await findEverywhere(db(), [s.name, late, s.answers[0]!])).toEqual([]);
  }, 30_000);

  it('needs the admin (recruiter) token and answers 404 for unknown ids', async () => {
    expect((await del('0123456789abcdef01234567')).status).toBe(404);
    expect((await del('not-an-id')).status).toBe(404);
    expect((await del('0123456789abcdef01234567', {})).status).toBe(401);
  });
});

describe('an erasure interrupted between two steps', () => {
  const failing = (after: string): Eraser => ({
    name: `crash-${after}`,
    erase: () => Promise.reject(new Error(`injected failure after ${after}`)),
  });

  // Before the first eraser (tombstone written only), between each pair, and after the last (before "done").
  const positions = ['interviews', 'orphans', 'webhook_events', 'inflight', null] as const;

  for (const before of positions) {
    it(`fails ${before ? `before the ${before} eraser` : 'after the last eraser'}, and the resume erases everything`, async () => {
      const s = secrets(`crash-${before ?? 'end'}`);
      const { linked } = await voiceWithOrphan(server, s);
      const registry = server.privacy.erasers;
      const crash = failing(before ?? 'end');
      registry.register(crash, before ? { before } : {});
      let res: Response;
      try {
        res = await del(linked.created.sessionId);
      } finally {
        (registry.list() as Eraser[]).splice(registry.list().indexOf(crash), 1);
      }
      expect(res.status).toBe(500);
      const tombstone = await db().collection('erasures').findOne({ clientSessionId: linked.clientSessionId });
      expect(tombstone).toMatchObject({ status: 'pending' });
      expect(tombstone).not.toHaveProperty('node');
      // What start-up (and every sweeper tick) runs:
      expect(await server.privacy.erasure.resumePending()).toBe(1);
      expect(await db().collection('erasures').findOne({ clientSessionId: linked.clientSessionId })).toMatchObject({ status: 'done' });
      expect(await findEverywhere(db(), [...s.callLines])).toEqual([]);
      expect((await del(linked.created.sessionId)).status).toBe(404);
    }, 40_000);
  }

  it('a server restarted after a failed erasure finishes it at start', async () => {
    const dataDir = makeDataDir();
    const env = { SIMULATED_WEBHOOK: 'off', DATA_DIR: dataDir, EMBEDDED_DB_DURABILITY: 'fsync' };
    const first = await startTestServer(env);
    const s = secrets('restart');
    let sessionId = '';
    try {
      const c = await textInterview(first, { name: s.name, answers: s.answers });
      sessionId = c.created.sessionId;
      first.privacy.erasers.register(failing('interviews'), { before: 'orphans' });
      const res = await fetch(`${first.url}/api/sessions/${sessionId}`, { method: 'DELETE', headers: recruiterHeaders(first) });
      expect(res.status).toBe(500);
    } finally {
      await first.close();
    }
    const second = await startTestServer(env);
    try {
      const tombstone = await second.connection.db!.collection('erasures').findOne({ sessionId });
      expect(tombstone).toMatchObject({ status: 'done' });
      expect(await findEverywhere(second.connection.db!, [s.name, ...s.answers])).toEqual([]);
    } finally {
      await second.close();
    }
  }, 60_000);
});
