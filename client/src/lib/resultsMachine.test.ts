import { describe, expect, it } from 'vitest';
import type { SessionByClientWithVoice } from '../../../shared/voice.js';
import {
  EVAL_POLL_MS,
  EVAL_TIMEOUT_MS,
  LINK_POLL_MS,
  LINK_TIMEOUT_MS,
  deadlineIn,
  initialResults,
  nextPollIn,
  reduceResults,
  stageOf,
  type ResultsEvent,
  type ResultsState,
} from './resultsMachine.js';

function data(overrides: Partial<SessionByClientWithVoice> = {}): SessionByClientWithVoice {
  return { interviewId: 'i1', conversationId: null, status: 'completed', evaluationStatus: 'pending', evaluation: null, messages: [], ...overrides };
}

const evaluation = { overall: 7, summary: 'ok', strengths: [], concerns: [], competencies: [] };

function run(events: ResultsEvent[], start = 0): ResultsState {
  return events.reduce(reduceResults, initialResults(start));
}

describe('results state machine', () => {
  it('maps server states to screens', () => {
    expect(stageOf(data({ status: 'active' }))).toBe('in_progress');
    expect(stageOf(data({ status: 'ended_pending_webhook', evaluationStatus: null }))).toBe('saving');
    expect(stageOf(data({ status: 'completed', evaluationStatus: null }))).toBe('evaluating');
    expect(stageOf(data({ status: 'completed', evaluationStatus: 'running' }))).toBe('evaluating');
    expect(stageOf(data({ status: 'completed', evaluationStatus: 'complete', evaluation }))).toBe('ready');
    expect(stageOf(data({ status: 'completed', evaluationStatus: 'failed' }))).toBe('failed');
    expect(stageOf(data({ status: 'abandoned', evaluationStatus: null }))).toBe('ready');
  });

  it('polls at once, then every ~1 s while saving and every ~2 s while evaluating', () => {
    let s = initialResults(0);
    expect(s.stage).toBe('loading');
    expect(nextPollIn(s)).toBe(0);
    s = reduceResults(s, { type: 'fetched', data: data({ status: 'ended_pending_webhook', evaluationStatus: null }), now: 100 });
    expect(s.stage).toBe('saving');
    expect(nextPollIn(s)).toBe(LINK_POLL_MS);
    s = reduceResults(s, { type: 'fetched', data: data({ status: 'completed', evaluationStatus: 'pending' }), now: 5_000 });
    expect(s.stage).toBe('evaluating');
    expect(s.since).toBe(5_000);
    expect(nextPollIn(s)).toBe(EVAL_POLL_MS);
    s = reduceResults(s, { type: 'fetched', data: data({ status: 'completed', evaluationStatus: 'complete', evaluation }), now: 9_000 });
    expect(s.stage).toBe('ready');
    expect(nextPollIn(s)).toBeNull();
    expect(deadlineIn(s, 9_000)).toBeNull();
  });

  it('gives up saving after 60 s with a timeout screen, never spinning forever', () => {
    const saving = data({ status: 'ended_pending_webhook', evaluationStatus: null });
    let s = run([{ type: 'fetched', data: saving, now: 0 }]);
    expect(deadlineIn(s, 10_000)).toBe(LINK_TIMEOUT_MS - 10_000);
    s = reduceResults(s, { type: 'fetched', data: saving, now: LINK_TIMEOUT_MS - 1 });
    expect(s.stage).toBe('saving');
    s = reduceResults(s, { type: 'tick', now: LINK_TIMEOUT_MS });
    expect(s.stage).toBe('timeout');
    expect(s.timedOut).toBe('saving');
    expect(nextPollIn(s)).toBeNull();
    // A later non-final answer does not bring the spinner back by itself…
    s = reduceResults(s, { type: 'fetched', data: saving, now: LINK_TIMEOUT_MS + 5 });
    expect(s.stage).toBe('timeout');
    // …Retry does, with a fresh deadline.
    s = reduceResults(s, { type: 'retry', now: 100_000 });
    expect(s.stage).toBe('loading');
    s = reduceResults(s, { type: 'fetched', data: saving, now: 100_010 });
    expect(s.stage).toBe('saving');
    expect(deadlineIn(s, 100_010)).toBe(LINK_TIMEOUT_MS);
  });

  it('the evaluation gets its own 60 s after the link, then times out', () => {
    let s = run([
      { type: 'fetched', data: data({ status: 'ended_pending_webhook', evaluationStatus: null }), now: 0 },
      { type: 'fetched', data: data({ status: 'completed', evaluationStatus: 'running' }), now: 50_000 },
      { type: 'tick', now: 100_000 },
    ]);
    expect(s.stage).toBe('evaluating');
    s = reduceResults(s, { type: 'tick', now: 50_000 + EVAL_TIMEOUT_MS });
    expect(s.stage).toBe('timeout');
    expect(s.timedOut).toBe('evaluating');
  });

  it('a final answer after a timeout shows the results', () => {
    const s = run([
      { type: 'fetched', data: data({ status: 'completed', evaluationStatus: 'running' }), now: 0 },
      { type: 'tick', now: EVAL_TIMEOUT_MS },
      { type: 'fetched', data: data({ status: 'completed', evaluationStatus: 'complete', evaluation }), now: EVAL_TIMEOUT_MS + 1 },
    ]);
    expect(s.stage).toBe('ready');
  });

  it('pushes move the screen before the next poll', () => {
    let s = run([{ type: 'fetched', data: data({ status: 'ended_pending_webhook', evaluationStatus: null }), now: 0 }]);
    s = reduceResults(s, { type: 'pushed_status', status: 'completed', now: 3_000 });
    expect(s.stage).toBe('evaluating');
    expect(s.since).toBe(3_000);
    s = reduceResults(s, { type: 'pushed_evaluation', evaluationStatus: 'failed', now: 4_000 });
    expect(s.stage).toBe('failed');
    // 'complete' waits for the fetch that carries the result.
    const waiting = run([{ type: 'fetched', data: data({ status: 'completed', evaluationStatus: 'running' }), now: 0 }]);
    expect(reduceResults(waiting, { type: 'pushed_evaluation', evaluationStatus: 'complete', now: 1 }).stage).toBe('evaluating');
  });

  it('network errors are retried within the same deadline; auth errors stop', () => {
    let s = run([{ type: 'fetch_failed', message: 'offline', fatal: false, now: 0 }]);
    expect(s.stage).toBe('loading');
    expect(nextPollIn(s)).toBe(3_000);
    s = reduceResults(s, { type: 'fetch_failed', message: 'offline', fatal: false, now: LINK_TIMEOUT_MS });
    expect(s.stage).toBe('timeout');
    const fatal = run([{ type: 'fetch_failed', message: 'The candidate token does not open this session', fatal: true, now: 0 }]);
    expect(fatal.stage).toBe('error');
    expect(nextPollIn(fatal)).toBeNull();
  });
});
