import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../../shared/stats.js';
import { generateStatsDocs, referenceStats, type StatsDoc } from '../../../scripts/bench/scenarios/statsData.js';
import { createModels } from '../../src/db/models/index.js';
import { medianOfHistogram } from '../../src/db/repository/stats.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, errorCode, RECRUITER } from './helpers.js';

const OPENING_A = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OPENING_B = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const HAND_OPENING = 'cccccccccccccccccccccccc';

let server: TestServer;
let docs: StatsDoc[];

function at(iso: string): Date {
  return new Date(iso);
}

/** Ten sessions under HAND_OPENING with answers worked out by hand. */
function handDocs(): StatsDoc[] {
  const base = (i: number, extra: Partial<StatsDoc>): StatsDoc => {
    const [gen] = generateStatsDocs(1, { seed: 100 + i });
    const createdAt = at(`2026-03-0${(i % 9) + 1}T10:00:00Z`);
    const { voice: _v, evaluation: _e, startedAt: _s, endedAt: _n, endedBy: _b, ...plain } = gen!;
    return { ...plain, mode: 'text', openingId: HAND_OPENING, createdAt, updatedAt: createdAt, ...extra } as StatsDoc;
  };
  const done = (i: number, secs: number, overall: number | null, extra: Partial<StatsDoc> = {}): StatsDoc => {
    const startedAt = at('2026-03-01T10:00:00Z');
    return base(i, {
      status: 'completed',
      startedAt,
      endedAt: new Date(startedAt.getTime() + secs * 1000 + 400),
      endedBy: 'user',
      ...(overall === null
        ? { evaluation: { status: 'pending', attempts: 0 } }
        : { evaluation: { status: 'complete', attempts: 1, result: { overall, summary: 's', strengths: [], concerns: [], competencies: [] } } }),
      ...extra,
    });
  };
  return [
    done(0, 600, 10), // bucket 9 (10 falls in the last bucket)
    done(1, 900, 7.5),
    done(2, 1200, 7),
    done(3, 300, null), // pending evaluation: a duration, no score
    done(4, 1500, 2.2, { mode: 'voice', voice: { linkedBy: 'time_window', conversationId: 'c1' } }),
    base(5, { status: 'active', startedAt: at('2026-03-01T10:00:00Z') }),
    base(6, { status: 'created' }),
    base(7, { status: 'abandoned', mode: 'voice', endedBy: 'timeout', startedAt: at('2026-03-01T10:00:00Z'), endedAt: at('2026-03-01T10:05:00Z'), voice: {} }),
    base(8, { status: 'ended_pending_webhook', mode: 'voice', voice: { candidates: ['x', 'y'] } }),
    base(9, { status: 'ended_pending_webhook', mode: 'voice', voice: {} }),
  ];
}

beforeAll(async () => {
  server = await startTestServer({ RECRUITER_TOKEN: RECRUITER });
  docs = generateStatsDocs(3_000, { seed: 42, openingIds: [OPENING_A, OPENING_B], end: at('2026-06-01T00:00:00Z'), days: 30 });
  const { Interview } = createModels(server.connection);
  await Interview.collection.insertMany([...docs, ...handDocs()] as never[]);
});
afterAll(async () => {
  await server?.close();
});

