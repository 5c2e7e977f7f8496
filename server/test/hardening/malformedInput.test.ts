import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCandidate } from '../support/candidate.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { connected, databaseDigest, emitAck, isAckError, isRestError, pool, rawSocket } from './helpers.js';

/**
 * Bad input, generated: >= 10,000 malformed payloads across every client event of
 * /interview and /monitor and every REST route that takes input. Each payload is
 * invalid BY CONSTRUCTION (a non-object, a key no schema has, or one field replaced
 * by a value that field can never hold), so a payload the server accepted would be
 * a bug, not luck. Every one must get PROTOCOL.md's error shape, the process must
 * stay up, and the stored documents must be byte-for-byte what they were.
 * Reproduce a failure with the printed seed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const SOCKET_RUNS_PER_EVENT = 460; // x 15 events = 6,900
const REST_RUNS_PER_ROUTE = 560; // x 13 routes = 7,280

// ---- value generators ---------------------------------------------------------

const nest = (depth: number, kind: 'array' | 'object'): unknown => {
  const text = kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return JSON.parse(text) as unknown;
};

/** Strings that break naive code: NUL, lone surrogates, RTL override, BOM, zero-width, combining marks, astral, injections. */
const NASTY = [
  '\u0000',
  '\ud800',
  '\udfff',
  'a\u202ebc',
  '\ufeff',
  '\u200b',
  'e\u0301\u0301\u0301',
  '𝕏𝕐ℤ🙂',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00%2e%2e',
  '${jndi:ldap://x/a}',
  "'; db.dropDatabase(); //",
  '{"$ne": null}',
  '\r\nX-Injected: 1',
  'ＡＢＣ',
];

const operatorObject = fc.constantFrom<unknown>(
  { $ne: null },
  { $gt: '' },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $in: [] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $set: { status: 'completed' } },
);
const pollution = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
  JSON.parse('{"__proto__": null}') as unknown,
);
const depthBomb = fc.tuple(fc.integer({ min: 200, max: 2500 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => nest(d, k));

/** Anything that is not a string (every field we fuzz is a string). */
const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  operatorObject,
  pollution,
  depthBomb,
);

const nasty = fc.constantFrom(...NASTY);
/** Strings no id / enum / uuid / hex field accepts: outside every id alphabet. */
const badIdString = fc.oneof(
  fc.constant(''),
  fc.tuple(nasty, fc.string({ maxLength: 20 })).map(([n, s]) => `!${n}${s}`),
  fc.string({ minLength: 1, maxLength: 30 }).map((s) => ` ${s}`),
  fc.integer({ min: 129, max: 3000 }).map((n) => 'a'.repeat(n)),
);
/** Strings no free-text field accepts: blank, or over the limit. */
const badText = (max: number, hugeMax: number) =>
  fc.oneof(
    fc.constantFrom('', ' ', '\n\t ', '\u00a0\u2003'),
    fc.integer({ min: max + 1, max: hugeMax }).map((n) => 'x'.repeat(n)),
    // Limits count characters (code points): repeat until the code points exceed the limit.
    fc.tuple(fc.integer({ min: max + 1, max: Math.min(hugeMax, max + 2000) }), nasty).map(([n, s]) => s.repeat(Math.ceil(n / Math.max(1, [...s].length)) + 1)),
  );

type FieldKind = 'id' | 'enum' | { text: number };
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype', '$set', '$where', '$ne', 'a.b', '$', 'toString', 'hasOwnProperty', 'isAdmin'];

/** The whole payload replaced by something that is not an object (never null/undefined: those mean "{}"). */
const nonObjectPayload = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 50 }), nasty, fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), depthBomb);

/** Percent-encodes; a lone surrogate (not encodable) becomes the invalid UTF-8 sequence %ED%A0%80, itself good fuzz. */
function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return `%ED%A0%80${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}`;
  }
}

