import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMongoose, connectMongoose } from '../../src/db/connection.js';
import { createRepository, type Repository } from '../../src/db/repository.js';
import { createLogger } from '../../src/observability/logger.js';
import { defaultErasers } from '../../src/privacy/erasers.js';
import { ErasureService } from '../../src/privacy/erasureService.js';
import { RetentionPolicy } from '../../src/privacy/retentionPolicy.js';
import { RETENTION_LEASE, RetentionSweeper } from '../../src/privacy/retentionSweeper.js';
import { MemoryInflightStore } from '../../src/interview/memoryInflight.js';
import { answer, startTestStore, testClock, type TestStore } from '../support/store.js';
import type { Connection } from 'mongoose';

/**
 * RETENTION_DAYS (docs/privacy.md): two "nodes" — separate connections,
 * repositories, erasure services and sweepers over one database — sweep at the
 * same time; only what is due goes, and nothing is erased twice.
 */

const DAY = 86_400_000;
const logger = createLogger({ level: 'error' });
const clock = testClock(new Date('2026-06-01T00:00:00Z'));
let store: TestStore;
let secondConn: Connection;
let secondRepo: Repository;

beforeAll(async () => {
  store = await startTestStore({ now: clock.now });
  secondConn = await connectMongoose(store.uri);
  secondRepo = await createRepository(secondConn, { now: clock.now });
});
afterAll(async () => {
  await closeMongoose(secondConn);
  await store?.stop();
});

function node(repo: Repository, name: string, policy = new RetentionPolicy(10)) {
  const erasure = new ErasureService({ repo, erasers: defaultErasers({ repo, inflight: new MemoryInflightStore() }), logger, nodeId: `${name}#boot` });
  const sweeper = new RetentionSweeper({ repo, erasure, policy, logger, nodeId: `${name}#boot`, now: clock.now, intervalMs: 60_000, batchSize: 3 });
  return { erasure, sweeper };
}

/** A completed interview that ended `daysAgo` days before the clock, or an open one last active then. */
async function interview(daysAgo: number, opts: { open?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  const at = new Date(clock.now().getTime() - daysAgo * DAY);
  await store.repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer', candidateName: `Retained ${id.slice(0, 6)}` });
  await store.repo.transition(id, { from: ['created'], to: 'active', set: { startedAt: at } });
  await store.repo.appendMessage(id, answer('m1', `retention answer ${id}`), { allowedStatuses: ['active'] });
  if (!opts.open) await store.repo.transition(id, { from: ['active'], to: 'completed', set: { endedAt: at, endedBy: 'user' } });
  // Setup only: age the document's last activity too (timestamps would say "now").
  await store.models.Interview.updateOne({ clientSessionId: id }, { $set: { updatedAt: at } }, { timestamps: false });
  return id;
}

const exists = async (id: string) => (await store.models.Interview.countDocuments({ clientSessionId: id })) === 1;

describe('the retention sweeper', () => {
  it('on two nodes at once: one sweeps, every due interview goes exactly once, the rest stays', async () => {
    const due = await Promise.all([40, 20, 11, 10.5, 15, 30, 12].map((d) => interview(d)));
    const idleOpen = await interview(25, { open: true });
    const kept = await Promise.all([9, 1, 0].map((d) => interview(d)));
    const recentOpen = await interview(2, { open: true });

    const a = node(store.repo, 'node-a');
    const b = node(secondRepo, 'node-b');
    const [ra, rb] = await Promise.all([a.sweeper.sweepOnce(), b.sweeper.sweepOnce()]);
    // Whoever got the lease swept everything (batches of 3); the other did nothing.
    expect([ra.leader, rb.leader].filter(Boolean)).toHaveLength(1);
    expect(ra.erased + rb.erased).toBe(due.length + 1);

    for (const id of [...due, idleOpen]) expect(await exists(id)).toBe(false);
    for (const id of [...kept, recentOpen]) expect(await exists(id)).toBe(true);
    const tombstones = await store.models.Erasure.find({ clientSessionId: { $in: [...due, idleOpen] } }).lean();
    expect(tombstones).toHaveLength(due.length + 1);
    for (const t of tombstones) expect(t).toMatchObject({ status: 'done', reason: 'retention', attempts: 1 });

    // A second pass finds nothing more to do.
    expect(await a.sweeper.sweepOnce()).toMatchObject({ leader: true, erased: 0 });
  });

  it('even without the lease (two workers racing on the same interviews) each is erased once', async () => {
    const ids = await Promise.all([50, 51, 52, 53].map((d) => interview(d)));
    const a = node(store.repo, 'race-a');
    const b = node(secondRepo, 'race-b');
    const due = (await store.repo.findDueForRetention(new RetentionPolicy(10).cutoff(clock.now())!, 100)).filter((c) => ids.includes(c.clientSessionId));
    expect(due).toHaveLength(4);
    const results = await Promise.all(due.flatMap((c) => [a.erasure.eraseForRetention(c), b.erasure.eraseForRetention(c)]));
    expect(results.filter(Boolean)).toHaveLength(4);
    for (const id of ids) expect(await exists(id)).toBe(false);
    const tombstones = await store.models.Erasure.find({ clientSessionId: { $in: ids } }).lean();
    expect(tombstones.map((t) => t.attempts)).toEqual([1, 1, 1, 1]);
  });

  it('a node that died holding the sweeper lease is replaced once the lease runs out', async () => {
    const due = await interview(60);
    expect((await store.repo.acquireLease(RETENTION_LEASE, 'dead#boot', 120_000)).acquired).toBe(true);
    const b = node(secondRepo, 'node-b');
    expect(await b.sweeper.sweepOnce()).toEqual({ leader: false, erased: 0, skipped: 0 });
    expect(await exists(due)).toBe(true);
    clock.advance(121_000);
    expect(await b.sweeper.sweepOnce()).toMatchObject({ leader: true, erased: 1 });
    expect(await exists(due)).toBe(false);
  });

  it('with RETENTION_DAYS unset nothing is ever deleted and deleteAfter is null', async () => {
    const old = await interview(3650);
    const keep = node(store.repo, 'keeper', new RetentionPolicy(undefined));
    expect(await keep.sweeper.sweepOnce()).toEqual({ leader: false, erased: 0, skipped: 0 });
    expect(await exists(old)).toBe(true);
    const session = await store.repo.findByClientSessionId(old);
    expect(new RetentionPolicy(undefined).deleteAfter(session!)).toBeNull();
    expect(new RetentionPolicy(10).deleteAfter(session!)?.toISOString()).toBe(new Date(session!.endedAt!.getTime() + 10 * DAY).toISOString());
  });
});
