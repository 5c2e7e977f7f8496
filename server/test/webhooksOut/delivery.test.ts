import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookEndpointListResponseSchema, webhookEndpointViewSchema, type WebhookPayloadV1 } from '../../../shared/webhooksOut.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { WebhookReceiver } from '../support/webhookReceiver.js';
import { ADMIN, FAST_WEBHOOKS, call, completedInterview, deliveriesOf, eventually, registerEndpoint } from './helpers.js';

let server: TestServer;
const receivers: WebhookReceiver[] = [];

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  server = await startTestServer(FAST_WEBHOOKS);
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  // Each test's endpoints are removed so the next test's events go only to its own receiver.
  const list = await call<{ items: Array<{ id: string }> }>(server.url, 'GET', '/api/webhook-endpoints?limit=100');
  for (const e of list.body.items) await call(server.url, 'DELETE', `/api/webhook-endpoints/${e.id}`);
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function events(r: WebhookReceiver, clientSessionId: string) {
  return r.received.filter((x) => x.payload?.data.clientSessionId === clientSessionId);
}

describe('outgoing webhooks, delivered and verified', () => {
  it('a completed interview reaches the receiver as interview.completed and evaluation.ready, each verified with standardwebhooks and parsing as payload v1', async () => {
    const r = await receiver();
    const endpoint = await registerEndpoint(server.url, `${r.url}/hooks/candor`);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    r.secrets = [endpoint.secret];
    const candidate = await completedInterview(server.url);
    await r.until((x) => events(x, candidate.clientSessionId).length >= 2, 10_000, 'two events');

    const got = events(r, candidate.clientSessionId);
    expect(got.every((x) => x.verifiedWith.length === 1 && x.status === 200)).toBe(true);
    expect(got.map((x) => x.payload?.type).sort()).toEqual(['evaluation.ready', 'interview.completed']);
    const completed = got.find((x) => x.payload?.type === 'interview.completed')!.payload as WebhookPayloadV1;
    const ready = got.find((x) => x.payload?.type === 'evaluation.ready')!.payload as WebhookPayloadV1;
    expect(completed).toMatchObject({
      version: 'v1',
      data: {
        sessionId: candidate.created.sessionId,
        clientSessionId: candidate.clientSessionId,
        candidate: { name: 'Test Candidate', id: null },
        role: 'backend-engineer',
        mode: 'text',
        status: 'completed',
        endedBy: 'user',
        openingId: null,
        conversationId: null,
      },
    });
    expect(completed.data.links.export.pdf).toBe(`${server.url}/api/sessions/${candidate.created.sessionId}/export?format=pdf`);
    expect(ready.data.evaluation).toMatchObject({ status: 'complete' });
    expect(typeof ready.data.evaluation?.overall).toBe('number');
    // The webhook-id is the event id in the body; the two events have different ids.
    for (const x of got) expect(x.webhookId).toBe(x.payload?.eventId);
    expect(new Set(got.map((x) => x.webhookId)).size).toBe(2);

    // The secret is never shown again.
    const list = await call(server.url, 'GET', '/api/webhook-endpoints');
    expect(webhookEndpointListResponseSchema.parse(list.body).items[0]).not.toHaveProperty('secret');
    expect(JSON.stringify(list.body)).not.toContain(endpoint.secret);
    expect(server.logLines.join('\n')).not.toContain(endpoint.secret);
    const log = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d.length === 2 && d.every((x) => x.state === 'delivered'));
    expect(log.map((d) => d.attempts.map((a) => [a.statusCode, a.trigger, a.error]))).toEqual([[[200, 'initial', null]], [[200, 'initial', null]]]);
  });

  it('a receiver that answers 500 three times gets the event again with the same webhook-id, and the delivery log shows every attempt', async () => {
    const r = await receiver();
    const endpoint = await registerEndpoint(server.url, r.url, ['interview.completed']);
    r.secrets = [endpoint.secret];
    r.answer = (_x, nth) => ({ status: nth < 3 ? 500 : 204 });
    const candidate = await completedInterview(server.url);
    await r.until((x) => x.received.some((y) => y.status === 204), 10_000, 'a 204');

    const got = events(r, candidate.clientSessionId);
    expect(got.map((x) => x.status)).toEqual([500, 500, 500, 204]);
    expect(new Set(got.map((x) => x.webhookId)).size).toBe(1);
    expect(got.every((x) => x.verifiedWith.length === 1)).toBe(true);
    const [delivery] = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d[0]?.state === 'delivered');
    expect(delivery!.eventId).toBe(got[0]!.webhookId);
    expect(delivery!.attempts.map((a) => [a.n, a.statusCode, a.trigger, a.error])).toEqual([
      [1, 500, 'initial', 'http_status'],
      [2, 500, 'retry', 'http_status'],
      [3, 500, 'retry', 'http_status'],
      [4, 204, 'retry', null],
    ]);
    expect(delivery!.attempts.every((a) => typeof a.latencyMs === 'number')).toBe(true);
    // Attempts are logged with status and latency, never with the body.
    const attemptLogs = server.logLines.filter((l) => l.includes('"webhook attempt"') && l.includes(delivery!.id));
    expect(attemptLogs).toHaveLength(4);
    expect(attemptLogs.join('\n')).not.toContain('Test Candidate');
  });

  it('410 Gone disables the endpoint: the delivery fails and later events are not sent to it until it is enabled again', async () => {
    const r = await receiver();
    const endpoint = await registerEndpoint(server.url, r.url, ['interview.completed']);
    r.secrets = [endpoint.secret];
    r.answer = () => ({ status: 410 });
    await completedInterview(server.url);
    const view = await eventually(
      () => call(server.url, 'GET', `/api/webhook-endpoints/${endpoint.id}`),
      (v) => (v.body as { enabled: boolean }).enabled === false,
    );
    expect(webhookEndpointViewSchema.parse(view.body)).toMatchObject({ enabled: false, disabledReason: 'gone' });
    const [delivery] = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d[0]?.state === 'failed');
    expect(delivery).toMatchObject({ failure: 'gone', attemptCount: 1 });
    expect(delivery!.attempts[0]).toMatchObject({ statusCode: 410, error: 'gone' });

    await completedInterview(server.url);
    await new Promise((res) => setTimeout(res, 400));
    expect(r.received).toHaveLength(1);
    expect(await deliveriesOf(server.url, endpoint.id)).toHaveLength(1);
    // A replay of a disabled endpoint's delivery is refused until it is enabled.
    expect((await call(server.url, 'POST', `/api/webhook-endpoints/${endpoint.id}/deliveries/${delivery!.id}/replay`)).status).toBe(409);

    const enabled = await call(server.url, 'PATCH', `/api/webhook-endpoints/${endpoint.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    r.answer = () => ({ status: 200 });
    const third = await completedInterview(server.url);
    await r.until((x) => events(x, third.clientSessionId).some((y) => y.status === 200), 10_000, 'delivery after re-enable');
  });

  it('after a secret rotation both secrets verify during the grace period, and only the new one after it', async () => {
    const r = await receiver();
    const endpoint = await registerEndpoint(server.url, r.url, ['interview.completed']);
    const rotated = await call<{ secret: string; previousSecretValidUntil: string }>(server.url, 'POST', `/api/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      graceMs: 3_000,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.body.previousSecretValidUntil)).toBeGreaterThan(Date.now());
    r.secrets = [endpoint.secret, rotated.body.secret];

    const during = await completedInterview(server.url);
    await r.until((x) => events(x, during.clientSessionId).length === 1, 10_000, 'delivery during grace');
    const first = events(r, during.clientSessionId)[0]!;
    expect(first.signatures).toHaveLength(2);
    expect(first.verifiedWith).toEqual([0, 1]);

    await new Promise((res) => setTimeout(res, Math.max(0, Date.parse(rotated.body.previousSecretValidUntil) - Date.now() + 100)));
    const after = await completedInterview(server.url);
    await r.until((x) => events(x, after.clientSessionId).length === 1, 10_000, 'delivery after grace');
    const second = events(r, after.clientSessionId)[0]!;
    expect(second.signatures).toHaveLength(1);
    expect(second.verifiedWith).toEqual([1]);
    expect((await call(server.url, 'GET', `/api/webhook-endpoints/${endpoint.id}`)).body).toMatchObject({ previousSecretValidUntil: null });
  });

  it('a replay sends the same event again with the same webhook-id, logged as a replay', async () => {
    const r = await receiver();
    const endpoint = await registerEndpoint(server.url, r.url, ['interview.completed']);
    r.secrets = [endpoint.secret];
    const candidate = await completedInterview(server.url);
    const [delivered] = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d[0]?.state === 'delivered');
    const replay = await call(server.url, 'POST', `/api/webhook-endpoints/${endpoint.id}/deliveries/${delivered!.id}/replay`);
    expect(replay.status).toBe(202);
    await r.until((x) => events(x, candidate.clientSessionId).length === 2, 10_000, 'the replay');
    const got = events(r, candidate.clientSessionId);
    expect(got[1]!.webhookId).toBe(got[0]!.webhookId);
    expect(got[1]!.verifiedWith).toEqual([0]);
    const [after] = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d[0]?.attempts.length === 2 && d[0].state === 'delivered');
    expect(after!.attempts.map((a) => a.trigger)).toEqual(['initial', 'replay']);
    expect(after!.replays).toBe(1);
    expect((await call(server.url, 'POST', `/api/webhook-endpoints/${endpoint.id}/deliveries/${'f'.repeat(24)}/replay`)).status).toBe(404);
  });

  it('a redirect is not followed (3xx is a failed attempt) and a receiver that does not answer times out', async () => {
    const r = await receiver();
    const elsewhere = await receiver();
    const endpoint = await registerEndpoint(server.url, r.url, ['interview.completed']);
    r.secrets = [endpoint.secret];
    r.answer = (_x, nth) => (nth === 0 ? { status: 307, headers: { location: `${elsewhere.url}/` } } : nth === 1 ? 'hang' : { status: 200 });
    await completedInterview(server.url);
    const [delivery] = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d[0]?.state === 'delivered', 15_000);
    expect(delivery!.attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [307, 'redirect'],
      [null, 'timeout'],
      [200, null],
    ]);
    expect(delivery!.attempts[1]!.latencyMs).toBeGreaterThanOrEqual(2_400);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('an endpoint bound to an opening gets only the events of that opening’s sessions', async () => {
    const r = await receiver();
    const opening = (await call<{ id: string; slug: string }>(server.url, 'POST', '/api/openings', { title: 'Payments', role: 'backend-engineer' })).body;
    const endpoint = await registerEndpoint(server.url, r.url, ['interview.completed'], { openingId: opening.id });
    r.secrets = [endpoint.secret];
    const other = await completedInterview(server.url);
    const mine = await completedInterview(server.url, { openingSlug: opening.slug });
    await r.until((x) => events(x, mine.clientSessionId).length === 1, 10_000, 'the opening’s event');
    await new Promise((res) => setTimeout(res, 300));
    expect(events(r, other.clientSessionId)).toHaveLength(0);
    expect(events(r, mine.clientSessionId)[0]!.payload?.data.openingId).toBe(opening.id);
  });
});

