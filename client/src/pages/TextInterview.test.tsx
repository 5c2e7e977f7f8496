// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPending, savePending, type StoredSession } from '../lib/storage.js';
import { FakeSocket, answer, question, snapshot } from '../test/fakeSocket.js';
import { TextInterview } from './TextInterview.js';

const session: StoredSession = {
  clientSessionId: '11111111-1111-4111-8111-111111111111',
  candidateToken: 'token',
  mode: 'text',
  role: 'backend-engineer',
  createdAt: '2026-01-01T00:00:00Z',
};

const awaitingQ1 = snapshot({ messages: [question('q1', 'What did you build?')], turn: { state: 'awaiting_answer', questionId: 'q1' } });

let socket: FakeSocket;
const connect = () => socket.asInterviewSocket();

beforeEach(() => {
  localStorage.clear();
  socket = new FakeSocket();
});
afterEach(cleanup);

function mount() {
  render(<TextInterview session={session} connect={connect} />);
}

function typeAndSend(text: string) {
  fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: text } });
  fireEvent.click(screen.getByRole('button', { name: 'Send answer' }));
}

describe('TextInterview', () => {
  it('streams the question with a caret and disables the answer box until it ends', () => {
    mount();
    act(() => socket.serverConnect(snapshot({ messages: [], turn: { state: 'generating' } })));
    act(() => socket.fire('question:start', { questionId: 'q1', phase: 'warmup', number: 1 }));
    act(() => socket.fire('question:token', { questionId: 'q1', index: 0, text: 'What ' }));
    act(() => socket.fire('question:token', { questionId: 'q1', index: 1, text: 'did' }));
    expect(screen.getByTestId('streaming-question').textContent).toBe('What did');
    expect((screen.getByLabelText('Your answer') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByTestId('progress').textContent).toContain('Question 1');
    act(() => socket.fire('question:end', { questionId: 'q1', text: 'What did you build?' }));
    expect(screen.queryByTestId('streaming-question')).toBeNull();
    expect((screen.getByLabelText('Your answer') as HTMLTextAreaElement).disabled).toBe(false);
  });

  it('shows "Sent" only after the ack and retries a rate-limited answer with the SAME messageId', async () => {
    mount();
    act(() => socket.serverConnect(awaitingQ1));
    typeAndSend('A queue with retries.');
    await waitFor(() => expect(socket.sentOf('answer:submit')).toHaveLength(1));
    const first = socket.sentOf('answer:submit')[0]!;
    const { messageId } = first.payload as { messageId: string };
    expect(screen.getByTestId('send-status').textContent).toBe('Sending…');
    // Kept for a reload until acked.
    expect(loadPending(session.clientSessionId)?.messageId).toBe(messageId);

    await act(async () => first.resolve({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 60 } }));
    expect(screen.getByTestId('send-status').textContent).toContain('sending again in 1 s');
    await waitFor(() => expect(socket.sentOf('answer:submit')).toHaveLength(2));
    const second = socket.sentOf('answer:submit')[1]!;
    expect(second.payload).toEqual({ messageId, text: 'A queue with retries.' });
    expect(screen.getByTestId('send-status').textContent).not.toContain('Sent');

    await act(async () => second.resolve({ ok: true, messageId, seq: 2 }));
    expect(screen.getByTestId('send-status').textContent).toBe('Sent ✓');
    expect(loadPending(session.clientSessionId)).toBeNull();
  });

  it('an ack timeout re-sends the same messageId', async () => {
    mount();
    act(() => socket.serverConnect(awaitingQ1));
    typeAndSend('Idempotent writes.');
    await waitFor(() => expect(socket.sentOf('answer:submit')).toHaveLength(1));
    const first = socket.sentOf('answer:submit')[0]!;
    await act(async () => first.reject(new Error('operation has timed out')));
    await waitFor(() => expect(socket.sentOf('answer:submit')).toHaveLength(2), { timeout: 3_000 });
    expect(socket.sentOf('answer:submit')[1]!.payload).toEqual(first.payload);
  });

  it('after a reload, re-sends the stored pending answer with its id — or drops it when the snapshot already has it', async () => {
    savePending(session.clientSessionId, { messageId: 'm_pending', text: 'Typed before the reload', questionId: 'q1' });
    mount();
    expect(screen.getByTestId('pending-answer').textContent).toContain('Typed before the reload');
    act(() => socket.serverConnect(awaitingQ1));
    await waitFor(() => expect(socket.sentOf('answer:submit')).toHaveLength(1));
    expect(socket.sentOf('answer:submit')[0]!.payload).toEqual({ messageId: 'm_pending', text: 'Typed before the reload' });

    cleanup();
    socket = new FakeSocket();
    savePending(session.clientSessionId, { messageId: 'm_pending', text: 'Typed before the reload', questionId: 'q1' });
    mount();
    act(() =>
      socket.serverConnect(
        snapshot({ messages: [question('q1', 'What did you build?'), answer('m_pending', 'Typed before the reload', 'q1')], turn: { state: 'generating' } }),
      ),
    );
    await waitFor(() => expect(screen.getByTestId('send-status').textContent).toBe('Sent ✓'));
    expect(socket.sentOf('answer:submit')).toHaveLength(0);
    expect(loadPending(session.clientSessionId)).toBeNull();
  });

  it('shows the reconnecting banner while disconnected and clears it when the new snapshot arrives', () => {
    mount();
    act(() => socket.serverConnect(snapshot({ messages: [question('q1', 'First?')], turn: { state: 'generating' }, inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'Sec', lastIndex: 0 } })));
    const banner = () => screen.getByTestId('reconnect-banner').textContent ?? '';
    expect(banner()).toBe('');
    act(() => socket.serverDrop());
    expect(banner()).toContain('Reconnecting');
    // The last screen stays while reconnecting.
    expect(screen.getByTestId('streaming-question').textContent).toBe('Sec');
    act(() => socket.serverConnect());
    expect(banner()).toContain('Reconnecting');
    act(() => socket.fire('session:state', snapshot({ messages: [question('q1', 'First?')], turn: { state: 'generating' }, inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'Second qu', lastIndex: 2 } })));
    expect(banner()).toBe('');
    expect(screen.getByTestId('streaming-question').textContent).toBe('Second qu');
  });

  it('a question error offers a retry that restarts the turn', async () => {
    mount();
    act(() => socket.serverConnect(snapshot({ messages: [question('q1', 'First?'), answer('a1', 'ok', 'q1')], turn: { state: 'generating' } })));
    act(() => socket.fire('question:error', { questionId: 'q2', code: 'DEPENDENCY_DOWN', retryable: true }));
    expect(screen.getByTestId('question-error').textContent).toContain('could not be generated');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(socket.sentOf('interview:start')).toHaveLength(1));
  });

  it('pauses and resumes through acked events', async () => {
    mount();
    act(() => socket.serverConnect(awaitingQ1));
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(socket.sentOf('interview:pause')).toHaveLength(1));
    await act(async () => socket.sentOf('interview:pause')[0]!.resolve({ ok: true, status: 'paused' }));
    act(() => socket.fire('session:status', { status: 'paused' }));
    expect(screen.getByTestId('answer-disabled-reason').textContent).toContain('paused');
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(socket.sentOf('interview:resume')).toHaveLength(1));
  });
});
