import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { WebhookReceiver } from '../support/webhookReceiver.js';
import { newConversationId, sendWebhook, startVoice, voiceCandidate } from '../voice/helpers.js';
import { FAST_WEBHOOKS, registerEndpoint } from './helpers.js';

let server: TestServer;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  server = await startTestServer({ ...FAST_WEBHOOKS, SIMULATED_WEBHOOK: 'off' });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe('voice events', () => {
  it('a call nobody claimed sends voice.orphaned; when its session reports the call, the merge sends voice.linked, interview.completed and evaluation.ready', async () => {
    const endpoint = await registerEndpoint(server.url, receiver.url, ['voice.orphaned', 'voice.linked', 'interview.completed', 'evaluation.ready']);
    receiver.secrets = [endpoint.secret];
    const candidate = await voiceCandidate(server);
    // The session learns no conversation id from the agent (the simulator's own would be a different call).
    const start = await startVoice(candidate, { omitConversationId: true });
    const conversationId = newConversationId();
    // No conversation id known and no dynamic variable: the webhook becomes an orphan.
    const delivered = await sendWebhook(server, { conversationId, agentId: start.agentId, omitDynamicVariables: true });
    expect(delivered.status).toBe(200);
    await receiver.until((r) => r.verified.some((x) => x.payload?.type === 'voice.orphaned'), 10_000, 'voice.orphaned');
    const orphaned = receiver.verified.find((x) => x.payload?.type === 'voice.orphaned')!.payload!;
    expect(orphaned.data).toMatchObject({ status: 'orphaned', conversationId, mode: 'voice', voice: { linkedBy: 'fallback' } });
    expect(orphaned.data.clientSessionId).not.toBe(candidate.clientSessionId);

    // The session ends reporting that conversation id: the orphan's transcript is merged into it.
    const ended = await candidate.rest('POST', `/api/sessions/${candidate.clientSessionId}/end`, { endedBy: 'user', conversationId });
    expect(ended).toEqual({ status: 200, body: { ok: true, status: 'completed' } });
    const mine = () => receiver.verified.filter((x) => x.payload?.data.clientSessionId === candidate.clientSessionId).map((x) => x.payload!.type);
    await receiver.until(() => (['voice.linked', 'interview.completed', 'evaluation.ready'] as const).every((t) => mine().includes(t)), 15_000, 'the session’s events');
    const linked = receiver.verified.find((x) => x.payload?.type === 'voice.linked')!.payload!;
    expect(linked.data).toMatchObject({ clientSessionId: candidate.clientSessionId, conversationId, status: 'completed', voice: { linkedBy: 'merge' } });
    // The orphan is gone (merged) and every event was sent exactly once.
    expect(await server.voice.linker.merge(candidate.clientSessionId, conversationId).then((m) => m.session?.voice?.conversationId)).toBe(conversationId);
    const ids = receiver.verified.map((x) => x.webhookId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