describe('erasure', () => {
  it('erasing a session (DELETE /api/sessions/:id) removes its deliveries, payloads and attempts with it', async () => {
    const r = await receiver();
    const endpoint = await registerEndpoint(server.url, r.url);
    r.secrets = [endpoint.secret];
    const candidate = await completedInterview(server.url);
    await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => d.filter((x) => x.clientSessionId === candidate.clientSessionId && x.state === 'delivered').length === 2);
    const deliveries = server.connection.db!.collection('webhook_deliveries');
    expect(await deliveries.countDocuments({ clientSessionId: candidate.clientSessionId })).toBe(2);
    expect((await call(server.url, 'DELETE', `/api/sessions/${candidate.created.sessionId}`)).status).toBe(204);
    await eventually(() => deliveries.countDocuments({ clientSessionId: candidate.clientSessionId }), (n) => n === 0, 10_000, 'deliveries erased');
    expect(await deliveries.countDocuments({ 'payload.data.sessionId': candidate.created.sessionId })).toBe(0);
    expect((await deliveriesOf(server.url, endpoint.id)).filter((x) => x.clientSessionId === candidate.clientSessionId)).toEqual([]);
  });
});

describe('the endpoint API', () => {
  it('is for admins only: no token 401, a candidate token or a non-admin recruiter 403', async () => {
    expect((await call(server.url, 'GET', '/api/webhook-endpoints', undefined, null)).status).toBe(401);
    expect((await call(server.url, 'POST', '/api/webhook-endpoints', { url: 'http://127.0.0.1:1/', events: ['interview.completed'] }, `v1.${'a'.repeat(43)}`)).status).toBe(403);
    expect((await call(server.url, 'GET', '/api/webhook-endpoints', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    // A named recruiter without the admin role is the wrong party; a named admin may.
    const recruiter = await call<{ token: string }>(server.url, 'POST', '/api/recruiters', { name: 'Rita Recruiter', role: 'recruiter' });
    const admin = await call<{ token: string }>(server.url, 'POST', '/api/recruiters', { name: 'Ada Admin', role: 'admin' });
    expect((await call(server.url, 'GET', '/api/webhook-endpoints', undefined, recruiter.body.token)).status).toBe(403);
    expect((await call(server.url, 'GET', '/api/webhook-endpoints', undefined, admin.body.token)).status).toBe(200);
  });

  it('refuses bad input with field details, and answers 404 for an unknown endpoint', async () => {
    const bad = await call<{ error: { code: string; details: Array<{ path: string }> } }>(server.url, 'POST', '/api/webhook-endpoints', {
      url: 'ftp://127.0.0.1/x',
      events: ['interview.completed', 'interview.completed', 'nope'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(['url', 'events.2']));
    expect((await call(server.url, 'POST', '/api/webhook-endpoints', { url: 'http://user:pw@127.0.0.1/', events: ['voice.linked'] })).status).toBe(400);
    expect((await call(server.url, 'PATCH', `/api/webhook-endpoints/${'a'.repeat(24)}`, { enabled: false })).status).toBe(404);
    expect((await call(server.url, 'PATCH', `/api/webhook-endpoints/${'a'.repeat(24)}`, {})).status).toBe(400);
    expect((await call(server.url, 'DELETE', `/api/webhook-endpoints/not-an-id`)).status).toBe(404);
    expect((await call(server.url, 'GET', `/api/webhook-endpoints/${'a'.repeat(24)}/deliveries`)).status).toBe(404);
  });

  it('creates a disabled endpoint, edits it, and deleting it removes it with its delivery log', async () => {
    const endpoint = await registerEndpoint(server.url, 'http://127.0.0.1:9/', ['voice.orphaned'], { enabled: false });
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: 'manual', events: ['voice.orphaned'] });
    const patched = await call(server.url, 'PATCH', `/api/webhook-endpoints/${endpoint.id}`, { events: ['voice.linked', 'voice.orphaned'], url: 'http://127.0.0.1:10/x' });
    expect(patched.body).toMatchObject({ enabled: false, url: 'http://127.0.0.1:10/x', events: ['voice.linked', 'voice.orphaned'] });
    expect((await call(server.url, 'DELETE', `/api/webhook-endpoints/${endpoint.id}`)).status).toBe(204);
    expect((await call(server.url, 'DELETE', `/api/webhook-endpoints/${endpoint.id}`)).status).toBe(404);
    expect(ADMIN).toBeTruthy();
  });
});
