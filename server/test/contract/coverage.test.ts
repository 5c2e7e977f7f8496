import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../shared/routes.js';
import { SOCKET_NAMESPACES } from '../../../shared/sockets.js';
import { buildAsyncApi } from '../../src/contract/asyncapi.js';
import type { JsonObject } from '../../src/contract/components.js';
import { mountedRoutes } from '../../src/contract/mountedRoutes.js';
import { buildOpenApi } from '../../src/contract/openapi.js';
import { TestCandidate } from '../support/candidate.js';
import { eventCoverage, registeredHandlers, routeCoverage } from '../support/contract.js';
import { startTestServer, type TestServer } from '../support/server.js';

const RECRUITER_TOKEN = 'contract-coverage-recruiter-token';

/**
 * The documents list exactly what the server serves: every express route of the
 * real app (walked from its router stack, the built client's routes included) and
 * every socket handler registered on a live /interview and /monitor socket.
 */
describe('API documents cover the running server', () => {
  let server: TestServer;
  let openapi: JsonObject;
  let asyncapi: JsonObject;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // A built client is present, as in production: its static files and SPA fallback are mounted too.
    const clientDir = mkdtempSync(path.join(tmpdir(), 'candor-client-'));
    writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Candor</title>');
    server = await startTestServer({ RECRUITER_TOKEN }, { clientDir });
    openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as JsonObject;
    asyncapi = (await (await fetch(`${server.url}/api/asyncapi.json`)).json()) as JsonObject;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  it('every mounted express route is in /api/openapi.json, and every documented route is mounted', () => {
    const coverage = routeCoverage(server.app, openapi);
    expect(coverage.regexps, 'routes with RegExp paths besides the SPA fallback').toEqual([]);
    expect(coverage.undocumented, 'mounted but not documented').toEqual([]);
    expect(coverage.missing, 'documented but not mounted').toEqual([]);
    // The walk found the whole app (every catalogue route and the client's fallback), not an empty stack.
    expect(mountedRoutes(server.app).length).toBe(Object.keys(ROUTES).length + 1);
  });

  it('every socket handler registered on /interview and /monitor is in /api/asyncapi.json, and every documented client event has a handler', async () => {
    const candidate = await TestCandidate.create(server.url);
    await candidate.connect();
    sockets.push(candidate.socket as unknown as Socket);
    const monitor = connect(`${server.url}/monitor`, { auth: { token: RECRUITER_TOKEN }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(monitor);
    await new Promise<void>((resolve, reject) => {
      monitor.once('connect', resolve);
      monitor.once('connect_error', reject);
    });

    const handlers = registeredHandlers(server.io, ['/interview', '/monitor']);
    expect(handlers.get('/interview')).toContain('answer:submit');
    expect(handlers.get('/monitor')).toContain('session:watch');
    const coverage = eventCoverage(handlers, asyncapi);
    expect(coverage.undocumented, 'handled but not documented').toEqual([]);
    expect(coverage.missing, 'documented but without a handler').toEqual([]);
  });

  it('a route left out of the OpenAPI document makes the route check fail', () => {
    const { sessionDetail: _left, ...withoutOne } = ROUTES;
    const coverage = routeCoverage(server.app, buildOpenApi(withoutOne));
    expect(coverage.undocumented).toEqual(['GET /api/sessions/{id}']);
    expect(coverage.missing).toEqual([]);
  });

  it('a documented route that is not mounted makes the route check fail', () => {
    const extra = { ...ROUTES, ghost: { ...ROUTES.roles, path: '/api/ghost' } };
    expect(routeCoverage(server.app, buildOpenApi(extra)).missing).toEqual(['GET /api/ghost']);
  });

  it('an event left out of the AsyncAPI document makes the event check fail, in either namespace', () => {
    const handlers = registeredHandlers(server.io, ['/interview', '/monitor']);
    const { 'answer:submit': _a, ...interviewEvents } = SOCKET_NAMESPACES.interview.clientEvents;
    const { 'session:watch': _w, ...monitorEvents } = SOCKET_NAMESPACES.monitor.clientEvents;
    const reduced = buildAsyncApi({
      interview: { ...SOCKET_NAMESPACES.interview, clientEvents: interviewEvents },
      monitor: { ...SOCKET_NAMESPACES.monitor, clientEvents: monitorEvents },
    });
    expect(eventCoverage(handlers, reduced).undocumented).toEqual(['/interview answer:submit', '/monitor session:watch']);
  });

  it('a documented event without a handler makes the event check fail', () => {
    const handlers = registeredHandlers(server.io, ['/interview', '/monitor']);
    const withGhost = buildAsyncApi({
      ...SOCKET_NAMESPACES,
      interview: { ...SOCKET_NAMESPACES.interview, clientEvents: { ...SOCKET_NAMESPACES.interview.clientEvents, 'interview:ghost': SOCKET_NAMESPACES.interview.clientEvents['interview:pause'] } },
    });
    expect(eventCoverage(handlers, withGhost).missing).toEqual(['/interview interview:ghost']);
  });
});
