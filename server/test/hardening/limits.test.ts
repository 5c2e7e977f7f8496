import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { TestCandidate } from '../support/candidate.js';
import { testRedisUrl } from '../support/redis.js';
import type { TestServer } from '../support/server.js';
import { connected, connectErrorOf, emitAck, isAckError, isRestError, rawSocket, sleep, trackedServers } from './helpers.js';

/** Every limit is configurable (server/src/config.ts, README) and answers with the documented shape. */

const { server, track } = trackedServers();

describe('request and connection limits', () => {
  it('refuses a JSON body over JSON_BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const s = await server({ JSON_BODY_LIMIT_BYTES: '2048' });
    const body = JSON.stringify({ clientSessionId: randomUUID(), mode: 'text', role: 'backend-engineer', candidateName: 'x'.repeat(3000) });
    const res = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    const json = (await res.json()) as unknown;
    expect(isRestError(json)).toBe(true);
    expect(json).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // Just under the limit is parsed (and then validated: the name is too long for the schema).
    const small = JSON.stringify({ clientSessionId: randomUUID(), mode: 'text', role: 'backend-engineer', candidateName: 'x'.repeat(1500) });
    expect((await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: small })).status).toBe(400);
  });

  it('drops a socket that sends a message over SOCKET_MAX_MESSAGE_BYTES and keeps serving everyone else', async () => {
    const s = await server({ SOCKET_MAX_MESSAGE_BYTES: '8192' });
    const candidate = await TestCandidate.create(s.url);
    const good = track(rawSocket(s.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken }));
    const greedy = track(rawSocket(s.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken }));
    await Promise.all([connected(good), connected(greedy)]);
    const dropped = new Promise<string>((resolve) => greedy.once('disconnect', (reason: string) => resolve(reason)));
    greedy.emit('answer:submit', { messageId: 'big', text: 'x'.repeat(10_000) });
    expect(await dropped).toBe('transport close');
    // Under the limit still gets its validation error; the server is up.
    const ack = await emitAck(good, 'answer:submit', [{ messageId: 'ok', text: 'x'.repeat(5_000) }]);
    expect(isAckError(ack)).toBe(true);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('caps live socket connections per IP across namespaces with connect_error RATE_LIMITED, and frees slots on disconnect', async () => {
    const s = await server({ SOCKET_MAX_CONNECTIONS_PER_IP: '3' });
    const candidate = await TestCandidate.create(s.url);
    const recruiterAuth = { token: s.config.recruiterToken };
    // Refused handshakes (bad credentials) never take a slot.
    for (let i = 0; i < 5; i++) {
      const bad = track(rawSocket(s.url, '/monitor', { token: 'not-the-token-at-all' }));
      expect((await connectErrorOf(bad)).data).toMatchObject({ code: 'UNAUTHORIZED' });
      bad.close();
    }
    const a = track(rawSocket(s.url, '/monitor', recruiterAuth));
    const b = track(rawSocket(s.url, '/monitor', recruiterAuth));
    const c = track(rawSocket(s.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken }));
    await Promise.all([connected(a), connected(b), connected(c)]);
    const fourth = track(rawSocket(s.url, '/monitor', recruiterAuth));
    const refused = await connectErrorOf(fourth);
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED', message: expect.any(String) });
    const fifth = track(rawSocket(s.url, '/interview', { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken }));
    expect((await connectErrorOf(fifth)).data).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await (await fetch(`${s.url}/metrics`)).text()).toMatch(/candor_socket_connections_refused_total\{reason="per_ip_cap"\} 2/);
    // A slot frees when a socket leaves.
    a.close();
    await sleep(100);
    const again = track(rawSocket(s.url, '/monitor', recruiterAuth));
    await connected(again);
  });

  it('limits REST requests per IP with 429 RATE_LIMITED and Retry-After, in memory without Redis', async () => {
    const s = await server({ HTTP_RATE_LIMIT: '5', HTTP_RATE_LIMIT_WINDOW_MS: '1000' });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${s.url}/api/roles`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await limited!.json()) as unknown;
    expect(isRestError(body)).toBe(true);
    expect(body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // Ops endpoints are not limited; the window passes.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    await sleep(1_100);
    expect((await fetch(`${s.url}/api/roles`)).status).toBe(200);
  });

  it('shares the REST limit across replicas through Redis and keys it by the address the trusted proxy saw', async () => {
    const shared = { REDIS_URL: testRedisUrl(), REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`, HTTP_RATE_LIMIT: '4', HTTP_RATE_LIMIT_WINDOW_MS: '10000', TRUST_PROXY: 'true' };
    const [one, two] = await Promise.all([server(shared), server(shared)]);
    // Until Redis is connected the in-memory insurance limiter counts (per replica); wait for it.
    for (const s of [one, two]) {
      while ((await fetch(`${s.url}/readyz`)).status !== 200) await sleep(50);
    }
    const get = (s: TestServer, forwardedFor: string) => fetch(`${s.url}/api/roles`, { headers: { 'x-forwarded-for': forwardedFor } }).then(async (r) => (await r.arrayBuffer(), r.status));
    // The client varies the leftmost (spoofable) entry; the proxy appended the real one last.
    const statuses = [
      await get(one, '1.1.1.1, 203.0.113.7'),
      await get(two, '2.2.2.2, 203.0.113.7'),
      await get(one, '3.3.3.3, 203.0.113.7'),
      await get(two, '4.4.4.4, 203.0.113.7'),
      await get(one, '5.5.5.5, 203.0.113.7'),
      await get(two, '6.6.6.6, 203.0.113.7'),
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Another client behind the same proxy has its own budget.
    expect(await get(two, '198.51.100.9')).toBe(200);
  });
});
