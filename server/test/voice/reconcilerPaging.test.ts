import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkElevenLabsGateway } from '../../src/voice/elevenLabsGateway.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../support/fakeElevenLabs.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createOpening, RECRUITER } from '../openings/helpers.js';
import { TestCandidate } from '../support/candidate.js';
import { newConversationId, results, startVoice, voiceCandidate } from './helpers.js';

const RECONCILE_AFTER_MS = 600_000;

/** 44 other calls of the agent in the window, plus the session's own — the oldest, so on the last page. */
function crowd(fake: FakeElevenLabs, now: number, own: { clientSessionId: string; userId: string }): string {
  for (let i = 0; i < 44; i++) {
    fake.add({ conversationId: newConversationId(), agentId: 'agent_test', userId: own.userId, clientSessionId: randomUUID(), startUnix: now - i, lines: [{ role: 'user', message: `Other call ${i}` }] });
  }
  const right = newConversationId();
  fake.add({ conversationId: right, agentId: 'agent_test', userId: own.userId, clientSessionId: own.clientSessionId, startUnix: now - 60, lines: [{ role: 'agent', message: 'Hi' }, { role: 'user', message: 'The right call' }] });
  return right;
}

describe('reconciler over a listing of several pages', () => {
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
      RECRUITER_TOKEN: RECRUITER,
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('without VOICE_LLM_KEY the page gets the persona prompt, a first message, the language and the job’s skills — never the must-ask questions or the job description', async () => {
    const opening = await createOpening(server.url, {
      persona: 'probing',
      allowedModes: ['voice'],
      jobDescription: 'Confidential: we rebuild our payments ledger; Postgres, Kafka, idempotency.',
      mustAsk: ['Secret must-ask about the ledger?'],
    });
    const start = await startVoice(await TestCandidate.create(server.url, { mode: 'voice', openingSlug: opening.slug }));
    expect(start.customLlmExtraBody).toBeUndefined();
    expect(start.agentOverrides).toMatchObject({ language: 'en' });
    expect(start.agentOverrides?.prompt).toContain('Backend Engineer');
    expect(start.agentOverrides?.prompt).toContain('Push on the weakest');
    expect(start.agentOverrides?.firstMessage).toMatch(/tell me a little about yourself/);
    expect(start.agentOverrides?.keywords.length).toBeGreaterThan(0);
    expect(JSON.stringify(start)).not.toMatch(/Confidential|Secret must-ask/);
  });

  it('reads all 3 pages of 45 conversations (after a 429) and links the session to the one call that names it', async () => {
    fake.options.signedUrlWithoutId = true;
    fake.options.ignoreDynamicVariables = true;
    const c = await voiceCandidate(server);
    const start = await startVoice(c);
    expect(start.conversationId).toBeUndefined();
    const right = crowd(fake, Math.floor(Date.now() / 1000), { clientSessionId: c.clientSessionId, userId: start.userId });
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    fake.listCalls.length = 0;
    fake.options.throttle = 1;

    await server.voice.reconciler.runOnce(new Date(Date.now() + RECONCILE_AFTER_MS + 1_000));

    const r = await results(c);
    expect(r).toMatchObject({ status: 'completed', conversationId: right, voice: { state: 'linked' } });
    const pages = fake.listCalls.filter((call) => call.status === 200);
    expect(pages.map((p) => p.cursor)).toEqual([null, '20', '40']);
    expect(fake.listCalls[0]?.status).toBe(429);
    fake.options.signedUrlWithoutId = false;
    fake.options.ignoreDynamicVariables = false;
  });
});

describe('ElevenLabs gateway listing', () => {
  let fake: FakeElevenLabs;

  beforeAll(async () => {
    fake = await startFakeElevenLabs();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('follows the cursor until has_more is false, and backs off on 429 beyond the SDK’s own retries', async () => {
    const now = Math.floor(Date.now() / 1000);
    const right = crowd(fake, now, { clientSessionId: randomUUID(), userId: 'cand_paging' });
    const gateway = new SdkElevenLabsGateway({ apiKey: 'k', baseUrl: fake.url, maxRetries: 0, pageSize: 20, backoffMs: (attempt) => 40 * attempt });
    fake.options.throttle = 2;
    const listed = await gateway.listConversations({ agentId: 'agent_test', userId: 'cand_paging', startAfter: new Date((now - 600) * 1000), startBefore: new Date((now + 600) * 1000) });
    expect(listed).toHaveLength(45);
    expect(new Set(listed.map((c) => c.conversationId)).size).toBe(45);
    expect(listed.map((c) => c.conversationId)).toContain(right);
    const [first, second, third] = fake.listCalls;
    expect([first?.status, second?.status, third?.status]).toEqual([429, 429, 200]);
    // Waited 40 ms, then 80 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(35);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(75);
    expect(fake.listCalls.filter((c) => c.status === 200).map((c) => c.cursor)).toEqual([null, '20', '40']);
  });
});

describe('voice session start with the Custom LLM on', () => {
  it('tells the page to pass the session as the Custom LLM extra body, and no overrides', async () => {
    const fake = await startFakeElevenLabs();
    const server = await startTestServer({
      ELEVENLABS_API_KEY: 'test-key',
      ELEVENLABS_AGENT_ID: 'agent_test',
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_WEBHOOK_SECRET: 'w'.repeat(40),
      VOICE_LLM_KEY: 'voice-llm-key-start-tests-0123456789',
    });
    try {
      const c = await voiceCandidate(server);
      const start = await startVoice(c);
      expect(start.customLlmExtraBody).toEqual({ client_session_id: c.clientSessionId });
      expect(start.agentOverrides).toBeUndefined();
    } finally {
      await server.close();
      await fake.close();
    }
  });
});
