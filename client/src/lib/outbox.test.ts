import { describe, expect, it } from 'vitest';
import { emptySessionView, reduceSessionView } from '../../../shared/sessionView.js';
import { answer, question, snapshot } from '../test/fakeSocket.js';
import { answerableQuestionId, decidePending, outcomeOf } from './outbox.js';

const viewOf = (s: ReturnType<typeof snapshot>) => reduceSessionView(emptySessionView(), { type: 'session:state', payload: s });
const awaiting = viewOf(snapshot({ messages: [question('q1', 'A?')], turn: { state: 'awaiting_answer', questionId: 'q1' } }));

describe('answer outbox decisions', () => {
  it('only a stored ack counts as sent', () => {
    expect(outcomeOf({ kind: 'ack', ack: { ok: true, messageId: 'm1', seq: 2 } })).toEqual({ kind: 'sent' });
    expect(outcomeOf({ kind: 'timeout' }).kind).toBe('retry');
  });

  it('rate limits are retried after the time the server gives, and say so', () => {
    const outcome = outcomeOf({ kind: 'ack', ack: { ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 2_500 } } });
    expect(outcome).toMatchObject({ kind: 'retry', afterMs: 2_500 });
    expect(outcome.kind === 'retry' && outcome.message).toContain('3 s');
  });

  it('validation errors give the text back; an ended interview drops it', () => {
    expect(outcomeOf({ kind: 'ack', ack: { ok: false, error: { code: 'VALIDATION', message: 'too long' } } }).kind).toBe('rejected');
    expect(outcomeOf({ kind: 'ack', ack: { ok: false, error: { code: 'SESSION_ENDED', message: 'ended' } } }).kind).toBe('ended');
    expect(outcomeOf({ kind: 'ack', ack: { ok: false, error: { code: 'DEPENDENCY_DOWN', message: 'db' } } }).kind).toBe('retry');
  });

  it('a pending answer is sent only when the turn is the candidate’s, for its own question', () => {
    expect(answerableQuestionId(awaiting)).toBe('q1');
    expect(decidePending(awaiting, { messageId: 'm1', text: 'x', questionId: 'q1' })).toBe('send');
    expect(decidePending(awaiting, { messageId: 'm1', text: 'x', questionId: 'q0' })).toBe('stale');
    const streaming = viewOf(snapshot({ messages: [question('q1', 'A?')], turn: { state: 'generating' }, inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'B', lastIndex: 0 } }));
    expect(decidePending(streaming, { messageId: 'm1', text: 'x', questionId: 'q1' })).toBe('wait');
    const paused = viewOf(snapshot({ status: 'paused', messages: [question('q1', 'A?')], turn: { state: 'awaiting_answer' } }));
    expect(decidePending(paused, { messageId: 'm1', text: 'x' })).toBe('wait');
  });

  it('an answer already in the transcript (its ack was lost) is done, not sent twice', () => {
    const stored = viewOf(snapshot({ messages: [question('q1', 'A?'), answer('m1', 'x', 'q1')], turn: { state: 'generating' } }));
    expect(decidePending(stored, { messageId: 'm1', text: 'x', questionId: 'q1' })).toBe('stored');
  });
});
