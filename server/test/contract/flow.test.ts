import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../shared/routes.js';
import { SOCKET_NAMESPACES } from '../../../shared/sockets.js';
import type { JsonObject } from '../../src/contract/components.js';
import { candidateTokenFor } from '../../src/interview/candidateToken.js';
import { AsyncApiChecker, OpenApiChecker, type Reply } from '../support/contract.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { WebhookReceiver } from '../support/webhookReceiver.js';
import { LINES, newConversationId, sendWebhook, waitFor } from '../voice/helpers.js';

const RECRUITER = 'contract-flow-recruiter-token-01';
const ANSWER = 'I rebuilt our notification pipeline around a queue with idempotent consumers and measured p99 latency before and after.';

/**
 * A real interview flow — text and voice, candidate and recruiter, REST and
 * sockets, successes and refusals — with EVERY answer checked against the
 * generated documents: REST bodies with ajv against /api/openapi.json (JSON
 * Schema 2020-12), socket payloads and acks against /api/asyncapi.json (draft-07).
 * The zod schemas the documents came from are never used to check.
 */
describe('real traffic matches the API documents', () => {
  let server: TestServer;
  let rest: OpenApiChecker;
  let sockets: AsyncApiChecker;
  /** Mismatches found inside socket listeners (a throw there would be lost). */
  const socketProblems: string[] = [];
  const open: Socket[] = [];
  const recorded: { detail?: Reply } = {};

  async function http(method: string, path: string, opts: { body?: unknown; token?: string | null; contentType?: string; raw?: string } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    const reply: Reply = { method, path: path.split('?')[0]!, status: res.status, contentType, text, body: /\bjson\b|\+json/.test(contentType) ? (JSON.parse(text) as unknown) : text };
    rest.check(reply);
    if (reply.status === 429 || reply.status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    return reply;
  }

  /** A socket.io client whose every received event and every ack is checked against the AsyncAPI document. */
  async function client(ns: '/interview' | '/monitor', auth: Record<string, string>) {
    const socket = connect(`${server.url}${ns}`, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
    open.push(socket);
    const events: Array<{ event: string; payload: unknown }> = [];
    const waiters = new Set<() => void>();
    socket.onAny((event: string, payload: unknown) => {
      try {
        sockets.checkSent(ns, event, payload);
      } catch (err) {
        socketProblems.push(String(err));
      }
      events.push({ event, payload });
      for (const w of [...waiters]) w();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return {
      socket,
      events,
      async call(event: string, payload: unknown): Promise<JsonObject> {
        const ack = (await socket.timeout(10_000).emitWithAck(event, payload)) as JsonObject;
        sockets.checkReceived(ns, event, payload, ack);
        return ack;
      },
      /** Resolves with the first event (received from now or already) matching. */
      until(match: (e: { event: string; payload: unknown }) => boolean, what: string, from = 0): Promise<{ event: string; payload: unknown }> {
        return new Promise((resolve, reject) => {
          const check = () => {
            const hit = events.slice(from).find(match);
            if (!hit) return;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`timed out waiting for ${what}; got ${events.map((e) => e.event).join(', ')}`));
          }, 10_000);
          waiters.add(check);
          check();
        });
      },
    };
  }

  const question = (c: Awaited<ReturnType<typeof client>>, from: number) => c.until((e) => e.event === 'question:end', 'a question', from);

  beforeAll(async () => {
    server = await startTestServer({
      RECRUITER_TOKEN: RECRUITER,
      ANSWER_MIN_INTERVAL_MS: '1500',
      SIMULATED_WEBHOOK_DELAY_MS: '100',
      HTTP_RATE_LIMIT: '0',
      // Outgoing webhooks go to a receiver on 127.0.0.1, promptly.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_BACKOFF_BASE_MS: '50',
      WEBHOOK_BACKOFF_MAX_MS: '200',
    });
    const openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as JsonObject;
    const asyncapi = (await (await fetch(`${server.url}/api/asyncapi.json`)).json()) as JsonObject;
    rest = new OpenApiChecker(openapi);
    sockets = new AsyncApiChecker(asyncapi);
  });

  afterAll(async () => {
    for (const socket of open) socket.close();
    await server?.close();
  });

  it('ops, catalogue and contract endpoints answer what they document', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/roles', '/api/personas', '/api/qa/status', '/api/openapi.json', '/api/asyncapi.json', '/docs']) {
      expect((await http('GET', path)).status, path).toBe(200);
    }
  });

  it('a text interview: candidate REST and socket, a watching recruiter, refusals with their documented codes', async () => {
    const clientSessionId = randomUUID();
    const created = await http('POST', '/api/sessions', { body: { clientSessionId, mode: 'text', role: 'backend-engineer', candidateName: 'Ada Contract' } });
    expect(created.status).toBe(201);
    expect((await http('POST', '/api/sessions', { body: { clientSessionId, mode: 'text', role: 'backend-engineer' } })).status).toBe(200);
    expect((await http('POST', '/api/sessions', { body: { clientSessionId: 'not-a-uuid', mode: 'text' } })).status).toBe(400);
    const { sessionId, candidateToken } = created.body as { sessionId: string; candidateToken: string };

    const recruiter = await client('/monitor', { token: RECRUITER });
    const list = await recruiter.call('sessions:subscribe', {});
    expect(list.ok).toBe(true);
    expect((await recruiter.call('session:watch', { sessionId: '0123456789abcdef01234567' })).ok).toBe(false);
    expect((await recruiter.call('session:watch', { sessionId })).ok).toBe(true);

    const candidate = await client('/interview', { clientSessionId, candidateToken });
    await candidate.until((e) => e.event === 'session:state', 'the snapshot');
    let mark = candidate.events.length;
    expect(await candidate.call('interview:start', {})).toEqual({ ok: true, status: 'active' });
    await question(candidate, mark);

    mark = candidate.events.length;
    expect((await candidate.call('answer:submit', { messageId: 'contract-a1', text: ANSWER })).ok).toBe(true);
    await question(candidate, mark);
    // Within ANSWER_MIN_INTERVAL_MS of the last answer: 429 with Retry-After, on the REST twin.
    expect((await http('POST', `/api/sessions/${clientSessionId}/messages`, { token: candidateToken, body: { messageId: 'contract-a2', text: ANSWER } })).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1_600));
    mark = candidate.events.length;
    expect((await http('POST', `/api/sessions/${clientSessionId}/messages`, { token: candidateToken, body: { messageId: 'contract-a2', text: ANSWER } })).status).toBe(200);
    await question(candidate, mark);

    // Steering (docs/recruiters.md): a nudge the next question honours, a withdrawn one, a take-over with the recruiter's own question, hand-back.
    expect((await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-contract-1', kind: 'follow_up', text: 'How would you test that?' })).ok).toBe(true);
    expect((await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-contract-2', kind: 'topic', text: 'caching' })).ok).toBe(true);
    expect((await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-contract-3', kind: 'topic', text: '' })).error).toMatchObject({ code: 'VALIDATION' });
    expect((await recruiter.call('session:nudge:withdraw', { sessionId, nudgeId: 'nudge-contract-2' })).ok).toBe(true);
    expect((await recruiter.call('session:nudge:withdraw', { sessionId, nudgeId: 'nudge-missing' })).error).toMatchObject({ code: 'NOT_FOUND' });
    await recruiter.until((e) => e.event === 'nudge:updated', 'nudge:updated');
    expect((await recruiter.call('session:takeover', { sessionId })).ok).toBe(true);
    await recruiter.until((e) => e.event === 'takeover:updated', 'takeover:updated');
    expect((await recruiter.call('session:takeover:ask', { sessionId, text: 'Before you answer that one…' })).error).toMatchObject({ code: 'STATE_CONFLICT' });
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await candidate.call('answer:submit', { messageId: 'contract-a3', text: ANSWER })).ok).toBe(true);
    mark = candidate.events.length;
    expect((await recruiter.call('session:takeover:ask', { sessionId, text: 'What would you monitor first in production?' })).ok).toBe(true);
    await question(candidate, mark);
    expect((await recruiter.call('session:handback', { sessionId })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1_600));
    mark = candidate.events.length;
    expect((await candidate.call('answer:submit', { messageId: 'contract-a4', text: ANSWER })).ok).toBe(true);
    await question(candidate, mark);

    expect((await candidate.call('answer:submit', { messageId: 'contract-empty', text: '   ' })).ok).toBe(false);
    expect((await candidate.call('candidate:focus', { state: 'hidden', at: new Date().toISOString() })).ok).toBe(true);
    expect((await candidate.call('candidate:paste', { length: 42, at: new Date().toISOString() })).ok).toBe(true);
    await recruiter.until((e) => e.event === 'focus:signal', 'a focus signal');
    expect(await candidate.call('interview:pause', {})).toEqual({ ok: true, status: 'paused' });
    expect((await candidate.call('answer:submit', { messageId: 'contract-paused', text: ANSWER })).error).toMatchObject({ code: 'STATE_CONFLICT' });
    expect((await http('POST', `/api/sessions/${clientSessionId}/messages`, { token: candidateToken, body: { messageId: 'contract-paused', text: ANSWER } })).status).toBe(409);
    expect(await candidate.call('interview:resume', {})).toEqual({ ok: true, status: 'active' });
    expect(await candidate.call('interview:end', { endedBy: 'user' })).toMatchObject({ ok: true, status: 'completed' });
    await candidate.until((e) => e.event === 'evaluation:ready', 'evaluation:ready');
    await recruiter.until((e) => e.event === 'sessions:upsert', 'a live-list upsert');

    // Results, as the results page reads them; the beacon form of end (text/plain, token in the body).
    const results = await waitFor(() => http('GET', `/api/sessions/by-client/${clientSessionId}`, { token: candidateToken }), (r) => (r.body as JsonObject).evaluationStatus === 'complete', 10_000, 'evaluation');
    expect((results.body as JsonObject).evaluation).not.toBeNull();
    const beacon = JSON.stringify({ endedBy: 'disconnect', candidateToken });
    expect((await http('POST', `/api/sessions/${clientSessionId}/end`, { raw: beacon, contentType: 'text/plain' })).status).toBe(200);
    expect((await http('GET', `/api/sessions/by-client/${clientSessionId}`)).status).toBe(401);
    const stranger = randomUUID();
    expect((await http('GET', `/api/sessions/by-client/${stranger}`, { token: candidateToken })).status).toBe(401);
    expect((await http('GET', `/api/sessions/by-client/${stranger}`, { token: candidateTokenFor(server.config.sessionSecret, stranger) })).status).toBe(404);

    // The recruiter's REST views of the same interview.
    expect((await http('GET', '/api/sessions?limit=5', { token: RECRUITER })).status).toBe(200);
    expect((await http('GET', '/api/sessions?limit=500', { token: RECRUITER })).status).toBe(400);
    const detail = await http('GET', `/api/sessions/${sessionId}`, { token: RECRUITER });
    expect(detail.status).toBe(200);
    recorded.detail = detail;
    expect(detail.body).toMatchObject({ status: 'completed', evaluation: { status: 'complete' }, focus: [{ kind: 'focus' }, { kind: 'paste' }] });
    expect((await http('GET', '/api/sessions/0123456789abcdef01234567', { token: RECRUITER })).status).toBe(404);
    expect((await http('GET', `/api/sessions/${sessionId}`)).status).toBe(401);
    expect((await http('GET', `/api/sessions/${sessionId}`, { token: candidateToken })).status).toBe(403);
    expect((await http('POST', `/api/sessions/${sessionId}/link`, { token: RECRUITER, body: { conversationId: 'conv_x' } })).status).toBe(409);
    expect((await http('GET', '/api/stats', { token: RECRUITER })).status).toBe(200);

    // Exports: every format, both audiences, the published schema, the CSV list.
    expect((await http('GET', '/api/schemas/export-v1.json')).status).toBe(200);
    for (const format of ['json', 'md', 'pdf']) {
      expect((await http('GET', `/api/sessions/${sessionId}/export?format=${format}`, { token: RECRUITER })).status, format).toBe(200);
      expect((await http('GET', `/api/sessions/by-client/${clientSessionId}/export?format=${format}`, { token: candidateToken })).status, format).toBe(200);
    }
    expect((await http('GET', `/api/sessions/${sessionId}/export?format=docx`, { token: RECRUITER })).status).toBe(400);
    expect((await http('GET', '/api/sessions.csv?mode=text', { token: RECRUITER })).contentType).toMatch(/^text\/csv/);
    // Named recruiters (RECRUITER_TOKEN is the bootstrap admin) and private notes, REST and socket.
    expect((await http('GET', '/api/recruiters/me', { token: RECRUITER })).status).toBe(200);
    const hired = await http('POST', '/api/recruiters', { token: RECRUITER, body: { name: 'Grace Contract' } });
    expect(hired.status).toBe(201);
    const named = hired.body as { id: string; token: string };
    expect((await http('GET', '/api/recruiters', { token: RECRUITER })).status).toBe(200);
    expect((await http('GET', '/api/recruiters', { token: named.token })).status).toBe(403);
    expect((await http('POST', `/api/sessions/${sessionId}/notes`, { token: named.token, body: { noteId: 'n-contract-1', text: 'Clear on idempotency.', rating: 4 } })).status).toBe(201);
    expect((await http('POST', `/api/sessions/${sessionId}/notes`, { token: named.token, body: { noteId: 'n-contract-1', text: 'Clear on idempotency.', rating: 4 } })).status).toBe(200);
    expect((await http('PATCH', `/api/sessions/${sessionId}/notes/n-contract-1`, { token: RECRUITER, body: { text: 'Not mine to edit.' } })).status).toBe(403);
    expect((await http('PATCH', `/api/sessions/${sessionId}/notes/n-contract-1`, { token: named.token, body: { rating: 5 } })).status).toBe(200);
    expect((await recruiter.call('note:add', { sessionId, noteId: 'n-contract-2', text: 'Watched it live.' })).ok).toBe(true);
    expect((await recruiter.call('note:edit', { sessionId, noteId: 'n-contract-2', text: 'Watched it live, twice.' })).ok).toBe(true);
    await recruiter.until((e) => e.event === 'note:upserted', 'note:upserted');
    expect((await http('GET', `/api/sessions/${sessionId}`, { token: RECRUITER })).body).toMatchObject({ notes: [{ id: 'n-contract-1' }, { id: 'n-contract-2' }] });
    expect((await http('DELETE', `/api/recruiters/${named.id}`, { token: RECRUITER })).status).toBe(200);
    expect((await http('DELETE', '/api/recruiters/0123456789abcdef01234567', { token: RECRUITER })).status).toBe(404);
    expect((await http('GET', '/api/recruiters/me', { token: named.token })).status).toBe(401);

    expect(await recruiter.call('session:unwatch', { sessionId })).toEqual({ ok: true });
    expect(await recruiter.call('sessions:unsubscribe', {})).toEqual({ ok: true });

    // A refused handshake carries a documented code.
    const refused = connect(`${server.url}/interview`, { auth: { clientSessionId, candidateToken: 'v1.nope' }, transports: ['websocket'], forceNew: true, reconnection: false });
    open.push(refused);
    const err = await new Promise<{ data?: { code?: string } }>((resolve) => refused.once('connect_error', resolve));
    expect(SOCKET_NAMESPACES.interview.connectErrors).toContain(err.data?.code);
  }, 60_000);

  it('openings: create, edit, share, rotate, archive — and the refusals of each', async () => {
    const created = await http('POST', '/api/openings', { token: RECRUITER, body: { title: 'Backend engineer', role: 'backend-engineer', mustAsk: ['Tell me about an outage you handled.'] } });
    expect(created.status).toBe(201);
    const opening = created.body as { id: string; slug: string; version: number };
    expect((await http('POST', '/api/openings', { token: RECRUITER, body: { title: '' } })).status).toBe(400);
    expect((await http('GET', '/api/openings?limit=10', { token: RECRUITER })).status).toBe(200);
    expect((await http('GET', `/api/openings/${opening.id}`, { token: RECRUITER })).status).toBe(200);
    expect((await http('GET', '/api/openings/0123456789abcdef01234567', { token: RECRUITER })).status).toBe(404);
    expect((await http('PATCH', `/api/openings/${opening.id}`, { token: RECRUITER, body: { version: opening.version, persona: 'warm' } })).status).toBe(200);
    expect((await http('PATCH', `/api/openings/${opening.id}`, { token: RECRUITER, body: { version: opening.version, persona: 'probing' } })).status).toBe(409);
    expect((await http('GET', `/api/o/${opening.slug}`)).status).toBe(200);
    const rotated = await http('POST', `/api/openings/${opening.id}/rotate-slug`, { token: RECRUITER });
    expect(rotated.status).toBe(200);
    const slug = (rotated.body as { slug: string }).slug;
    expect((await http('GET', `/api/o/${opening.slug}`)).status).toBe(404);
    expect((await http('POST', `/api/openings/${opening.id}/archive`, { token: RECRUITER })).status).toBe(200);
    expect((await http('GET', `/api/o/${slug}`)).status).toBe(410);
    expect((await http('POST', '/api/sessions', { body: { clientSessionId: randomUUID(), mode: 'text', openingSlug: slug } })).status).toBe(410);
  }, 30_000);

  it('a voice interview in simulator mode, its webhook, an orphan linked by hand', async () => {
    const clientSessionId = randomUUID();
    const created = await http('POST', '/api/sessions', { body: { clientSessionId, mode: 'voice', role: 'backend-engineer', candidateId: 'cand_contract_1' } });
    const { sessionId, candidateToken } = created.body as { sessionId: string; candidateToken: string };
    const started = await http('POST', '/api/voice/session', { token: candidateToken, body: { clientSessionId } });
    expect(started.body).toMatchObject({ simulated: true });
    const { conversationId, agentId } = started.body as { conversationId: string; agentId: string };
    expect((await http('POST', '/api/voice/session', { body: { clientSessionId } })).status).toBe(401);

    const recruiter = await client('/monitor', { token: RECRUITER });
    expect((await recruiter.call('session:watch', { sessionId })).ok).toBe(true);
    const candidate = await client('/interview', { clientSessionId, candidateToken });
    await candidate.until((e) => e.event === 'session:state', 'the snapshot');
    expect(await candidate.call('interview:start', {})).toMatchObject({ ok: false, error: { code: 'STATE_CONFLICT' } });
    expect(await candidate.call('voice:started', { agentId })).toEqual({ ok: true, status: 'active' });
    expect((await candidate.call('voice:conversation-id', { conversationId })).ok).toBe(true);
    // A nudge in a voice call (agent with its own LLM) reaches the candidate's browser as voice:context; take-over is text only.
    expect((await recruiter.call('session:nudge', { sessionId, nudgeId: 'nudge-voice-1', kind: 'follow_up', text: 'Ask how they handle on-call.' })).ok).toBe(true);
    await candidate.until((e) => e.event === 'voice:context', 'voice:context');
    expect((await recruiter.call('session:takeover', { sessionId })).error).toMatchObject({ code: 'STATE_CONFLICT' });
    expect((await candidate.call('voice:transcript', { messageId: 'evt_contract_1', role: 'user', text: LINES[1]!.text })).ok).toBe(true);
    await candidate.until((e) => e.event === 'message:appended', 'a live line');
    expect(await candidate.call('voice:ended', { endedBy: 'user', conversationId })).toMatchObject({ ok: true });
    await candidate.until((e) => e.event === 'session:linked', 'session:linked (the simulated webhook)');
    await candidate.until((e) => e.event === 'evaluation:ready', 'evaluation:ready');
    await recruiter.until((e) => e.event === 'session:linked', 'session:linked on the monitor');

    expect((await http('GET', `/api/qa/deliveries/${clientSessionId}`, { token: candidateToken })).status).toBe(200);
    const results = await http('GET', `/api/sessions/by-client/${clientSessionId}`, { token: candidateToken });
    expect(results.body).toMatchObject({ voice: { state: 'linked' } });
    const detail = await http('GET', `/api/sessions/${sessionId}`, { token: RECRUITER });
    expect(detail.body).toMatchObject({ mode: 'voice', voice: { conversationId }, transcript: { conversationId } });

    // The agent's Custom LLM endpoint is off without VOICE_LLM_KEY (server/test/voice/customLlm.test.ts drives it).
    expect((await http('POST', '/llm/v1/chat/completions', { token: 'no-key-configured-here', body: { stream: true, messages: [{ role: 'system', content: 'x' }] } })).status).toBe(404);

    // ElevenLabs' side: a forged signature is refused; a webhook nobody claims becomes an orphan a recruiter links by hand.
    expect((await http('POST', '/webhooks/elevenlabs', { raw: JSON.stringify({ type: 'post_call_transcription', data: { conversation_id: 'conv_forged' } }) })).status).toBe(401);
    const waiting = randomUUID();
    const second = await http('POST', '/api/sessions', { body: { clientSessionId: waiting, mode: 'voice', role: 'backend-engineer', candidateId: 'cand_contract_2' } });
    const secondToken = (second.body as { candidateToken: string }).candidateToken;
    await http('POST', '/api/voice/session', { token: secondToken, body: { clientSessionId: waiting, simulate: { webhook: 'off', omitConversationId: true } } });
    expect((await http('POST', `/api/sessions/${waiting}/end`, { token: secondToken, body: { endedBy: 'user' } })).status).toBe(200);
    const orphanId = newConversationId();
    const delivered = await sendWebhook(server, { conversationId: orphanId, agentId, userId: 'cand_nobody', omitDynamicVariables: true });
    rest.check({ method: 'POST', path: '/webhooks/elevenlabs', status: delivered.status, contentType: 'application/json', text: delivered.body, body: JSON.parse(delivered.body) });
    const orphan = await waitFor(() => server.connection.collection('interviews').findOne({ 'voice.conversationId': orphanId, status: 'orphaned' }), (d) => d !== null, 5_000, 'orphan');
    expect((await http('GET', `/api/sessions/${String(orphan!._id)}`, { token: RECRUITER })).body).toMatchObject({ status: 'orphaned' });
    const secondId = (second.body as { sessionId: string }).sessionId;
    expect((await http('POST', `/api/sessions/${secondId}/link`, { token: RECRUITER, body: { conversationId: 'conv_nobody_has_this' } })).status).toBe(404);
    expect((await http('POST', `/api/sessions/${secondId}/link`, { token: RECRUITER, body: { conversationId: orphanId } })).status).toBe(200);

    // Erasure: 204, then 404; the erased clientSessionId cannot be reused.
    expect((await http('DELETE', `/api/sessions/${secondId}`, { token: RECRUITER })).status).toBe(204);
    expect((await http('DELETE', `/api/sessions/${secondId}`, { token: RECRUITER })).status).toBe(404);
    expect((await http('POST', '/api/sessions', { body: { clientSessionId: waiting, mode: 'voice', role: 'backend-engineer' } })).status).toBe(410);
  }, 60_000);

  it('outgoing webhooks: an admin registers, edits, rotates, reads the delivery log, replays and deletes an endpoint — and the refusals of each', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const created = await http('POST', '/api/webhook-endpoints', { token: RECRUITER, body: { url: `${receiver.url}/hooks/candor`, events: ['interview.completed'] } });
      expect(created.status).toBe(201);
      const endpoint = created.body as { id: string; secret: string };
      receiver.secrets = [endpoint.secret];
      expect((await http('POST', '/api/webhook-endpoints', { token: RECRUITER, body: { url: 'ftp://example.com/hook', events: ['interview.completed'] } })).status).toBe(400);
      expect((await http('POST', '/api/webhook-endpoints', { body: { url: `${receiver.url}/x`, events: ['interview.completed'] } })).status).toBe(401);
      // A named recruiter without the admin role is refused on every endpoint route.
      const hired = await http('POST', '/api/recruiters', { token: RECRUITER, body: { name: 'Webhook Contract' } });
      const plain = (hired.body as { token: string }).token;
      expect((await http('GET', '/api/webhook-endpoints', { token: plain })).status).toBe(403);

      expect((await http('GET', '/api/webhook-endpoints?limit=10', { token: RECRUITER })).body).toMatchObject({ items: [{ id: endpoint.id }] });
      expect((await http('GET', '/api/webhook-endpoints?limit=1000', { token: RECRUITER })).status).toBe(400);
      expect((await http('GET', `/api/webhook-endpoints/${endpoint.id}`, { token: RECRUITER })).status).toBe(200);
      expect((await http('GET', '/api/webhook-endpoints/0123456789abcdef01234567', { token: RECRUITER })).status).toBe(404);
      expect((await http('PATCH', `/api/webhook-endpoints/${endpoint.id}`, { token: RECRUITER, body: { events: ['interview.completed', 'interview.abandoned'] } })).status).toBe(200);
      expect((await http('PATCH', `/api/webhook-endpoints/${endpoint.id}`, { token: RECRUITER, body: {} })).status).toBe(400);
      expect((await http('PATCH', '/api/webhook-endpoints/0123456789abcdef01234567', { token: RECRUITER, body: { enabled: false } })).status).toBe(404);

      // A real event: an interview ended by its candidate reaches the receiver, signed.
      const clientSessionId = randomUUID();
      const session = await http('POST', '/api/sessions', { body: { clientSessionId, mode: 'text', role: 'backend-engineer' } });
      const { candidateToken } = session.body as { candidateToken: string };
      expect((await http('POST', `/api/sessions/${clientSessionId}/end`, { token: candidateToken, body: { endedBy: 'user' } })).status).toBe(200);
      const mine = () => receiver.verified.filter((r) => r.payload?.data.clientSessionId === clientSessionId);
      await receiver.until(() => mine().length === 1, 10_000, 'interview.completed');
      expect(mine()[0]!.payload).toMatchObject({ version: 'v1', type: 'interview.completed' });
      const log = await waitFor(
        () => http('GET', `/api/webhook-endpoints/${endpoint.id}/deliveries?state=delivered`, { token: RECRUITER }),
        (r) => (r.body as { items: unknown[] }).items.length === 1,
        10_000,
        'the delivery log',
      );
      const delivery = (log.body as { items: Array<{ id: string; eventId: string }> }).items[0]!;
      expect((await http('GET', '/api/webhook-endpoints/0123456789abcdef01234567/deliveries', { token: RECRUITER })).status).toBe(404);

      // Rotation: the new secret is shown once; a replay is signed with it and keeps its webhook-id.
      const rotated = await http('POST', `/api/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: RECRUITER, body: { graceMs: 0 } });
      expect(rotated.status).toBe(200);
      receiver.secrets = [(rotated.body as { secret: string }).secret];
      // The body is optional (documented so): without one the request gets as far as the lookup.
      expect((await http('POST', '/api/webhook-endpoints/0123456789abcdef01234567/rotate-secret', { token: RECRUITER })).status).toBe(404);
      expect((await http('POST', `/api/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/replay`, { token: RECRUITER })).status).toBe(202);
      await receiver.until(() => mine().length === 2, 10_000, 'the replay');
      expect(mine()[1]!.webhookId).toBe(delivery.eventId);
      expect((await http('POST', `/api/webhook-endpoints/${endpoint.id}/deliveries/0123456789abcdef01234567/replay`, { token: RECRUITER })).status).toBe(404);
      expect((await http('PATCH', `/api/webhook-endpoints/${endpoint.id}`, { token: RECRUITER, body: { enabled: false } })).body).toMatchObject({ enabled: false, disabledReason: 'manual' });
      expect((await http('POST', `/api/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/replay`, { token: RECRUITER })).status).toBe(409);

      expect((await http('DELETE', `/api/webhook-endpoints/${endpoint.id}`, { token: RECRUITER })).status).toBe(204);
      expect((await http('DELETE', `/api/webhook-endpoints/${endpoint.id}`, { token: RECRUITER })).status).toBe(404);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('the checks are not vacuous: a drifted body, an undocumented status or code, an unknown event are caught', () => {
    const detail = recorded.detail!;
    const body = detail.body as JsonObject;
    expect(() => rest.check({ ...detail, body: { ...body, internalNote: 'x' } })).toThrow(/does not match/);
    const { summary: _summary, ...withoutSummary } = body;
    expect(() => rest.check({ ...detail, body: withoutSummary })).toThrow(/does not match/);
    expect(() => rest.check({ ...detail, body: { ...body, createdAt: 'yesterday' } })).toThrow(/does not match/);
    expect(() => rest.check({ ...detail, status: 410, body: { error: { code: 'GONE', message: 'x' } } })).toThrow(/not documented/);
    expect(() => rest.check({ ...detail, status: 409, body: { error: { code: 'SESSION_ENDED', message: 'x' } } })).toThrow(/not documented|does not match/);
    expect(() => rest.check({ ...detail, status: 404, body: { error: { code: 'GONE', message: 'x' } } })).toThrow(/does not match/);
    expect(() => sockets.checkSent('/interview', 'question:token', { questionId: 'q1', index: -1, text: 'x' })).toThrow(/does not match/);
    expect(() => sockets.checkSent('/interview', 'focus:signal', { kind: 'paste', length: 1, at: 'x' })).toThrow(/not in the AsyncAPI document/);
    expect(() => sockets.checkReceived('/interview', 'interview:end', { endedBy: 'user' }, { ok: false, error: { code: 'GONE', message: 'x' } })).toThrow(/not among its documented codes/);
  });

  it('the flow exercised every route and every event the documents list (bar the ones named here, with why)', () => {
    expect(socketProblems).toEqual([]);
    const unseenRoutes = Object.keys(ROUTES).filter((name) => !rest.seen.has(name));
    expect(unseenRoutes).toEqual([]);
    const statuses = new Set([...rest.seen.values()].flatMap((s) => [...s]));
    for (const status of [200, 201, 204, 400, 401, 403, 404, 409, 410, 429]) expect(statuses, `status ${status}`).toContain(status);

    const documented = Object.values(SOCKET_NAMESPACES).flatMap((ns) => [
      ...Object.keys(ns.clientEvents).map((e) => `${ns.path} receive ${e}`),
      ...Object.keys(ns.serverEvents).map((e) => `${ns.path} send ${e}`),
    ]);
    const unseen = documented.filter((e) => !sockets.seen.has(e)).sort();
    expect(unseen).toEqual([
      // Needs a failing interviewer (covered by the LLM tests, not reachable with the scripted one on demand).
      '/interview send question:error',
      '/monitor send question:error',
    ].sort());
  });
});