/** Adds `key` as an OWN property (JSON.parse makes "__proto__" an own key, as any JSON body would). */
function withKey(base: Record<string, unknown>, key: string, value: unknown): unknown {
  const inner = JSON.stringify(base).slice(1, -1);
  return JSON.parse(`{${inner}${inner ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`) as unknown;
}

/** Payloads that are invalid for a strict schema whose valid form is `base`, by construction. */
function malformed(base: Record<string, unknown>, fields: Record<string, FieldKind>, hugeMax: number): fc.Arbitrary<unknown> {
  const extraKey = fc.tuple(fc.constantFrom(...FORBIDDEN_KEYS), fc.oneof(nonString, nasty)).map(([k, v]) => withKey(base, k, v));
  const options: Array<fc.Arbitrary<unknown>> = [nonObjectPayload, extraKey];
  const names = Object.keys(fields);
  if (names.length > 0) {
    const badField = fc.constantFrom(...names).chain((name) => {
      const kind = fields[name]!;
      const bad = kind === 'id' || kind === 'enum' ? fc.oneof(nonString, badIdString) : fc.oneof(nonString, badText(kind.text, hugeMax));
      return bad.map((value) => JSON.parse(JSON.stringify({ ...base, [name]: value })) as unknown);
    });
    options.push(badField, badField);
  }
  return fc.oneof(...options);
}

// ---- the server under attack ----------------------------------------------------

let server: TestServer;
let candidate: TestCandidate;
let interviewSocket: Socket;
let monitorSocket: Socket;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer({ HTTP_RATE_LIMIT: '0', LOG_LEVEL: 'warn' });
  candidate = await TestCandidate.create(server.url);
  await candidate.connect();
  await candidate.start();
  await candidate.awaitingAnswer();
  sessionId = candidate.created.sessionId;
  interviewSocket = rawSocket(server.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken });
  monitorSocket = rawSocket(server.url, '/monitor', { token: server.config.recruiterToken });
  await Promise.all([connected(interviewSocket), connected(monitorSocket)]);
});

afterAll(async () => {
  interviewSocket?.close();
  monitorSocket?.close();
  candidate?.disconnect();
  await server?.close();
});

const SOCKET_LIMIT = 14_000; // stay under SOCKET_MAX_MESSAGE_BYTES (16 KiB); oversize frames are limits.test.ts's subject

