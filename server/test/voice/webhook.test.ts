import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository } from '../../src/db/repository/index.js';
import { buildPostCallPayload, deliverWebhook, signWebhook } from '../../src/voice/webhookPayload.js';
import { makeDataDir } from '../support/candorProcess.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LINES, newConversationId, results, sendWebhook, startVoice, voiceCandidate, waitFor } from './helpers.js';

describe('POST /webhooks/elevenlabs: verification, storage, limits', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SIMULATED_WEBHOOK: 'off', WEBHOOK_MAX_BYTES: '8192' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const events = () => server.connection.collection('webhook_events');
  const now = () => Math.floor(Date.now() / 1000);

  async function refused(opts: { secret?: string; timestamp?: number; header?: string | null; body?: string }) {
    const cid = newConversationId();
    const raw = opts.body ?? JSON.stringify(buildPostCallPayload({ conversationId: cid, agentId: 'agent_x', startedAt: new Date(), durationSecs: 5, lines: LINES }));
    const header = opts.header === undefined ? signWebhook(raw, opts.secret ?? server.config.voice.webhookSecret, opts.timestamp) : opts.header;
    const res = await deliverWebhook(server.url, raw, header);
    return { ...res, cid };
  }

  it('refuses a forged signature with 401 and stores nothing', async () => {
    const res = await refused({ secret: 'x'.repeat(40) });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(await events().countDocuments({ conversationId: res.cid })).toBe(0);
  });

  it('refuses a stale timestamp (31 minutes old) and a future one (10 minutes ahead) with 401', async () => {
    const stale = await refused({ timestamp: now() - 31 * 60 });
    const future = await refused({ timestamp: now() + 10 * 60 });
    expect([stale.status, future.status]).toEqual([401, 401]);
    expect(await events().countDocuments({ conversationId: { $in: [stale.cid, future.cid] } })).toBe(0);
  });

  it('refuses a missing or malformed signature header with 401', async () => {
    expect((await refused({ header: null })).status).toBe(401);
    expect((await refused({ header: 'v0=abc' })).status).toBe(401);
  });

  it('answers 400 to a correctly signed body that is not JSON, and stores nothing', async () => {
    const before = await events().countDocuments();
    const res = await refused({ body: '{"type": "post_call_transcription", ' });
    expect(res.status).toBe(400);
    expect(await events().countDocuments()).toBe(before);
  });

  it('answers 413 to a body over WEBHOOK_MAX_BYTES', async () => {
    const big = { type: 'post_call_transcription', data: { conversation_id: newConversationId(), pad: 'x'.repeat(10_000) } };
    const res = await refused({ body: JSON.stringify(big) });
    expect(res.status).toBe(413);
  });

  it('stores and acknowledges an unknown event type, and ignores it', async () => {
    const cid = newConversationId();
    const raw = JSON.stringify({ type: 'post_call_audio', event_timestamp: now(), data: { conversation_id: cid, full_audio: 'AAAA' } });
    const res = await deliverWebhook(server.url, raw, signWebhook(raw, server.config.voice.webhookSecret));
    expect(res.status).toBe(200);
    const stored = await waitFor(() => events().findOne({ conversationId: cid }), (e) => Boolean(e?.processedAt), 3_000, 'processed');
    expect(stored).toMatchObject({ type: 'post_call_audio', outcome: { result: 'ignored' } });
    expect(await server.connection.collection('interviews').countDocuments({ 'voice.conversationId': cid })).toBe(0);
  });

  it('keeps unknown fields of a real-shaped payload and still links it', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    const payload = buildPostCallPayload({ conversationId: start.conversationId!, agentId: start.agentId, startedAt: new Date(), durationSecs: 10, lines: LINES });
    (payload as { brand_new_field?: unknown }).brand_new_field = { nested: true };
    const raw = JSON.stringify(payload);
    expect((await deliverWebhook(server.url, raw, signWebhook(raw, server.config.voice.webhookSecret))).status).toBe(200);
    await waitFor(() => results(c), (r) => r.status === 'completed', 5_000, 'linked');
  });
});

