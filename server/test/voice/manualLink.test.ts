import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { LINES, newConversationId, results, sendWebhook, startVoice, voiceCandidate, waitFor } from './helpers.js';

const TOKEN = 'recruiter-token-manual-link-01';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SIMULATED_WEBHOOK: 'off', RECRUITER_TOKEN: TOKEN });
});
afterAll(async () => {
  await server?.close();
});

async function link(sessionId: string, body: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${server.url}/api/sessions/${sessionId}/link`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a recruiter resolving an ambiguous voice conversation by hand', () => {
  it('merges the orphan into the chosen session, which completes with linkedBy merge', async () => {
    const person = `cand_${randomUUID().slice(0, 8)}`;
    const a = await voiceCandidate(server, { candidateId: person });
    const b = await voiceCandidate(server, { candidateId: person });
    const start = await startVoice(a, { omitConversationId: true });
    await startVoice(b, { omitConversationId: true });
    await a.rest('POST', `/api/sessions/${a.clientSessionId}/end`, { endedBy: 'user' });
    await b.rest('POST', `/api/sessions/${b.clientSessionId}/end`, { endedBy: 'user' });
    const cid = newConversationId();
    await sendWebhook(server, { conversationId: cid, agentId: start.agentId, userId: person, omitDynamicVariables: true });
    const orphans = server.connection.collection('interviews');
    await waitFor(() => orphans.findOne({ 'voice.conversationId': cid, status: 'orphaned' }), (d) => d !== null, 5_000, 'orphan');

    expect(await link(b.created.sessionId, { conversationId: cid }, null)).toMatchObject({ status: 401 });
    expect(await link(b.created.sessionId, { conversationId: { $ne: 'x' } })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
    expect(await link(b.created.sessionId, { conversationId: 'conv_nobody_has_this' })).toMatchObject({ status: 404 });

    const linked = await link(b.created.sessionId, { conversationId: cid });
    expect(linked).toMatchObject({ status: 200, body: { ok: true, summary: { linkState: 'linked', linkedBy: 'merge' } } });
    const rb = await waitFor(() => results(b), (x) => x.status === 'completed', 5_000, 'completed');
    expect(rb).toMatchObject({ conversationId: cid, voice: { linkedBy: 'merge', transcriptLines: LINES.length } });
    expect(await orphans.countDocuments({ status: 'orphaned', 'transcript.conversationId': cid })).toBe(0);
    // The other session of the same person is untouched, and cannot take the same conversation again.
    expect((await results(a)).status).toBe('ended_pending_webhook');
    expect(await link(a.created.sessionId, { conversationId: cid })).toMatchObject({ status: 409 });
  });
});
