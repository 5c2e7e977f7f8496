import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRecruiter } from '../support/recruiter.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { results, startVoice, voiceCandidate, waitFor } from './helpers.js';

/** No ElevenLabs key: the server plays the agent and sends itself a signed webhook after the end. */
describe('voice simulator end to end', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SIMULATED_WEBHOOK_DELAY_MS: '200' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('plays the agent, then delivers a signed webhook that completes and evaluates the session', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    expect(start).toMatchObject({ simulated: true, simulation: { webhook: 'on', webhookDelayMs: 200 } });
    await c.connect();
    expect(await c.emit('voice:started', {})).toEqual({ ok: true, status: 'active' });
    await c.until((v) => v.messages.length === 1 && v.messages[0]?.role === 'interviewer', 5_000, 'agent greeting');
    for (let i = 1; i <= 2; i += 1) {
      await c.emit('voice:transcript', { messageId: `user-${i}`, role: 'user', text: `Answer number ${i} about queues and idempotency.` });
      await c.until((v) => v.messages.length === 2 * i + 1, 5_000, `agent reply ${i}`);
    }
    const linked = new Promise((resolve) => c.socket!.once('session:linked', resolve));
    const ready = new Promise((resolve) => c.socket!.once('evaluation:ready', resolve));
    expect(await c.emit('voice:ended', { endedBy: 'user' })).toEqual({ ok: true, status: 'ended_pending_webhook' });
    expect(await linked).toEqual({ conversationId: start.conversationId, linkedBy: 'conversation_id' });
    expect(await ready).toEqual({ evaluationStatus: 'complete' });
    const r = await results(c);
    expect(r).toMatchObject({ status: 'completed', evaluationStatus: 'complete', voice: { state: 'linked', transcriptLines: 5 } });
    expect(r.messages?.every((m) => m.source === 'voice_live')).toBe(true);
    c.disconnect();
  });

  it('links by dynamic variable without a conversation id on the client, and by time window without dynamic variables', async () => {
    const a = await voiceCandidate(server);
    await startVoice(a, { omitConversationId: true, webhookDelayMs: 50 });
    const b = await voiceCandidate(server);
    await startVoice(b, { omitConversationId: true, omitDynamicVariables: true, webhookDelayMs: 50 });
    for (const c of [a, b]) await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    const ra = await waitFor(() => results(a), (x) => x.status === 'completed', 5_000, 'a linked');
    const rb = await waitFor(() => results(b), (x) => x.status === 'completed', 5_000, 'b linked');
    expect(ra.voice?.linkedBy).toBe('dynamic_variable');
    expect(rb.voice?.linkedBy).toBe('time_window');
    expect(ra.conversationId).toBe(`sim_${a.clientSessionId}`);
  });

  it('shows a recruiter watching the session every live line and the link', async () => {
    const c = await voiceCandidate(server);
    await startVoice(c, { webhookDelayMs: 50 });
    const recruiter = await TestRecruiter.connect(server.url, server.config.recruiterToken);
    try {
      await recruiter.watch(c.created.sessionId);
      await c.connect();
      await c.emit('voice:started', {});
      await c.emit('voice:transcript', { messageId: 'live-1', role: 'user', text: 'A spoken answer.' });
      await recruiter.until((v) => v.messages.length >= 3, 5_000, 'live lines on the monitor');
      expect(recruiter.view.messages.map((m) => m.source)).toEqual(['voice_live', 'voice_live', 'voice_live']);
      const linked = new Promise((resolve) => recruiter.socket.once('session:linked' as never, resolve));
      await c.emit('voice:ended', { endedBy: 'user' });
      expect(await linked).toMatchObject({ linkedBy: 'conversation_id' });
    } finally {
      recruiter.socket.disconnect();
      c.disconnect();
    }
  });

  it('sends no webhook for a session whose simulated webhook is off', async () => {
    const c = await voiceCandidate(server);
    await startVoice(c, { webhook: 'off', webhookDelayMs: 0 });
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await results(c)).voice).toMatchObject({ state: 'awaiting_transcript' });
  });
});
