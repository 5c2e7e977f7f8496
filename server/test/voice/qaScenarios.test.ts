import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable, runScenarios } from '../../../scripts/qa/scenarios.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** The QA matrix (npm run qa:scenarios) against an in-process server with a short reconcile timeout. */
describe('qa:scenarios smoke', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RECONCILE_AFTER_MS: '300' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('passes every scenario of the matrix', async () => {
    const rows = await runScenarios({ target: server.url, secret: server.config.voice.webhookSecret, reconcileTimeoutMs: 8_000 });
    const table = formatTable(rows);
    expect(rows.map((r) => r.scenario)).toHaveLength(10);
    expect(rows.filter((r) => r.result !== 'pass'), table).toEqual([]);
  });
});
