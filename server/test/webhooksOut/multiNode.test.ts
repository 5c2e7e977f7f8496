import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCandorProcess, type CandorProcess } from '../support/candorProcess.js';
import { startEmbeddedDbProcess, withDatabase, type ChildHandle } from '../support/processes.js';
import { WebhookReceiver } from '../support/webhookReceiver.js';
import { FAST_WEBHOOKS, completedInterview, deliveriesOf, eventually, registerEndpoint } from './helpers.js';

/** Two real server processes on one store (the embedded server run alone), both relaying and dispatching. */
let db: ChildHandle & { uri: string };
const nodes: CandorProcess[] = [];
let receiver: WebhookReceiver;

beforeAll(async () => {
  db = await startEmbeddedDbProcess();
  receiver = await WebhookReceiver.start();
  const env = {
    ...FAST_WEBHOOKS,
    SESSION_SECRET: 'webhooks-multinode-session-secret-0123456789',
    MONGODB_URI: withDatabase(db.uri, `candor_${randomUUID().slice(0, 8)}`),
    WEBHOOK_POLL_MS: '25',
    LOG_LEVEL: 'error',
  };
  nodes.push(...(await Promise.all([startCandorProcess(env, 60_000), startCandorProcess(env, 60_000)])));
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  await receiver?.close();
  await db?.stop();
});

describe('two nodes dispatching from one store', () => {
  it('every event is delivered, and no delivery is ever attempted by two dispatchers at once', async () => {
    const [a, b] = nodes as [CandorProcess, CandorProcess];
    const endpoint = await registerEndpoint(a.url, receiver.url);
    receiver.secrets = [endpoint.secret];
    const seen = new Map<string, number>();
    // Slow answers keep each attempt open long enough for another node's poll to try to take it.
    receiver.answer = (r) => {
      const n = (seen.get(r.webhookId) ?? 0) + 1;
      seen.set(r.webhookId, n);
      return { status: n <= 2 ? 503 : 200, delayMs: 120 };
    };
    const candidates = await Promise.all(Array.from({ length: 6 }, (_, i) => completedInterview(i % 2 ? a.url : b.url)));
    const expected = candidates.length * 2;
    await receiver.until((r) => new Set(r.received.filter((x) => x.status === 200).map((x) => x.webhookId)).size === expected, 40_000, 'every event delivered');

    expect(receiver.maxOverlap).toBe(1);
    expect(receiver.received.every((x) => x.verifiedWith.length === 1)).toBe(true);
    for (const c of candidates) {
      const types = receiver.received.filter((x) => x.status === 200 && x.payload?.data.clientSessionId === c.clientSessionId).map((x) => x.payload!.type);
      expect(types.sort()).toEqual(['evaluation.ready', 'interview.completed']);
    }
    const log = await eventually(() => deliveriesOf(b.url, endpoint.id), (d) => d.length === expected && d.every((x) => x.state === 'delivered'), 10_000, 'log');
    // Each delivery: exactly three attempts (two 503s and the 200), never overlapping in time, by whichever node claimed it.
    for (const d of log) {
      expect(d.attempts.map((x) => x.statusCode)).toEqual([503, 503, 200]);
      for (let i = 1; i < d.attempts.length; i++) {
        const prev = d.attempts[i - 1]!;
        expect(Date.parse(d.attempts[i]!.at)).toBeGreaterThanOrEqual(Date.parse(prev.at) + (prev.latencyMs ?? 0));
      }
    }
    const dispatchers = new Set(log.flatMap((d) => d.attempts.map((x) => x.node.split('#')[0])));
    expect(dispatchers.size).toBe(2);
  }, 90_000);
});
