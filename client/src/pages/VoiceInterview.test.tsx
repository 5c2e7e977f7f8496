// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VoiceSessionResponse } from '../../../shared/voice.js';
import type { StoredSession } from '../lib/storage.js';
import { FakeSocket, question, snapshot } from '../test/fakeSocket.js';
import { VoiceInterview } from './VoiceInterview.js';

const session: StoredSession = {
  clientSessionId: '22222222-2222-4222-8222-222222222222',
  candidateToken: 'cand-token',
  mode: 'voice',
  role: 'backend-engineer',
  createdAt: '2026-01-01T00:00:00Z',
};

const simulated: VoiceSessionResponse = {
  conversationId: 'sim_22222222-2222-4222-8222-222222222222',
  agentId: 'agent_simulated',
  userId: 'cand_1',
  dynamicVariables: { client_session_id: session.clientSessionId },
  simulated: true,
};

let socket: FakeSocket;
const connect = () => socket.asInterviewSocket();
const fetchMock = vi.fn<typeof fetch>();
const beacon = vi.fn<(url: string, data: Blob) => boolean>(() => true);

beforeEach(() => {
  socket = new FakeSocket();
  fetchMock.mockReset();
  fetchMock.mockResolvedValue(new Response(JSON.stringify(simulated), { status: 200, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetchMock);
  Object.defineProperty(navigator, 'sendBeacon', { value: beacon, configurable: true });
  beacon.mockClear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function startCall() {
  render(<VoiceInterview session={session} connect={connect} />);
  act(() => socket.serverConnect(snapshot({ mode: 'voice', status: 'created', turn: { state: 'idle' } })));
  fireEvent.click(screen.getByRole('button', { name: 'Start voice interview' }));
  await waitFor(() => expect(socket.sentOf('voice:started')).toHaveLength(1));
  await act(async () => socket.sentOf('voice:started')[0]!.resolve({ ok: true, status: 'active' }));
}

describe('VoiceInterview (simulator)', () => {
  it('starts the voice session, reports the conversationId at once and forwards what the candidate says', async () => {
    await startCall();
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/voice/session');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer cand-token');
    expect(JSON.parse(String(init?.body))).toEqual({ clientSessionId: session.clientSessionId });
    expect(socket.sentOf('voice:conversation-id')[0]!.payload).toEqual({ conversationId: simulated.conversationId });
    expect(socket.sentOf('voice:started')[0]!.payload).toEqual({ agentId: 'agent_simulated' });

    act(() => socket.fire('session:status', { status: 'active' }));
    act(() => socket.fire('message:appended', { ...question('sim-agent-1', 'Tell me about an API.'), source: 'voice_live' }));
    expect(screen.getByTestId('speaking').textContent).toContain('Your turn');
    fireEvent.change(screen.getByLabelText('Simulated microphone'), { target: { value: 'A payments API.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Say it' }));
    await waitFor(() => expect(socket.sentOf('voice:transcript')).toHaveLength(1));
    const line = socket.sentOf('voice:transcript')[0]!.payload as { messageId: string; role: string; text: string };
    expect(line).toMatchObject({ role: 'user', text: 'A payments API.' });
    expect(line.messageId).toMatch(/^live:sim_22222222-2222-4222-8222-222222222222:user:/);
  });

  it('End sends voice:ended with the conversationId', async () => {
    await startCall();
    fireEvent.click(screen.getByRole('button', { name: 'End interview' }));
    await waitFor(() => expect(socket.sentOf('voice:ended')).toHaveLength(1));
    expect(socket.sentOf('voice:ended')[0]!.payload).toEqual({ endedBy: 'user', conversationId: simulated.conversationId });
  });

  it('closing the tab mid-call ends it with a beacon carrying the token in the body', async () => {
    await startCall();
    act(() => {
      window.dispatchEvent(new Event('pagehide'));
    });
    expect(beacon).toHaveBeenCalledTimes(1);
    const [url, blob] = beacon.mock.calls[0]!;
    expect(url).toBe(`/api/sessions/${session.clientSessionId}/end`);
    expect(blob.type).toBe('text/plain');
    expect(JSON.parse(await blob.text())).toEqual({ endedBy: 'disconnect', candidateToken: 'cand-token', conversationId: simulated.conversationId });
  });
});
