import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../support/fakeElevenLabs.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { newConversationId, results, sendWebhook, startVoice, voiceCandidate } from './helpers.js';

const RECONCILE_AFTER_MS = 600_000;

/** Real ElevenLabs mode against a local fake API (through the official SDK): start, then the reconciler. */
describe('voice with ElevenLabs configured: session start and the reconciler', () => {
  let server: TestServer;
  let fake: FakeElevenLabs;

  beforeAll(async () => {
    fake = await startFakeElevenLabs();
    server = await startTestServer({
      ELEVENLABS_API_KEY: 'test-key',
      ELEVENLABS_AGENT_ID: 'agent_test',
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_WEBHOOK_SECRET: 'w'.repeat(40),
      RECONCILE_AFTER_MS: String(RECONCILE_AFTER_MS),
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  const later = () => new Date(Date.now() + RECONCILE_AFTER_MS + 1_000);

  it('returns a signed URL and records the conversation id it carries; WebRTC gets a token', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    expect(start).toMatchObject({ simulated: false, agentId: 'agent_test', dynamicVariables: { client_session_id: c.clientSessionId } });
    expect(start.signedUrl).toContain(`conversation_id=${start.conversationId}`);
    expect((await results(c)).conversationId).toBe(start.conversationId);
    expect(fake.requests.some((r) => r.includes('include_conversation_id=true'))).toBe(true);
    const w = await voiceCandidate(server);
    const rtc = await startVoice(w, undefined, 'webrtc');
    expect(rtc.conversationToken).toMatch(/^tok_/);
    expect(rtc.conversationId).toMatch(/^conv_/);
  });

  it('links a session whose webhook never came by fetching its conversation, and marks one that cannot be found', async () => {
    const byId = await voiceCandidate(server);
    const sById = await startVoice(byId);
    fake.add({ conversationId: sById.conversationId!, agentId: 'agent_test', userId: sById.userId, startUnix: Math.floor(Date.now() / 1000), lines: [{ role: 'agent', message: 'Hi' }, { role: 'user', message: 'Hello' }] });

    fake.options.signedUrlWithoutId = true;
    const byVar = await voiceCandidate(server);
    const sByVar = await startVoice(byVar);
    const missing = await voiceCandidate(server);
    await startVoice(missing);
    fake.options.signedUrlWithoutId = false;
    expect(sByVar.conversationId).toBeUndefined();
    const varCid = newConversationId();
    fake.add({ conversationId: varCid, agentId: 'agent_test', clientSessionId: byVar.clientSessionId, startUnix: Math.floor(Date.now() / 1000), lines: [{ role: 'user', message: 'Found by variable' }] });

    for (const c of [byId, byVar, missing]) await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    expect((await results(missing)).voice).toMatchObject({ state: 'awaiting_transcript' });

    const outcomes = await server.voice.reconciler.runOnce(later());
    expect(outcomes.get(byId.clientSessionId)).toBe('linked');
    expect(outcomes.get(byVar.clientSessionId)).toBe('linked');
    expect(outcomes.get(missing.clientSessionId)).toBe('marked_missing');

    expect(await results(byId)).toMatchObject({ status: 'completed', voice: { state: 'linked', linkedBy: 'conversation_id', transcriptLines: 2 } });
    expect(await results(byVar)).toMatchObject({ status: 'completed', conversationId: varCid, voice: { linkedBy: 'dynamic_variable' } });
    expect(await results(missing)).toMatchObject({ status: 'abandoned', conversationId: null, voice: { state: 'transcript_missing' } });
    expect(fake.requests.some((r) => r.includes('dynamic_variable_params=client_session_id%3Aeq%3A'))).toBe(true);

    // Nothing stays pending: a second run has nothing to do.
    expect((await server.voice.reconciler.runOnce(later())).size).toBe(0);
  });

  it('marks a session whose recorded conversation ElevenLabs does not know, and a late webhook still heals it', async () => {
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    const outcomes = await server.voice.reconciler.runOnce(later());
    expect(outcomes.get(c.clientSessionId)).toBe('marked_missing');
    const doc = await server.connection.collection('interviews').findOne({ clientSessionId: c.clientSessionId });
    expect(doc).toMatchObject({ status: 'abandoned', endedBy: 'timeout' });

    await sendWebhook(server, { conversationId: start.conversationId!, agentId: 'agent_test', clientSessionId: c.clientSessionId });
    await new Promise((r) => setTimeout(r, 300));
    expect(await results(c)).toMatchObject({ status: 'completed', voice: { state: 'linked', linkedBy: 'conversation_id' } });
  });
});
