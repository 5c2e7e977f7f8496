import express from 'express';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { runWithCorrelation } from '../../src/observability/correlation.js';
import { captureLogs } from '../support/logCapture.js';
import { listen } from '../support/listen.js';

const TRANSCRIPT = 'I rebuilt our notification pipeline with idempotent consumers';
const SECRET = 'sk-live-0123456789abcdef0123456789abcdef';
const TOKEN = 'cand-tok.9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('log redaction', () => {
  it('keeps transcript text, tokens and secrets out of every log line, at any depth', () => {
    const { logger, lines } = captureLogs();
    logger.info('answer stored', {
      sessionId: 's-1',
      text: TRANSCRIPT,
      candidateToken: TOKEN,
      nested: { messages: [{ text: TRANSCRIPT }], headers: { authorization: `Bearer ${SECRET}` } },
      openaiApiKey: SECRET,
      webhook: { payload: { transcript: [{ message: TRANSCRIPT }] }, signature: SECRET },
    });
    logger.error('failed', { err: Object.assign(new Error(`could not store "${TRANSCRIPT}"`), { code: 'X' }) });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(TRANSCRIPT);
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(TOKEN);
    }
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ message: 'answer stored', sessionId: 's-1', text: `[redacted](${TRANSCRIPT.length})` });
  });

  it('writes lines of enabled levels only, on the logger and on its children, and follows a level change', () => {
    const { logger, lines } = captureLogs('warn');
    const child = logger.child({ component: 'voice' });
    logger.info('dropped');
    child.debug('dropped too');
    logger.warn('kept', { n: 1 });
    child.error('kept too');
    logger.level = 'info';
    child.info('now kept');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { level: 'warn', message: 'kept', n: 1 },
      { level: 'error', message: 'kept too', component: 'voice' },
      { level: 'info', message: 'now kept', component: 'voice' },
    ]);
  });

  it('stamps every line logged inside a request or event with its correlation id', () => {
    const { logger, lines } = captureLogs();
    runWithCorrelation('corr-123', () => logger.info('inside'));
    logger.info('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'inside', correlationId: 'corr-123' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('correlationId');
  });

  it('logs an HTTP request carrying secrets and transcript text without either', async () => {
    const { logger, lines } = captureLogs();
    const echo = express.Router().post('/echo', (req, res) => {
      logger.info('echo received', { bodyLength: JSON.stringify(req.body).length, body: req.body });
      res.json({ ok: true });
    });
    const app = createHttpApp({ logger, metrics: createMetrics({ defaultMetrics: false }), readiness: [], apiRouters: [echo] });
    const server = await listen(app);
    try {
      const res = await fetch(`${server.url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}`, 'x-request-id': 'req-42' },
        body: JSON.stringify({ text: TRANSCRIPT, candidateToken: TOKEN }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('req-42');
    } finally {
      await server.close();
    }
    const joined = lines.join('\n');
    expect(joined).not.toContain(TRANSCRIPT);
    expect(joined).not.toContain(SECRET);
    expect(joined).not.toContain(TOKEN);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.find((l) => l.message === 'echo received')).toMatchObject({ correlationId: 'req-42' });
    expect(parsed.find((l) => l.message === 'http request')).toMatchObject({
      correlationId: 'req-42',
      method: 'POST',
      route: '/api/echo',
      status: 200,
    });
  });
});