async function stats(query: string): Promise<StatsResponse> {
  const res = await call<StatsResponse>(server.url, 'GET', `/api/stats${query}`);
  if (res.status !== 200) throw new Error(`stats: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe('GET /api/stats', () => {
  it('matches hand-computed answers on a small opening', async () => {
    const s = await stats(`?openingId=${HAND_OPENING}`);
    expect(s.total).toBe(10);
    expect(s.byStatus).toEqual({ created: 1, active: 1, paused: 0, ended_pending_webhook: 2, completed: 5, abandoned: 1, orphaned: 0 });
    expect(s.byMode).toEqual({ text: 6, voice: 4 });
    expect(s.completionRate).toBe(0.5);
    // Durations 300, 600, 900, 1200, 1500 s (+0.4 s, floored): the median is 900.
    expect(s.medianDurationSecs).toBe(900);
    expect(s.durationSamples).toBe(5);
    expect(s.scoredSessions).toBe(4);
    expect(s.scoreDistribution.map((b) => b.count)).toEqual([0, 0, 1, 0, 0, 0, 0, 2, 0, 1]);
    expect(s.voice).toEqual({
      sessions: 4,
      byLinkedBy: { conversation_id: 0, dynamic_variable: 0, time_window: 1, fallback: 0, merge: 0 },
      orphans: 0,
      pending: 1,
      ambiguous: 1,
      missing: 1,
    });
    expect(s.filter).toEqual({ openingId: HAND_OPENING, from: null, to: null });
    expect(s.tookMs).toBeGreaterThanOrEqual(0);
  });

  it('equals a plain-JS reference on 3,000 generated sessions: all, per opening and per date range', async () => {
    const hand = handDocs();
    const everything = [...docs, ...hand];
    const cases: Array<[string, Parameters<typeof referenceStats>[1]]> = [
      ['', {}],
      [`?openingId=${OPENING_A}`, { openingId: OPENING_A }],
      [`?openingId=${OPENING_B}&from=2026-05-10T00:00:00Z&to=2026-05-20T00:00:00Z`, { openingId: OPENING_B, from: at('2026-05-10T00:00:00Z'), to: at('2026-05-20T00:00:00Z') }],
      ['?from=2026-05-25T00:00:00.000Z', { from: at('2026-05-25T00:00:00Z') }],
      ['?to=2026-05-03T00:00:00Z', { to: at('2026-05-03T00:00:00Z') }],
    ];
    for (const [query, filter] of cases) {
      const { filter: _f, computedAt: _c, tookMs: _t, ...got } = await stats(query);
      expect(got, query || '(all)').toEqual(referenceStats(everything, filter));
    }
    const all = await stats('');
    expect(all.total).toBe(3_010);
    expect(all.byStatus.orphaned).toBeGreaterThan(0);
    expect(all.voice.orphans).toBe(all.byStatus.orphaned);
  });

  it('an opening with no sessions gives zeros and nulls, not errors', async () => {
    const s = await stats('?openingId=dddddddddddddddddddddddd');
    expect(s.total).toBe(0);
    expect(s.completionRate).toBeNull();
    expect(s.medianDurationSecs).toBeNull();
    expect(s.scoreDistribution).toHaveLength(10);
  });

  it('validates the query and needs the recruiter token', async () => {
    for (const q of ['?openingId=nope', '?from=yesterday', '?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', '?extra=1', '?openingId[$ne]=x']) {
      const res = await call(server.url, 'GET', `/api/stats${q}`);
      expect(res.status, q).toBe(400);
      expect(errorCode(res)).toBe('VALIDATION');
    }
    expect((await call(server.url, 'GET', '/api/stats', undefined, null)).status).toBe(401);
  });

  it('embedded store: a leading $match is applied without copying, and mutating stages still never touch stored documents', async () => {
    const { Interview } = createModels(server.connection);
    const changed = await Interview.aggregate<{ status: string }>([{ $match: { openingId: HAND_OPENING } }, { $addFields: { status: 'rewritten' } }]).exec();
    expect(changed).toHaveLength(10);
    expect(changed.every((d) => d.status === 'rewritten')).toBe(true);
    const grouped = await Interview.aggregate<{ _id: string; n: number }>([{ $match: { openingId: HAND_OPENING } }, { $group: { _id: '$status', n: { $sum: 1 } } }]).exec();
    expect(grouped.find((g) => g._id === 'completed')?.n).toBe(5);
    expect(grouped.some((g) => g._id === 'rewritten')).toBe(false);
  });

  it('medianOfHistogram: odd, even and single counts', () => {
    expect(medianOfHistogram([], 0)).toBeNull();
    expect(medianOfHistogram([{ _id: 5, n: 1 }], 1)).toBe(5);
    expect(medianOfHistogram([{ _id: 1, n: 1 }, { _id: 3, n: 1 }], 2)).toBe(2);
    expect(medianOfHistogram([{ _id: 1, n: 2 }, { _id: 9, n: 1 }], 3)).toBe(1);
    expect(medianOfHistogram([{ _id: 2, n: 1 }, { _id: 10, n: 1 }, { _id: 100, n: 2 }], 4)).toBe(55);
  });
});