describe('webhook events left unprocessed by a crash', () => {
  it('are processed at the next start, exactly once', async () => {
    const dataDir = makeDataDir();
    const env = { DATA_DIR: dataDir, SIMULATED_WEBHOOK: 'off' };
    const first = await startTestServer(env);
    const c = await voiceCandidate(first);
    const start = await startVoice(c);
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    // What the route does before it dies: the verified event is stored, processing never runs.
    const repo = await createRepository(first.connection);
    const payload = buildPostCallPayload({ conversationId: start.conversationId!, agentId: start.agentId, clientSessionId: c.clientSessionId, startedAt: new Date(), durationSecs: 30, lines: LINES });
    const stored = await repo.storeWebhookEvent({ dedupeKey: `${start.conversationId}:post_call_transcription`, type: 'post_call_transcription', conversationId: start.conversationId!, payload, receivedAt: new Date() });
    expect(stored.stored).toBe(true);
    await first.close();

    const second = await startTestServer(env);
    try {
      const doc = await second.connection.collection('interviews').findOne({ clientSessionId: c.clientSessionId });
      expect(doc).toMatchObject({ status: 'completed', voice: { linkedBy: 'conversation_id' }, transcript: { conversationId: start.conversationId } });
      const event = await second.connection.collection('webhook_events').findOne({ conversationId: start.conversationId });
      expect(event?.outcome).toMatchObject({ result: 'linked', clientSessionId: c.clientSessionId });
      expect(second.logLines.filter((l) => l.includes('webhook processed')).length).toBe(1);
      // A redelivery of the same webhook after the restart changes nothing.
      const again = await sendWebhook(second, { conversationId: start.conversationId!, agentId: start.agentId, clientSessionId: c.clientSessionId });
      expect(JSON.parse(again.body)).toMatchObject({ duplicate: true });
    } finally {
      await second.close();
    }
    const third = await startTestServer(env);
    try {
      expect(third.logLines.filter((l) => l.includes('webhook processed')).length).toBe(0);
    } finally {
      await third.close();
    }
  });

  it('finish a merge the process died in after copying the transcript: orphan removed, conversation id set, nothing lost', async () => {
    const dataDir = makeDataDir();
    const env = { DATA_DIR: dataDir, SIMULATED_WEBHOOK: 'off' };
    const first = await startTestServer(env);
    const c = await voiceCandidate(first);
    const start = await startVoice(c, { omitConversationId: true });
    const cid = newConversationId();
    await sendWebhook(first, { conversationId: cid, agentId: start.agentId, userId: 'nobody_matches', omitDynamicVariables: true });
    const orphan = await waitFor(() => first.connection.collection('interviews').findOne({ 'voice.conversationId': cid }), (d) => d?.status === 'orphaned', 3_000, 'orphan');
    // Step 1 of the merge, then the crash: the session has the transcript, the orphan still holds the id.
    const repo = await createRepository(first.connection);
    const o = await repo.findByClientSessionId(orphan!.clientSessionId as string);
    const step1 = await repo.linkVoiceTranscript(c.clientSessionId, { conversationId: cid, linkedBy: 'merge', transcript: o!.transcript!, expect: 'absent_or_same', setConversationId: false });
    expect(step1.outcome).toBe('linked');
    await first.close();

    const second = await startTestServer(env);
    try {
      const docs = await second.connection.collection('interviews').find({ $or: [{ 'voice.conversationId': cid }, { 'transcript.conversationId': cid }] }).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]).toMatchObject({ clientSessionId: c.clientSessionId, status: 'completed', voice: { conversationId: cid, linkedBy: 'merge' } });
      expect(docs[0]?.transcript.lines).toHaveLength(LINES.length);
    } finally {
      await second.close();
    }
  });
});
