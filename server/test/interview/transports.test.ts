import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCandidate } from '../support/candidate.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('socket.io transports', () => {
  it('a client on HTTP long-polling (socket.io default) connects, gets its snapshot and upgrades, with express staying out of /socket.io/', async () => {
    const candidate = await TestCandidate.create(server.url);
    const socket = io(`${server.url}/interview`, {
      auth: { clientSessionId: candidate.clientSessionId, candidateToken: candidate.candidateToken },
      transports: ['polling', 'websocket'],
      reconnection: false,
      forceNew: true,
    });
    const snapshot = await new Promise<{ clientSessionId: string }>((resolve, reject) => {
      socket.on('session:state', resolve);
      socket.on('connect_error', reject);
    });
    expect(snapshot.clientSessionId).toBe(candidate.clientSessionId);
    const ack = await new Promise((resolve) => socket.emit('interview:start', {}, resolve));
    expect(ack).toEqual({ ok: true, status: 'active' });
    socket.close();
    // The server is still healthy: no double response crashed it.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.logLines.some((line) => line.includes('ERR_HTTP_HEADERS_SENT'))).toBe(false);
    // express never saw a /socket.io/ request (it would have answered 404 over engine.io's response).
    const httpLines = server.logLines.map((line) => JSON.parse(line) as { message: string; status?: number }).filter((l) => l.message === 'http request');
    expect(httpLines.filter((l) => l.status === 404)).toEqual([]);
  });
});
