import { describe, expect, it } from 'vitest';
import { answer, question, snapshot } from '../test/fakeSocket.js';
import { initialLiveView, isReconnecting, reduceLiveView, type LiveAction, type LiveView } from './liveView.js';

const run = (actions: LiveAction[], start: LiveView = initialLiveView()) => actions.reduce(reduceLiveView, start);
const token = (index: number, text: string): LiveAction => ({ type: 'event', event: { type: 'question:token', payload: { questionId: 'q2', index, text } } });

describe('live view across reconnects', () => {
  const first = snapshot({
    messages: [question('q1', 'First?'), answer('a1', 'Yes.', 'q1')],
    inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'Second ', lastIndex: 0 },
  });

  it('keeps showing the last screen and the banner until the new snapshot, then replaces it exactly', () => {
    let s = run([{ type: 'connected' }, { type: 'event', event: { type: 'session:state', payload: first } }, token(1, 'question')]);
    expect(s.connection).toBe('connected');
    expect(s.shown.streaming?.text).toBe('Second question');
    expect(isReconnecting(s)).toBe(false);

    s = reduceLiveView(s, { type: 'disconnected' });
    expect(isReconnecting(s)).toBe(true);
    expect(s.shown.streaming?.text).toBe('Second question');

    // On the new connection a token may arrive before the snapshot: it waits for it.
    s = run([{ type: 'connected' }, token(3, '?')], s);
    expect(isReconnecting(s)).toBe(true);
    expect(s.shown.streaming?.text).toBe('Second question');

    const second = snapshot({
      messages: first.messages,
      inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'Second question here', lastIndex: 2 },
    });
    s = reduceLiveView(s, { type: 'event', event: { type: 'session:state', payload: second } });
    expect(isReconnecting(s)).toBe(false);
    expect(s.shown.streaming?.text).toBe('Second question here?');
    expect(s.shown.gaps).toBe(0);
    expect(s.progress).toEqual({ number: 2, phase: 'warmup' });
  });

  it('a refused handshake is a failure with its code, not an endless banner', () => {
    const s = run([{ type: 'failed', code: 'UNAUTHORIZED', message: 'The candidate token does not open this session' }]);
    expect(s.connection).toBe('failed');
    expect(s.error?.code).toBe('UNAUTHORIZED');
  });

  it('progress follows question:start and the finished questions', () => {
    let s = run([{ type: 'event', event: { type: 'session:state', payload: snapshot({ messages: [question('q1', 'A?')], turn: { state: 'awaiting_answer' } }) } }]);
    expect(s.progress).toEqual({ number: 1, phase: 'warmup' });
    s = reduceLiveView(s, { type: 'event', event: { type: 'question:start', payload: { questionId: 'q2', phase: 'standard', number: 2 } } });
    expect(s.progress).toEqual({ number: 2, phase: 'standard' });
    s = reduceLiveView(s, { type: 'event', event: { type: 'question:end', payload: { questionId: 'q2', text: 'B?' } } });
    expect(s.progress).toEqual({ number: 2, phase: 'standard' });
  });
});
