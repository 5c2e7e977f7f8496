import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceConversationAck } from '../../../shared/voice.js';
import { isAckError } from '../support/candidate.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LINES, newConversationId, results, sendWebhook, startVoice, voiceCandidate, waitFor } from './helpers.js';

/**
 * The voice lifecycle against a real in-process server running the simulator
 * with its own webhook off: every webhook here is a real signed request.
 */
describe('voice lifecycle and webhook linking', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SIMULATED_WEBHOOK: 'off', DISCONNECT_GRACE_MS: '150' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const interviews = () => server.connection.collection('interviews');

  it('links a webhook that arrives before the client ends; the later end changes nothing', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    expect(start.simulated).toBe(true);
    expect(start.conversationId).toBe(`sim_${c.clientSessionId}`);
    expect(start.dynamicVariables.client_session_id).toBe(c.clientSessionId);
    await c.connect();
    const hook = await sendWebhook(server, { conversationId: start.conversationId!, agentId: start.agentId, userId: start.userId, clientSessionId: c.clientSessionId });
    expect(hook.status).toBe(200);
    await c.until((v) => v.status === 'completed', 15_000, 'completed');
    const ack = await c.emit('voice:ended', { endedBy: 'user', conversationId: start.conversationId! });
    expect(ack).toEqual({ ok: true, status: 'completed' });
    const r = await waitFor(() => results(c), (x) => x.evaluationStatus === 'complete', 8_000, 'evaluation');
    expect(r).toMatchObject({ status: 'completed', conversationId: start.conversationId, voice: { state: 'linked', linkedBy: 'conversation_id', transcriptLines: 4 } });
    const doc = await interviews().findOne({ clientSessionId: c.clientSessionId });
    expect(doc?.endedBy).toBe('server');
    c.disconnect();
  });

  it('links a webhook that arrives after the client ended, by conversation id, and pushes session:linked + evaluation:ready', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    await c.connect();
    const ended = await c.emit('voice:ended', { endedBy: 'user' });
    expect(ended).toEqual({ ok: true, status: 'ended_pending_webhook' });
    expect((await results(c)).voice).toMatchObject({ state: 'awaiting_transcript' });
    const linked = new Promise((resolve) => c.socket!.once('session:linked', resolve));
    const ready = new Promise((resolve) => c.socket!.once('evaluation:ready', resolve));
    await sendWebhook(server, { conversationId: start.conversationId!, agentId: start.agentId, userId: start.userId, clientSessionId: c.clientSessionId });
    expect(await linked).toEqual({ conversationId: start.conversationId, linkedBy: 'conversation_id' });
    expect(await ready).toEqual({ evaluationStatus: 'complete' });
    const doc = await interviews().findOne({ clientSessionId: c.clientSessionId });
    expect(doc).toMatchObject({ status: 'completed', endedBy: 'user', transcript: { conversationId: start.conversationId } });
    c.disconnect();
  });

  it('acknowledges a webhook delivered three times and applies it once', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    const spec = { conversationId: start.conversationId!, agentId: start.agentId, userId: start.userId, clientSessionId: c.clientSessionId, eventTimestamp: 1_795_958_400 };
    const first = await sendWebhook(server, spec);
    expect(JSON.parse(first.body)).toEqual({ received: true, duplicate: false });
    await waitFor(() => results(c), (x) => x.status === 'completed', 5_000, 'linked');
    const before = await interviews().findOne({ clientSessionId: c.clientSessionId });
    for (let i = 0; i < 2; i += 1) {
      const again = await sendWebhook(server, spec);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.body)).toEqual({ received: true, duplicate: true });
    }
    await new Promise((r) => setTimeout(r, 100));
    const after = await interviews().findOne({ clientSessionId: c.clientSessionId });
    expect(after?.transcript).toEqual(before?.transcript);
    expect(after?.voice).toEqual(before?.voice);
    expect(await server.connection.collection('webhook_events').countDocuments({ conversationId: start.conversationId })).toBe(1);
  });

  it('links by the client_session_id dynamic variable when the client never learned the conversation id', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c, { omitConversationId: true });
    expect(start.conversationId).toBeUndefined();
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    const cid = newConversationId();
    await sendWebhook(server, { conversationId: cid, agentId: start.agentId, userId: start.userId, clientSessionId: c.clientSessionId });
    const r = await waitFor(() => results(c), (x) => x.status === 'completed', 5_000, 'linked');
    expect(r).toMatchObject({ conversationId: cid, voice: { linkedBy: 'dynamic_variable' } });
  });

  it('links by the time window when there are no dynamic variables and exactly one session matches', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c, { omitConversationId: true });
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    const cid = newConversationId();
    await sendWebhook(server, { conversationId: cid, agentId: start.agentId, userId: start.userId, omitDynamicVariables: true, startedAt: new Date(Date.now() - 60_000) });
    const r = await waitFor(() => results(c), (x) => x.status === 'completed', 5_000, 'linked');
    expect(r).toMatchObject({ conversationId: cid, voice: { linkedBy: 'time_window' } });
  });

  it('never links two sessions of the same user by time window: the orphan lists both, and a later report merges it', async () => {
    const person = `cand_${randomUUID().slice(0, 8)}`;
    const a = await voiceCandidate(server, { candidateId: person });
    const b = await voiceCandidate(server, { candidateId: person });
    const sa = await startVoice(a, { omitConversationId: true });
    await startVoice(b, { omitConversationId: true });
    await a.rest('POST', `/api/sessions/${a.clientSessionId}/end`, { endedBy: 'user' });
    await b.rest('POST', `/api/sessions/${b.clientSessionId}/end`, { endedBy: 'user' });
    const cid = newConversationId();
    await sendWebhook(server, { conversationId: cid, agentId: sa.agentId, userId: person, omitDynamicVariables: true });
    const orphan = await waitFor(() => interviews().findOne({ 'voice.conversationId': cid }), (d) => d !== null, 5_000, 'orphan');
    expect(orphan).toMatchObject({ status: 'orphaned', mode: 'voice', voice: { linkedBy: 'fallback' }, transcript: { conversationId: cid } });
    expect([...(orphan!.voice.candidates as string[])].sort()).toEqual([a.clientSessionId, b.clientSessionId].sort());
    const event = await server.connection.collection('webhook_events').findOne({ conversationId: cid });
    expect(event?.outcome).toMatchObject({ result: 'ambiguous' });
    expect((await results(a)).status).toBe('ended_pending_webhook');
    expect((await results(b)).status).toBe('ended_pending_webhook');

    await a.connect();
    const ack = (await a.emit('voice:conversation-id', { conversationId: cid })) as VoiceConversationAck;
    expect(ack).toEqual({ ok: true, conversationId: cid, merged: true, status: 'completed' });
    const ra = await waitFor(() => results(a), (x) => x.conversationId === cid, 5_000, 'merged');
    expect(ra.voice).toMatchObject({ state: 'linked', linkedBy: 'merge', transcriptLines: LINES.length });
    expect(await interviews().countDocuments({ status: 'orphaned', 'transcript.conversationId': cid })).toBe(0);
    expect((await results(b)).status).toBe('ended_pending_webhook');
    a.disconnect();
  });

  it('keeps a webhook nobody claims as an orphan and merges it when the session ends with that conversation id', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c, { omitConversationId: true });
    const cid = newConversationId();
    // Another user id and no dynamic variables: nothing matches.
    await sendWebhook(server, { conversationId: cid, agentId: start.agentId, userId: 'someone_else', omitDynamicVariables: true });
    await waitFor(() => interviews().findOne({ 'voice.conversationId': cid, status: 'orphaned' }), (d) => d !== null, 5_000, 'orphan');
    expect((await results(c)).status).toBe('active');
    const ended = await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user', conversationId: cid });
    expect(ended).toEqual({ status: 200, body: { ok: true, status: 'completed' } });
    const r = await results(c);
    expect(r).toMatchObject({ status: 'completed', conversationId: cid, voice: { linkedBy: 'merge', transcriptLines: LINES.length } });
    expect(await interviews().countDocuments({ 'voice.conversationId': cid })).toBe(1);
  });

  it('stores live lines once per messageId and pushes them; a duplicate gets the same ack', async () => {
    const c = await voiceCandidate(server);
    await startVoice(c, { omitConversationId: true });
    await c.connect();
    const first = await c.emit('voice:transcript', { messageId: 'ev-1', role: 'agent', text: 'Hello there.' });
    const second = await c.emit('voice:transcript', { messageId: 'ev-2', role: 'user', text: 'Hi!' });
    const again = await c.emit('voice:transcript', { messageId: 'ev-2', role: 'user', text: 'Hi!' });
    expect(second).toEqual(again);
    expect(first).toMatchObject({ ok: true, messageId: 'ev-1' });
    await c.until((v) => v.messages.length >= 2, 3_000, 'live lines');
    const doc = await interviews().findOne({ clientSessionId: c.clientSessionId });
    // (the simulator's agent answers the candidate line with its own 'sim-agent-*' line)
    const ours = doc?.messages.filter((m: { id: string }) => m.id.startsWith('ev-'));
    expect(ours.map((m: { id: string; source: string; role: string }) => [m.id, m.source, m.role])).toEqual([
      ['ev-1', 'voice_live', 'interviewer'],
      ['ev-2', 'voice_live', 'candidate'],
    ]);
    const bad = await c.emit('voice:transcript', { messageId: 'ev-3', role: 'user', text: '   ' });
    expect(isAckError(bad) && bad.error.code).toBe('VALIDATION');
    c.disconnect();
  });

  it('interview:end on a voice interview takes the voice end path', async () => {
    const c = await voiceCandidate(server);
    await startVoice(c);
    await c.connect();
    expect(await c.emit('interview:end', { endedBy: 'user' })).toEqual({ ok: true, status: 'ended_pending_webhook' });
    const doc = await interviews().findOne({ clientSessionId: c.clientSessionId });
    expect(doc?.voice.endedAt).toBeInstanceOf(Date);
    c.disconnect();
  });

  it('ends a voice interview with endedBy disconnect when the candidate is gone past the grace period', async () => {
    const c = await voiceCandidate(server);
    await startVoice(c);
    await c.connect();
    c.disconnect();
    const r = await waitFor(() => interviews().findOne({ clientSessionId: c.clientSessionId }), (d) => d?.status === 'ended_pending_webhook', 3_000, 'disconnect end');
    expect(r?.endedBy).toBe('disconnect');
  });

  it('converges to one completed session when the webhook and the client end race', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    const spec = { conversationId: start.conversationId!, agentId: start.agentId, userId: start.userId, clientSessionId: c.clientSessionId };
    await Promise.all([sendWebhook(server, spec), c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' }), sendWebhook(server, spec)]);
    const r = await waitFor(() => results(c), (x) => x.status === 'completed', 5_000, 'completed');
    expect(r.voice).toMatchObject({ linkedBy: 'conversation_id', transcriptLines: LINES.length });
    expect(await interviews().countDocuments({ $or: [{ 'voice.conversationId': start.conversationId }, { 'transcript.conversationId': start.conversationId }] })).toBe(1);
  });

  it('never logs transcript text, tokens or the webhook secret', () => {
    const log = server.logLines.join('\n');
    expect(log).toContain('voice transcript linked');
    for (const line of LINES) expect(log).not.toContain(line.text);
    expect(log).not.toContain(server.config.voice.webhookSecret);
    expect(log).not.toContain('Hello there.');
  });

  it('refuses a voice session for a text interview and without the candidate token', async () => {
    const c = await voiceCandidate(server);
    const noToken = await c.rest('POST', '/api/voice/session', { clientSessionId: c.clientSessionId }, null);
    expect(noToken.status).toBe(401);
    const other = await voiceCandidate(server);
    const wrong = await c.rest('POST', '/api/voice/session', { clientSessionId: other.clientSessionId });
    expect(wrong.status).toBe(401);
  });
});
