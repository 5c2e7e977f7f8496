// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TextInterview } from '../pages/TextInterview.js';
import { FakeSocket, question, snapshot } from '../test/fakeSocket.js';
import type { StoredSession } from './storage.js';
import { focusPayload, pastePayload } from './useFocusSignals.js';

const session: StoredSession = {
  clientSessionId: '11111111-1111-4111-8111-111111111111',
  candidateToken: 'token',
  mode: 'text',
  role: 'backend-engineer',
  createdAt: '2026-01-01T00:00:00Z',
};

let socket: FakeSocket;
beforeEach(() => {
  localStorage.clear();
  socket = new FakeSocket();
});
afterEach(() => {
  cleanup();
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
});

function setVisibility(state: 'hidden' | 'visible') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

function pasteInto(target: Element, text: string) {
  const event = new Event('paste', { bubbles: true, cancelable: true }) as Event & { clipboardData: { getData: (t: string) => string } };
  Object.defineProperty(event, 'clipboardData', { value: { getData: (type: string) => (type === 'text' ? text : '') } });
  target.dispatchEvent(event);
}

describe('focus signals from the candidate page', () => {
  it('reports visibility changes and paste lengths, never the pasted text', () => {
    render(<TextInterview session={session} connect={() => socket.asInterviewSocket()} />);
    act(() => socket.serverConnect(snapshot({ messages: [question('q1', 'What did you build?')], turn: { state: 'awaiting_answer', questionId: 'q1' } })));

    act(() => setVisibility('hidden'));
    act(() => setVisibility('visible'));
    act(() => pasteInto(screen.getByLabelText('Your answer'), 'my secret pasted answer'));
    // A paste outside a text field (e.g. on the page body) is not an answer paste.
    act(() => pasteInto(document.body, 'ignored'));

    expect(socket.sentOf('candidate:focus').map((s) => (s.payload as { state: string }).state)).toEqual(['hidden', 'visible']);
    const pastes = socket.sentOf('candidate:paste').map((s) => s.payload);
    expect(pastes).toEqual([{ length: 23, at: expect.any(String) }]);
    expect(JSON.stringify(socket.sent)).not.toContain('secret');
  });

  it('stops once the interview is over', () => {
    render(<TextInterview session={session} connect={() => socket.asInterviewSocket()} />);
    act(() => socket.serverConnect(snapshot({ status: 'completed', turn: { state: 'idle' } })));
    act(() => setVisibility('hidden'));
    expect(socket.sentOf('candidate:focus')).toEqual([]);
  });

  it('builds the payloads the shared schemas accept', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(focusPayload('hidden', at)).toEqual({ state: 'hidden', at: '2026-01-01T00:00:00.000Z' });
    expect(pastePayload({ clipboardData: { getData: () => 'abc' } as unknown as DataTransfer }, at)).toEqual({ length: 3, at: '2026-01-01T00:00:00.000Z' });
    expect(pastePayload({ clipboardData: null })).toBeNull();
  });
});
