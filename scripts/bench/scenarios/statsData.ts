import { randomUUID } from 'node:crypto';
import { ObjectId } from 'bson';
import type { InterviewMode, InterviewStatus, LinkedBy } from '../../../shared/interview.js';

/**
 * A generated set of interview documents for the stats pipeline (GET /api/stats):
 * deterministic given the seed, in the stored shape (what the repository writes),
 * with a plain-JS reference of the numbers the pipeline must return.
 */
export interface StatsDoc {
  _id: ObjectId;
  clientSessionId: string;
  mode: InterviewMode;
  role: string;
  openingId?: string;
  status: InterviewStatus;
  endedBy?: 'user' | 'server' | 'timeout';
  messages: never[];
  turn: { state: 'idle' };
  plan: { asked: never[]; scores: never[] };
  usage: never[];
  voice?: { linkedBy?: LinkedBy; candidates?: string[]; conversationId?: string };
  evaluation?: { status: 'complete' | 'pending'; attempts: number; result?: { overall: number; summary: string; strengths: string[]; concerns: string[]; competencies: [] } };
  startedAt?: Date;
  endedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const STATUSES: InterviewStatus[] = ['created', 'active', 'paused', 'ended_pending_webhook', 'completed', 'completed', 'completed', 'abandoned', 'orphaned'];
const LINKS: LinkedBy[] = ['conversation_id', 'dynamic_variable', 'time_window', 'merge'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` sessions spread over `openingIds` (and none), created across `days` days before `end`. */
export function generateStatsDocs(count: number, opts: { seed?: number; openingIds?: string[]; end?: Date; days?: number } = {}): StatsDoc[] {
  const next = rng(opts.seed ?? 1);
  const openings = opts.openingIds ?? [];
  const end = (opts.end ?? new Date('2026-06-01T00:00:00Z')).getTime();
  const spanMs = (opts.days ?? 30) * 86_400_000;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const docs: StatsDoc[] = [];
  for (let i = 0; i < count; i++) {
    const createdAt = new Date(end - Math.floor(next() * spanMs));
    const status = pick(STATUSES);
    const mode: InterviewMode = status === 'orphaned' || status === 'ended_pending_webhook' ? 'voice' : next() < 0.4 ? 'voice' : 'text';
    const doc: StatsDoc = {
      _id: new ObjectId(),
      clientSessionId: randomUUID(),
      mode,
      role: 'backend-engineer',
      status,
      messages: [],
      turn: { state: 'idle' },
      plan: { asked: [], scores: [] },
      usage: [],
      createdAt,
      updatedAt: createdAt,
    };
    const opening = status === 'orphaned' ? undefined : next() < 0.8 && openings.length > 0 ? pick(openings) : undefined;
    if (opening) doc.openingId = opening;
    if (status !== 'created' && status !== 'orphaned') doc.startedAt = new Date(createdAt.getTime() + 5_000);
    if (status === 'completed' || status === 'abandoned' || status === 'ended_pending_webhook') {
      doc.endedAt = new Date(createdAt.getTime() + 5_000 + Math.floor(next() * 3_600) * 1000 + Math.floor(next() * 1000));
      doc.endedBy = status === 'abandoned' ? 'timeout' : 'user';
    }
    if (status === 'completed') {
      const overall = Math.round(next() * 100) / 10;
      doc.evaluation = next() < 0.9 ? { status: 'complete', attempts: 1, result: { overall, summary: 's', strengths: [], concerns: [], competencies: [] } } : { status: 'pending', attempts: 0 };
    }
    if (mode === 'voice') {
      if (status === 'orphaned') doc.voice = { linkedBy: 'fallback', conversationId: `conv_${doc._id.toHexString()}` };
      else if (status === 'completed') doc.voice = { linkedBy: pick(LINKS), conversationId: `conv_${doc._id.toHexString()}` };
      else if (status === 'ended_pending_webhook') doc.voice = next() < 0.3 ? { candidates: [randomUUID(), randomUUID()] } : {};
      else doc.voice = {};
    }
    docs.push(doc);
  }
  return docs;
}

/** The numbers GET /api/stats must return for `docs` under a filter, computed without MongoDB. */
export function referenceStats(all: StatsDoc[], filter: { openingId?: string; from?: Date; to?: Date } = {}) {
  const docs = all.filter(
    (d) =>
      (filter.openingId === undefined || d.openingId === filter.openingId) &&
      (filter.from === undefined || d.createdAt >= filter.from) &&
      (filter.to === undefined || d.createdAt < filter.to),
  );
  const byStatus: Record<string, number> = { created: 0, active: 0, paused: 0, ended_pending_webhook: 0, completed: 0, abandoned: 0, orphaned: 0 };
  const byMode: Record<string, number> = { text: 0, voice: 0 };
  for (const d of docs) {
    byStatus[d.status]! += 1;
    if (d.status !== 'orphaned') byMode[d.mode]! += 1;
  }
  const candidates = docs.length - byStatus.orphaned!;
  const durations = docs
    .filter((d) => d.status === 'completed' && d.startedAt && d.endedAt)
    .map((d) => Math.floor((d.endedAt!.getTime() - d.startedAt!.getTime()) / 1000))
    .sort((a, b) => a - b);
  const n = durations.length;
  const median = n === 0 ? null : n % 2 === 1 ? durations[(n - 1) / 2]! : (durations[n / 2 - 1]! + durations[n / 2]!) / 2;
  const buckets = Array.from({ length: 10 }, (_, i) => ({ from: i, to: i + 1, count: 0 }));
  let scored = 0;
  for (const d of docs) {
    const overall = d.evaluation?.status === 'complete' ? d.evaluation.result?.overall : undefined;
    if (overall === undefined) continue;
    scored += 1;
    buckets[Math.min(9, Math.floor(overall))]!.count += 1;
  }
  const byLinkedBy: Record<string, number> = { conversation_id: 0, dynamic_variable: 0, time_window: 0, fallback: 0, merge: 0 };
  const voice = { sessions: 0, byLinkedBy, orphans: 0, pending: 0, ambiguous: 0, missing: 0 };
  for (const d of docs.filter((x) => x.mode === 'voice')) {
    if (d.status === 'orphaned') {
      voice.orphans += 1;
      continue;
    }
    voice.sessions += 1;
    if (d.voice?.linkedBy) byLinkedBy[d.voice.linkedBy]! += 1;
    else if ((d.voice?.candidates?.length ?? 0) > 1) voice.ambiguous += 1;
    else if (d.status === 'ended_pending_webhook') voice.pending += 1;
    else if (d.status === 'abandoned') voice.missing += 1;
  }
  return {
    total: docs.length,
    byStatus,
    byMode,
    completionRate: candidates > 0 ? Math.round((byStatus.completed! / candidates) * 10_000) / 10_000 : null,
    medianDurationSecs: median,
    durationSamples: n,
    scoreDistribution: buckets,
    scoredSessions: scored,
    voice,
  };
}
