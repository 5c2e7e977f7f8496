// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { emptySessionView, reduceSessionView, type SessionEvent, type SessionView } from '../../../shared/sessionView.js';
import { question, snapshot } from '../test/fakeSocket.js';
import { Transcript } from './Transcript.js';

afterEach(cleanup);

const apply = (events: SessionEvent[]): SessionView => events.reduce(reduceSessionView, emptySessionView());

describe('Transcript (streaming view)', () => {
  it('renders a streaming question token by token with a caret, from the snapshot text onwards', () => {
    const s = snapshot({ messages: [question('q1', 'Hello?')], inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'Tell me', lastIndex: 1 } });
    let view = apply([{ type: 'session:state', payload: s }]);
    const { rerender, container } = render(<Transcript view={view} candidateLabel="You" />);
    const streaming = screen.getByTestId('streaming-question');
    expect(streaming.textContent).toBe('Tell me');
    expect(streaming.getAttribute('aria-busy')).toBe('true');
    expect(container.querySelector('.caret')).not.toBeNull();

    // A duplicate of an index already in the snapshot is dropped; the next ones append.
    view = [
      { type: 'question:token', payload: { questionId: 'q2', index: 1, text: ' me' } },
      { type: 'question:token', payload: { questionId: 'q2', index: 2, text: ' about' } },
      { type: 'question:token', payload: { questionId: 'q2', index: 3, text: ' it?' } },
    ].reduce<SessionView>((v, e) => reduceSessionView(v, e as SessionEvent), view);
    rerender(<Transcript view={view} candidateLabel="You" />);
    expect(screen.getByTestId('streaming-question').textContent).toBe('Tell me about it?');
    expect(view.gaps).toBe(0);

    view = reduceSessionView(view, { type: 'question:end', payload: { questionId: 'q2', text: 'Tell me about it?' } });
    rerender(<Transcript view={view} candidateLabel="You" />);
    expect(screen.queryByTestId('streaming-question')).toBeNull();
    expect(container.querySelector('.caret')).toBeNull();
    expect(screen.getAllByTestId('question').map((q) => q.querySelector('.text')?.textContent)).toEqual(['Hello?', 'Tell me about it?']);
  });

  it('labels the candidate’s lines as given and keeps finished lines in a log region', () => {
    const view = apply([
      { type: 'session:state', payload: snapshot({ messages: [question('q1', 'Why?'), { id: 'a1', role: 'candidate', text: 'Because.', source: 'text', questionId: 'q1', at: '2026-01-01T00:00:00Z' }] }) },
    ]);
    render(<Transcript view={view} candidateLabel="Ada" />);
    expect(screen.getByRole('log')).toBeTruthy();
    expect(screen.getByTestId('answer').textContent).toContain('Ada');
    expect(screen.getByTestId('answer').textContent).toContain('Because.');
  });
});
