import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeMongoose, connectMongoose } from '../../../server/src/db/connection.js';
import { EmbeddedMongo } from '../../../server/src/db/embedded/index.js';
import { createRepository } from '../../../server/src/db/repository/index.js';
import type { StatsQuery } from '../../../shared/stats.js';
import { round, type BenchRow, type Scenario, type ScenarioContext } from '../harness.js';
import { generateStatsDocs } from './statsData.js';

/**
 * GET /api/stats at scale: seeds N sessions (insertMany in batches, embedded store with
 * durability 'none'; MONGODB_URI adds a real MongoDB target) and times the stats
 * aggregation (Repository.sessionStats, what the route runs) for the whole collection,
 * one opening, and one opening over a 7-day window.
 */
const FULL = { sessions: 100_000, batch: 5_000, repeats: 3 };
const QUICK = { sessions: 2_000, batch: 1_000, repeats: 1 };

const OPENINGS = ['aaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccccccc', 'dddddddddddddddddddddddd', 'eeeeeeeeeeeeeeeeeeeeeeee'];

export const statsScenario: Scenario = {
  name: 'stats',
  description: 'dashboard stats aggregation (GET /api/stats) over a seeded collection',
  async run(ctx: ScenarioContext): Promise<BenchRow[]> {
    const sizes = ctx.quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-stats-'));
    const mongo = await EmbeddedMongo.start({ dir, durability: 'none' });
    const targets: Array<{ label: string; uri: string }> = [{ label: 'embedded', uri: mongo.uri('bench_stats') }];
    if (process.env.MONGODB_URI) {
      const url = new URL(process.env.MONGODB_URI);
      url.pathname = `/candor_bench_stats_${Date.now()}`;
      targets.push({ label: 'mongodb', uri: url.toString() });
    }
    try {
      for (const target of targets) {
        const conn = await connectMongoose(target.uri, { maxPoolSize: 10 });
        try {
          const repo = await createRepository(conn);
          const Interview = conn.model('Interview');
          const t0 = performance.now();
          const end = new Date('2026-06-01T00:00:00Z');
          for (let done = 0; done < sizes.sessions; done += sizes.batch) {
            const n = Math.min(sizes.batch, sizes.sessions - done);
            await Interview.collection.insertMany(generateStatsDocs(n, { seed: done + 1, openingIds: OPENINGS, end, days: 60 }) as never[], { ordered: false });
          }
          const seedMs = performance.now() - t0;
          ctx.log(`${target.label}: seeded ${sizes.sessions} sessions in ${Math.round(seedMs)} ms`);
          const queries: Array<[string, StatsQuery]> = [
            ['all', {}],
            ['one opening', { openingId: OPENINGS[0]! }],
            ['one opening, 7 days', { openingId: OPENINGS[0]!, from: '2026-05-20T00:00:00Z', to: '2026-05-27T00:00:00Z' }],
          ];
          for (const [label, query] of queries) {
            const times: number[] = [];
            let matched = 0;
            for (let i = 0; i < sizes.repeats; i++) {
              const s = performance.now();
              const stats = await repo.sessionStats(query);
              times.push(performance.now() - s);
              matched = stats.total;
            }
            rows.push({
              target: target.label,
              sessions: sizes.sessions,
              query: label,
              matched,
              bestMs: round(Math.min(...times), 1),
              worstMs: round(Math.max(...times), 1),
              seedMs: Math.round(seedMs),
            });
            ctx.log(`${target.label}: ${label}: ${round(Math.min(...times), 1)} ms (${matched} sessions)`);
          }
          if (target.label === 'mongodb') await conn.dropDatabase();
        } finally {
          await closeMongoose(conn);
        }
      }
    } finally {
      await mongo.close();
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
