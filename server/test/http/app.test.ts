import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { createHttpApp } from '../../src/http/app.js';
import type { ReadinessCheck } from '../../src/http/health.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { captureLogs } from '../support/logCapture.js';
import { listen } from '../support/listen.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(readiness: ReadinessCheck[] = [], apiRouters: express.Router[] = []) {
  const { logger, lines } = captureLogs();
  const app = createHttpApp({ logger, metrics: createMetrics(), readiness, apiRouters });
  const server = await listen(app);
  close = server.close;
  return { url: server.url, lines };
}

describe('ops endpoints', () => {
  it('/healthz answers while the process is alive', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('/readyz reports every dependency when all answer', async () => {
    const { url } = await serve([{ name: 'database', check: async () => {} }]);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('/readyz answers 503 with Retry-After and names the dependency that is down', async () => {
    const { url } = await serve([
      { name: 'database', check: async () => Promise.reject(new Error('connection refused')) },
      { name: 'redis', check: async () => {} },
    ]);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({
      status: 'unavailable',
      checks: { database: 'connection refused', redis: 'ok' },
      error: { code: 'DEPENDENCY_DOWN', details: [{ path: 'database', message: 'connection refused' }] },
    });
  });

  it('/metrics exposes Node defaults and the HTTP latency histogram by route pattern', async () => {
    const router = express.Router().get('/things/:id', (_req, res) => void res.json({}));
    const { url } = await serve([], [router]);
    await fetch(`${url}/api/things/abc`);
    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('candor_process_cpu_user_seconds_total');
    expect(text).toMatch(/candor_http_request_duration_seconds_count\{method="GET",route="\/api\/things\/:id",status="200"\} 1/);
  });
});

describe('error shape', () => {
  it('an unknown API path answers 404 in the protocol error shape', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/api/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/nope' } });
  });

  it('a malformed JSON body answers 400 VALIDATION', async () => {
    const router = express.Router().post('/things', (_req, res) => void res.json({}));
    const { url } = await serve([], [router]);
    const res = await fetch(`${url}/api/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', message: 'Request body is not valid JSON' } });
  });

  it('a body over the limit answers 413 PAYLOAD_TOO_LARGE', async () => {
    const router = express.Router().post('/things', (_req, res) => void res.json({}));
    const { url } = await serve([], [router]);
    const res = await fetch(`${url}/api/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(200 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('an AppError keeps its code, status, details and Retry-After', async () => {
    const router = express.Router().get('/limited', () => {
      throw new AppError('RATE_LIMITED', 'Too many answers', { retryAfterMs: 2500 });
    });
    const { url } = await serve([], [router]);
    const res = await fetch(`${url}/api/limited`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Too many answers', retryAfterMs: 2500 } });
  });

  it('an unexpected failure answers 500 without leaking its message, and is logged by code', async () => {
    const router = express.Router().get('/boom', () => {
      throw new Error('secret internals: mongodb://user:pw@db');
    });
    const { url, lines } = await serve([], [router]);
    const res = await fetch(`${url}/api/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(lines.join('\n')).not.toContain('user:pw');
    expect(lines.some((line) => line.includes('"request failed"'))).toBe(true);
  });
});
