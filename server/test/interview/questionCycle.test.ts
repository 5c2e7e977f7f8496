import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEventMap, SessionEventName } from '../../../shared/events.js';
import { AnswerAssessor } from '../../src/interview/answerAssessor.js';
import { AnswerRateLimit } from '../../src/interview/answerRateLimit.js';
import { MemoryInflightStore } from '../../src/interview/memoryInflight.js';
import type { SessionBroadcaster } from '../../src/interview/ports.js';
import { newQuestionId, QuestionCycle } from '../../src/interview/questionCycle.js';
import type { SummarySource } from '../../src/interview/summary.js';
import { TurnLeases } from '../../src/interview/turnLeases.js';
import { ScriptedInterviewer } from '../../src/llm/scripted/index.js';
import { captureLogs } from '../support/logCapture.js';
import { startTestStore, type SentCommand, type TestStore } from '../support/store.js';

/**
 * The question cycle against a real store (embedded, or MONGODB_URI), counting the
 * commands the driver sends: the hot path is two round trips per answer, with replies
 * that carry the transcript's tail, never the transcript.
 */

type Emitted = { event: SessionEventName; payload: unknown };

/** Records what the cycle broadcasts (the socket rooms are not what these tests are about). */
class RecordingBroadcaster implements SessionBroadcaster {
  readonly events: Emitted[] = [];
  readonly rows: SummarySource[] = [];
  readonly touches: string[] = [];
  private waiters: Array<() => void> = [];
  emit<E extends SessionEventName>(_csid: string, event: E, payload: SessionEventMap[E]): void {
    this.events.push({ event, payload });
    for (const w of this.waiters) w();
  }
  touched(csid: string): void {
    this.touches.push(csid);
  }
  summary(row: SummarySource): void {
    this.rows.push(row);
  }
  async until(pred: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out; events: ${this.events.map((e) => e.event).join(',')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
      this.waiters = [];
    }
  }
  count(event: SessionEventName): number {
    return this.events.filter((e) => e.event === event).length;
  }
}

let store: TestStore;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

function build(nodeId = 'node-a#1') {
  const { logger } = captureLogs('warn');
  const now = () => new Date();
  const interviewer = new ScriptedInterviewer({ tokenDelayMs: 0 });
  const broadcaster = new RecordingBroadcaster();
  const leases = new TurnLeases({ renew: (req) => store.repo.renewLeases(req), logger, nodeId, leaseMs: 15_000, now });
  const assessor = new AnswerAssessor({
    interviewer,
    recordScore: (csid, score) => store.repo.recordScore(csid, score),
    recordUsage: () => undefined,
    logger,
    now,
  });
  const cycle = new QuestionCycle({
    repo: store.repo,
    interviewer,
    assessor,
    evaluate: () => undefined,
    broadcaster,
    inflight: new MemoryInflightStore(),
    leases,
    rateLimit: new AnswerRateLimit(0),
    logger,
    now,
  });
  return { cycle, broadcaster, leases };
}

async function startedSession(cycle: QuestionCycle, leases: TurnLeases, broadcaster: RecordingBroadcaster) {
  const clientSessionId = randomUUID();
  await store.repo.createSession({ clientSessionId, mode: 'text', role: 'backend-engineer' });
  const questionId = newQuestionId();
  const started = await store.repo.transition(clientSessionId, { from: ['created'], to: 'active', set: { startedAt: new Date(), turn: leases.lease(questionId) } });
  await cycle.continue(cycle.viewOf(started.session!), questionId);
  await broadcaster.until(() => broadcaster.count('question:end') === 1);
  return clientSessionId;
}

const ANSWER = 'I would put the ledger behind an idempotent consumer keyed by message id, and measure p99 latency first.';

