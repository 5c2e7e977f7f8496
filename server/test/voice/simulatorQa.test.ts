import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { results, startVoice, voiceCandidate, waitFor } from './helpers.js';

/** The QA console's duplicate and stale scenarios, played by the simulator against the server's own webhook route. */
describe('simulated webhook faults for QA', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SIMULATED_WEBHOOK_DELAY_MS: '50' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a stale copy is refused, the valid delivery links, and two redeliveries change nothing', async () => {
    const status = await fetch(`${server.url}/api/qa/status`);
    expect(await status.json()).toEqual({ simulator: true });

    const c = await voiceCandidate(server);
    const start = await startVoice(c, { duplicates: 3, staleFirst: true });
    expect(start.simulation).toMatchObject({ duplicates: 3, staleFirst: true });
    await c.rest('POST', `/api/sessions/${c.clientSessionId}/end`, { endedBy: 'user' });
    const done = await waitFor(
      () => c.rest('GET', `/api/qa/deliveries/${c.clientSessionId}`),
      (r) => (r.body as { deliveries: unknown[] }).deliveries.length === 4,
      5_000,
      'four deliveries',
    );
    expect((done.body as { deliveries: Array<{ kind: string; status: number }> }).deliveries.map(({ kind, status: s }) => [kind, s])).toEqual([
      ['stale', 401],
      ['valid', 200],
      ['duplicate', 200],
      ['duplicate', 200],
    ]);
    const r = await waitFor(() => results(c), (x) => x.status === 'completed', 5_000, 'linked');
    expect(r.voice?.linkedBy).toBe('conversation_id');
    expect(await server.connection.collection('webhook_events').countDocuments({ conversationId: start.conversationId })).toBe(1);
    expect(await server.connection.collection('interviews').countDocuments({ 'voice.conversationId': start.conversationId })).toBe(1);
    // Another session's token does not read this session's deliveries.
    const other = await voiceCandidate(server);
    expect((await c.rest('GET', `/api/qa/deliveries/${c.clientSessionId}`, undefined, other.candidateToken)).status).toBe(401);
  });
});