describe('malformed input', () => {
  it('answers >= 10,000 generated malformed payloads on every socket event and REST route with the documented error, and stores nothing', async () => {
    const started = Date.now();
    const before = await databaseDigest(server.connection);
    const failures: string[] = [];
    const note = (what: string, payload: unknown, got: unknown) => {
      if (failures.length < 20) failures.push(`${what}: ${JSON.stringify(payload)?.slice(0, 200)} -> ${JSON.stringify(got)?.slice(0, 300)}`);
    };
    let sent = 0;

    // ---- sockets: one connection per namespace, 100 acks in flight --------------------
    const socketTargets: Array<{ socket: Socket; event: string; arb: fc.Arbitrary<unknown> }> = [
      { socket: interviewSocket, event: 'interview:start', arb: malformed({}, {}, 9000) },
      { socket: interviewSocket, event: 'answer:submit', arb: malformed({ messageId: 'fuzz-1', text: 'a fine answer' }, { messageId: 'id', text: { text: 2000 } }, 9000) },
      { socket: interviewSocket, event: 'interview:pause', arb: malformed({}, {}, 9000) },
      { socket: interviewSocket, event: 'interview:resume', arb: malformed({}, {}, 9000) },
      { socket: interviewSocket, event: 'interview:end', arb: malformed({ endedBy: 'user' }, { endedBy: 'enum' }, 9000) },
      { socket: interviewSocket, event: 'voice:started', arb: malformed({ agentId: 'agent_1' }, { agentId: 'id' }, 9000) },
      { socket: interviewSocket, event: 'voice:conversation-id', arb: malformed({ conversationId: 'conv_1' }, { conversationId: 'id' }, 9000) },
      {
        socket: interviewSocket,
        event: 'voice:transcript',
        arb: malformed({ messageId: 'vt-1', role: 'user', text: 'hello' }, { messageId: 'id', role: 'enum', text: { text: 8000 } }, 12_000),
      },
      { socket: interviewSocket, event: 'voice:ended', arb: malformed({ endedBy: 'user' }, { endedBy: 'enum', conversationId: 'id' }, 9000) },
      { socket: monitorSocket, event: 'sessions:subscribe', arb: malformed({ status: 'active' }, { status: 'enum', mode: 'enum' }, 9000) },
      { socket: monitorSocket, event: 'sessions:unsubscribe', arb: malformed({}, {}, 9000) },
      { socket: monitorSocket, event: 'session:watch', arb: malformed({ sessionId }, { sessionId: 'id' }, 9000) },
      { socket: monitorSocket, event: 'session:unwatch', arb: malformed({ sessionId }, { sessionId: 'id' }, 9000) },
      {
        socket: monitorSocket,
        event: 'note:add',
        arb: malformed({ sessionId, noteId: 'fuzz-note', text: 'a fine note' }, { sessionId: 'id', noteId: 'id', messageId: 'id', text: { text: 2000 } }, 9000),
      },
      { socket: monitorSocket, event: 'note:edit', arb: malformed({ sessionId, noteId: 'fuzz-note', text: 'a fine note' }, { sessionId: 'id', noteId: 'id', text: { text: 2000 } }, 9000) },
      {
        socket: monitorSocket,
        event: 'session:nudge',
        arb: malformed({ sessionId, nudgeId: 'fuzz-nudge', kind: 'topic', text: 'a fine topic' }, { sessionId: 'id', nudgeId: 'id', kind: 'enum', text: { text: 500 } }, 9000),
      },
      { socket: monitorSocket, event: 'session:nudge:withdraw', arb: malformed({ sessionId, nudgeId: 'fuzz-nudge' }, { sessionId: 'id', nudgeId: 'id' }, 9000) },
      { socket: monitorSocket, event: 'session:takeover', arb: malformed({ sessionId }, { sessionId: 'id' }, 9000) },
      { socket: monitorSocket, event: 'session:takeover:ask', arb: malformed({ sessionId, text: 'a fine question?' }, { sessionId: 'id', text: { text: 2000 } }, 9000) },
      { socket: monitorSocket, event: 'session:handback', arb: malformed({ sessionId }, { sessionId: 'id' }, 9000) },
    ];
    let disconnected = '';
    interviewSocket.on('disconnect', (reason) => (disconnected = `interview: ${reason}`));
    monitorSocket.on('disconnect', (reason) => (disconnected = `monitor: ${reason}`));
    const socketJobs = socketTargets.flatMap(({ socket, event, arb }, t) =>
      fc
        .sample(arb, { numRuns: SOCKET_RUNS_PER_EVENT, seed: SEED + t })
        .filter((payload) => Buffer.byteLength(JSON.stringify(payload)) < SOCKET_LIMIT)
        .map((payload) => ({ socket, event, payload })),
    );
    await pool(socketJobs, 100, async ({ socket, event, payload }) => {
      const ack = await emitAck(socket, event, [payload]);
      sent++;
      if (!isAckError(ack)) note(`socket ${event}`, payload, ack);
    });
    expect(disconnected).toBe('');
    const socketCount = socketJobs.length;

    // ---- REST: keep-alive fetches, 16 in flight --------------------------------------
    const csid = candidate.clientSessionId;
    const candidateAuth = { authorization: `Bearer ${candidate.candidateToken}` };
    const recruiterAuth = { authorization: `Bearer ${server.config.recruiterToken}` };
    interface RestJob {
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
      path: string;
      headers: Record<string, string>;
      body?: string;
    }
    const json = (path: string, headers: Record<string, string>, arb: fc.Arbitrary<unknown>, seed: number, method: 'POST' | 'PATCH' = 'POST'): RestJob[] =>
      fc.sample(fc.tuple(arb, fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded')), { numRuns: REST_RUNS_PER_ROUTE, seed }).map(
        ([payload, type]) => ({ method, path, headers: { ...headers, 'content-type': type }, body: JSON.stringify(payload) }),
      );
    const segment = fc.oneof(badIdString, fc.string({ maxLength: 40 }), fc.uuid(), fc.stringMatching(/^[0-9a-f]{24}$/)).map((s) => enc(s).replace(/^\.{1,2}$/, '_.') || '%20'); // fetch would normalise '.' and '%2E' away
    const queryJunk = fc
      .tuple(
        fc.constantFrom('status', 'mode', 'cursor', 'limit', 'status[$ne]', '__proto__', 'constructor', '$where', 'limit[]', 'extra'),
        fc.oneof(badIdString, fc.string({ maxLength: 30 }), fc.constantFrom('-1', '0', '101', '1e9', 'NaN', '[object Object]')),
        fc.constantFrom('', '&status=active', '&limit=5'),
      )
      .filter(([k, v]) => !(k === 'cursor' && v.length <= 200) && !(k === 'limit' && /^\s*\d+\s*$/.test(v) && Number(v) >= 1 && Number(v) <= 100))
      .map(([k, v, tail]) => `?${enc(k)}=${enc(v)}${tail}`);
    const junkAuth = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[\x21-\x7e]{0,300}$/).map((s) => `Bearer ${s}`),
      fc.constantFrom(`Bearer ${server.config.recruiterToken}x`, 'Basic YWRtaW46YWRtaW4=', `Bearer v1.${'A'.repeat(43)}`, `bearer  ${candidate.candidateToken.slice(0, -1)}`),
    );

    const restJobs: RestJob[] = [
      ...json(
        '/api/sessions',
        {},
        malformed(
          { clientSessionId: randomUUID(), mode: 'text', role: 'backend-engineer', candidateName: 'Fuzz' },
          { clientSessionId: 'id', mode: 'enum', role: 'id', candidateName: { text: 120 }, candidateId: 'id' },
          60_000,
        ),
        SEED + 100,
      ),
      ...json(`/api/sessions/${csid}/messages`, candidateAuth, malformed({ messageId: 'fuzz-rest', text: 'a fine answer' }, { messageId: 'id', text: { text: 2000 } }, 60_000), SEED + 101),
      ...json(`/api/sessions/${csid}/end`, candidateAuth, malformed({ endedBy: 'user' }, { endedBy: 'enum', conversationId: 'id' }, 60_000), SEED + 102),
      ...json('/api/voice/session', candidateAuth, malformed({ clientSessionId: csid }, { clientSessionId: 'id', transport: 'enum' }, 60_000), SEED + 103),
      ...fc.sample(queryJunk, { numRuns: REST_RUNS_PER_ROUTE, seed: SEED + 104 }).map((q): RestJob => ({ method: 'GET', path: `/api/sessions${q}`, headers: recruiterAuth })),
      ...fc.sample(segment, { numRuns: REST_RUNS_PER_ROUTE, seed: SEED + 105 }).map((s): RestJob => ({ method: 'GET', path: `/api/sessions/${s}`, headers: recruiterAuth })),
      ...fc
        .sample(fc.tuple(segment, fc.boolean()), { numRuns: REST_RUNS_PER_ROUTE, seed: SEED + 106 })
        .map(([s, auth]): RestJob => ({ method: 'GET', path: `/api/sessions/by-client/${s === csid ? 'x' : s}`, headers: auth ? candidateAuth : {} })),
      ...fc
        .sample(
          fc.tuple(
            junkAuth,
            fc.constantFrom(
              `/api/sessions/by-client/${csid}`,
              `/api/sessions/${csid}/messages`,
              `/api/sessions/${csid}/end`,
              '/api/sessions',
              `/api/sessions/${sessionId}`,
              '/api/recruiters',
              '/api/recruiters/me',
              `/api/sessions/${sessionId}/notes`,
            ),
          ),
          { numRuns: REST_RUNS_PER_ROUTE, seed: SEED + 107 },
        )
        .map(([authorization, path]): RestJob => ({
          method: path.endsWith('/messages') || path.endsWith('/end') || path.endsWith('/notes') || path === '/api/recruiters' ? 'POST' : 'GET',
          path,
          headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
          // Valid bodies: only the (junk) credentials are wrong.
          ...(path.endsWith('/messages')
            ? { body: JSON.stringify({ messageId: 'auth-fuzz', text: 'x' }) }
            : path.endsWith('/end')
              ? { body: '{"endedBy":"user"}' }
              : path.endsWith('/notes')
                ? { body: '{"noteId":"auth-fuzz","text":"x"}' }
                : path === '/api/recruiters'
                  ? { body: '{"name":"Fuzzed Admin","role":"admin"}' }
                  : {}),
        })),
      // Named recruiters and private notes (docs/security.md "Recruiters").
      ...json('/api/recruiters', recruiterAuth, malformed({ name: 'Fuzz Recruiter', role: 'recruiter' }, { name: { text: 80 }, role: 'enum' }, 60_000), SEED + 109),
      ...fc.sample(segment, { numRuns: REST_RUNS_PER_ROUTE, seed: SEED + 110 }).map((s): RestJob => ({ method: 'DELETE', path: `/api/recruiters/${s}`, headers: recruiterAuth })),
      ...json(
        `/api/sessions/${sessionId}/notes`,
        recruiterAuth,
        malformed({ noteId: 'fuzz-note', text: 'a fine note' }, { noteId: 'id', messageId: 'id', text: { text: 2000 } }, 60_000),
        SEED + 111,
      ),
      ...fc
        .sample(fc.tuple(malformed({ text: 'a fine note' }, { text: { text: 2000 } }, 60_000), segment, fc.boolean()), { numRuns: REST_RUNS_PER_ROUTE, seed: SEED + 112 })
        .map(([payload, s, badPath]): RestJob => ({
          method: 'PATCH',
          // A junk session or note id in the path, or a junk body on a real path.
          path: badPath ? `/api/sessions/${s}/notes/${s}` : `/api/sessions/${sessionId}/notes/fuzz-note`,
          headers: { ...recruiterAuth, 'content-type': 'application/json' },
          body: JSON.stringify(badPath ? { text: 'a fine note' } : payload),
        })),
      ...fc
        .sample(fc.tuple(fc.oneof({ arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 10 }, { arbitrary: depthBomb, weight: 4 }, { arbitrary: fc.integer({ min: 2_100_000, max: 2_200_000 }).map((n) => 'w'.repeat(n)), weight: 1 }), fc.string({ maxLength: 80 })), {
          numRuns: REST_RUNS_PER_ROUTE,
          seed: SEED + 108,
        })
        .map(([payload, signature]): RestJob => ({
          method: 'POST',
          path: '/webhooks/elevenlabs',
          headers: { 'content-type': 'application/json', 'elevenlabs-signature': signature.replace(/[^\x20-\x7e]/g, '') },
          body: JSON.stringify(payload),
        })),
    ];
    const statuses = new Map<number, number>();
    await pool(restJobs, 16, async (job) => {
      const res = await fetch(`${server.url}${job.path}`, { method: job.method, headers: job.headers, ...(job.body === undefined ? {} : { body: job.body }) });
      const text = await res.text();
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      let body: unknown = text;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // reported below as not the error shape
      }
      const documented = [400, 401, 403, 404, 413].includes(res.status) && isRestError(body);
      if (!documented) note(`${job.method} ${job.path.slice(0, 80)} ${res.status}`, job.body, body);
    });

    const elapsedMs = Date.now() - started;
    const after = await databaseDigest(server.connection);
    console.info(
      `fuzz: ${sent} malformed payloads (${socketCount} socket, ${restJobs.length} REST) in ${elapsedMs} ms, seed ${SEED}; REST statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${before.documents} documents unchanged`,
    );
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(after.digest).toBe(before.digest);
    expect(Object.prototype).not.toHaveProperty('polluted');
    // Still up and still serving the same candidate.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await candidate.answer('Still here after the storm: idempotent retries with message ids.', 'after-fuzz')).toMatchObject({ ok: true, seq: 2 });
  }, 150_000);

  it('never lets user input become a query or update document (operator injection)', async () => {
    await candidate.awaitingAnswer();
    const before = await databaseDigest(server.connection);
    const csid = candidate.clientSessionId;
    const auth = { authorization: `Bearer ${candidate.candidateToken}`, 'content-type': 'application/json' };
    const post = async (path: string, body: string, headers: Record<string, string> = auth) => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
      return { status: res.status, body: (await res.json()) as unknown };
    };

    // An operator where an id belongs: a match-anything filter if it ever reached the driver.
    const injected = [
      await post(`/api/sessions/${csid}/messages`, '{"messageId":{"$ne":null},"text":"x"}'),
      await post(`/api/sessions/${csid}/messages`, '{"messageId":"ok-id","text":{"$gt":""}}'),
      await post(`/api/sessions/${csid}/messages`, '{"messageId":"ok-id","text":"x","$set":{"status":"completed"}}'),
      await post(`/api/sessions/${csid}/end`, '{"endedBy":{"$in":["user"]}}'),
      await post('/api/sessions', `{"clientSessionId":{"$gt":""},"mode":"text","role":"backend-engineer"}`, { 'content-type': 'application/json' }),
      await post('/api/sessions', `{"clientSessionId":"${randomUUID()}","mode":"text","role":"backend-engineer","$where":"1"}`, { 'content-type': 'application/json' }),
      await post('/api/voice/session', '{"clientSessionId":{"$ne":null}}'),
    ];
    for (const r of injected) {
      expect(r.status).toBe(400);
      expect(isRestError(r.body)).toBe(true);
    }
    const query = await fetch(`${server.url}/api/sessions?status[$ne]=x`, { headers: { authorization: `Bearer ${server.config.recruiterToken}` } });
    expect(query.status).toBe(400);
    expect(isAckError(await emitAck(interviewSocket, 'answer:submit', [{ messageId: { $ne: null }, text: 'x' }]))).toBe(true);
    expect(isAckError(await emitAck(monitorSocket, 'session:watch', [{ sessionId: { $ne: null } }]))).toBe(true);
    // A handshake whose clientSessionId is an object is refused before any lookup.
    const objectAuth = rawSocket(server.url, '/interview', { clientSessionId: { $ne: null }, candidateToken: candidate.candidateToken });
    await expect(connected(objectAuth)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    objectAuth.close();
    expect((await databaseDigest(server.connection)).digest).toBe(before.digest);

    // User text that LOOKS like an update document is stored as text, verbatim, and changes nothing else.
    const lookalike = '{"$set": {"status": "completed", "turn.state": "idle"}, "$unset": {"messages": 1}}';
    const ack = await candidate.answer(lookalike, 'lookalike-1');
    expect(ack).toMatchObject({ ok: true, messageId: 'lookalike-1' });
    const doc = await server.connection.db!.collection('interviews').findOne({ clientSessionId: csid });
    const stored = (doc?.messages as Array<{ id: string; text: string }>).find((m) => m.id === 'lookalike-1');
    expect(stored?.text).toBe(lookalike);
    expect(doc?.status).toBe('active');
    expect(Object.prototype).not.toHaveProperty('polluted');
  }, 30_000);
});