describe('the question cycle', () => {
  it('an answer and the question after it cost two store writes and no read', async () => {
    const { cycle, broadcaster, leases } = build();
    const csid = await startedSession(cycle, leases, broadcaster);
    const { result: ack, commands } = await store.commandsDuring(async () => {
      const ack = await cycle.answer(csid, 'a-1', ANSWER);
      await broadcaster.until(() => broadcaster.count('question:end') === 2);
      return ack;
    });
    expect(ack).toEqual({ ok: true, messageId: 'a-1', seq: 2 });
    expect(commands.map((c) => c.name)).toEqual(['findAndModify', 'findAndModify']);
    // The scripted score was ready in time: it travelled with the question (no write of its own).
    const question = commands[1]!.body as { update: { $push: Record<string, unknown> } };
    expect(Object.keys(question.update.$push).sort()).toEqual(['messages', 'plan.asked', 'plan.scores']);
    const stored = await store.repo.findByClientSessionId(csid);
    expect(stored?.plan.scores.map((s) => s.questionId)).toEqual([stored?.plan.asked[0]?.questionId]);
    expect(stored?.turn.state).toBe('awaiting_answer');
    // The live list row came from the writes' replies.
    expect(broadcaster.touches).toEqual([]);
    expect(broadcaster.rows.at(-1)).toMatchObject({ clientSessionId: csid, status: 'active', plan: { asked: expect.any(Array) } });
  });

  it('replies carry the messages the interviewer reads and the transcript length, never the transcript', async () => {
    const { cycle, broadcaster, leases } = build();
    const csid = await startedSession(cycle, leases, broadcaster);
    for (let i = 1; i <= 8; i++) {
      await cycle.answer(csid, `a-${i}`, `${ANSWER} (${i})`);
      await broadcaster.until(() => broadcaster.count('question:end') === i + 1 || broadcaster.count('interview:complete') > 0);
    }
    // ② answers with the list row only; ① with the row, the transcript's length and the
    // messages the interviewer reads (the scripted one: 4) — never the whole transcript.
    const row = broadcaster.rows.at(-1) as SummarySource;
    expect(Object.keys(row)).not.toContain('messages');
    expect(Object.keys(row)).not.toContain('tail');
    const view = broadcaster.rows.at(-2) as SummarySource & { tail: unknown[]; messageCount: number };
    expect(view.messageCount).toBe(16);
    expect(view.tail).toHaveLength(4);
    expect(Object.keys(row)).not.toContain('usage');
    expect((row as { evaluation?: unknown }).evaluation).toBeUndefined();
    const ack = await cycle.answer(csid, 'a-9', ANSWER);
    expect(ack).toEqual({ ok: true, messageId: 'a-9', seq: 18 });
  });

  it('a node that does not know the session reads its state once, then answers', async () => {
    const first = build('node-a#1');
    const csid = await startedSession(first.cycle, first.leases, first.broadcaster);
    const other = build('node-b#1');
    const { result: ack, commands } = await store.commandsDuring(async () => {
      const ack = await other.cycle.answer(csid, 'a-1', ANSWER);
      await other.broadcaster.until(() => other.broadcaster.count('question:end') === 1);
      return ack;
    });
    expect(ack).toEqual({ ok: true, messageId: 'a-1', seq: 2 });
    expect(commands.map((c: SentCommand) => c.name)).toEqual(['find', 'findAndModify', 'findAndModify']);
  });

  it('a retried answer is acked with its seq and stores nothing, on the node that stored it and on another', async () => {
    const { cycle, broadcaster, leases } = build();
    const csid = await startedSession(cycle, leases, broadcaster);
    const first = await cycle.answer(csid, 'a-1', ANSWER);
    await broadcaster.until(() => broadcaster.count('question:end') === 2);
    const again = await cycle.answer(csid, 'a-1', ANSWER);
    const elsewhere = await build('node-b#1').cycle.answer(csid, 'a-1', ANSWER);
    expect(again).toEqual(first);
    expect(elsewhere).toEqual(first);
    const stored = await store.repo.findByClientSessionId(csid);
    expect(stored?.messages.filter((m) => m.id === 'a-1')).toHaveLength(1);
  });

  it('a node whose memory of the question is stale answers the current question', async () => {
    const a = build('node-a#1');
    const csid = await startedSession(a.cycle, a.leases, a.broadcaster);
    // Node B takes the next cycle; node A still remembers question 1.
    const b = build('node-b#1');
    await b.cycle.answer(csid, 'a-1', ANSWER);
    await b.broadcaster.until(() => b.broadcaster.count('question:end') === 1);
    const ack = await a.cycle.answer(csid, 'a-2', ANSWER);
    expect(ack).toEqual({ ok: true, messageId: 'a-2', seq: 4 });
    const stored = await store.repo.findByClientSessionId(csid);
    const answer = stored?.messages.find((m) => m.id === 'a-2');
    expect(answer?.questionId).toBe(stored?.messages[2]?.id);
  });

  it('renews the leases of all its streaming sessions in one write and stops the streams whose turn it lost', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const csid = randomUUID();
      await store.repo.createSession({ clientSessionId: csid, mode: 'text', role: 'backend-engineer' });
      const questionId = newQuestionId();
      ids.push(questionId);
      await store.repo.transition(csid, { from: ['created'], to: 'active', set: { turn: { state: 'generating', questionId, node: 'node-z#1', leaseUntil: new Date(Date.now() + 1_000) } } });
    }
    // Another node took the last session's turn over.
    const lost = ids.at(-1)!;
    await store.models.Interview.updateOne({ 'turn.questionId': lost }, { $set: { 'turn.node': 'node-y#1' } });
    const until = new Date(Date.now() + 60_000);
    const { result, commands } = await store.commandsDuring(() => store.repo.renewLeases({ node: 'node-z#1', questionIds: ids, until }));
    expect(result.lost).toEqual([lost]);
    expect(commands.map((c) => c.name)).toEqual(['update', 'find']);
    const renewed = await store.models.Interview.find({ 'turn.questionId': { $in: ids.slice(0, 4) } }).lean();
    expect(renewed.map((d) => d.turn.leaseUntil?.getTime())).toEqual(ids.slice(0, 4).map(() => until.getTime()));
  });
});
