// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VoiceSessionResponse } from '../../../shared/voice.js';
import type { StoredSession } from '../lib/storage.js';
import { FakeSocket, snapshot } from '../test/fakeSocket.js';
import { VoiceInterview } from './VoiceInterview.js';

/**
 * A recruiter's nudge in a call whose agent runs its own LLM: the page hands
 * `voice:context` to the ElevenLabs SDK (`conversation.sendContextualUpdate`)
 * and renders nothing of it. The SDK is replaced by a fake conversation.
 */
const sdk = vi.hoisted(() => {
  const conversation = {
    sendContextualUpdate: vi.fn<(text: string) => void>(),
    endSession: vi.fn(async () => undefined),
    getId: () => 'conv_fake_sdk_1',
  };
  return { conversation, startSession: vi.fn(async () => conversation) };
});
vi.mock('@elevenlabs/client', () => ({ Conversation: { startSession: sdk.startSession } }));

const session: StoredSession = {
  clientSessionId: '33333333-3333-4333-8333-333333333333',
  candidateToken: 'cand-token',
  mode: 'voice',
  role: 'backend-engineer',
  createdAt: '2026-01-01T00:00:00Z',
};

const real: VoiceSessionResponse = {

  agentId: 'agent_real',
  userId: 'cand_1',
  signedUrl: 'wss://api.elevenlabs.io/v1/convai/conversation?token=fake',
  dynamicVariables: { client_session_id: session.clientSessionId },
  simulated: false,
};

let socket: FakeSocket;
const connect = () => socket.asInterviewSocket();

beforeEach(() => {
  socket = new FakeSocket();
  sdk.conversation.sendContextualUpdate.mockClear();
  const fetchMock = vi.fn<typeof fetch>();
  fetchMock.mockResolvedValue(new Response(JSON.stringify(real), { status: 200, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('voice:context', () => {
  it('passes a recruiter nudge to the agent with sendContextualUpdate and renders nothing of it (also one that arrived before the call)', async () => {
    const { container } = render(<VoiceInterview session={session} connect={connect} />);
    act(() => socket.serverConnect(snapshot({ mode: 'voice', status: 'created', turn: { state: 'idle' } })));
    const early = 'EARLY-NUDGE-q1: ask about their on-call rotation';
    act(() => socket.fire('voice:context', { nudgeId: 'nudge-early', text: early }));
    expect(sdk.conversation.sendContextualUpdate).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Start voice interview' }));
    await waitFor(() => expect(socket.sentOf('voice:started')).toHaveLength(1));
    expect(sdk.startSession).toHaveBeenCalledWith(expect.objectContaining({ signedUrl: real.signedUrl }));
    await act(async () => socket.sentOf('voice:started')[0]!.resolve({ ok: true, status: 'active' }));
    await waitFor(() => expect(sdk.conversation.sendContextualUpdate).toHaveBeenCalledWith(early));

    const text = 'LIVE-NUDGE-z9: ask how they would test the retry logic';
    act(() => socket.fire('voice:context', { nudgeId: 'nudge-live', text }));
    expect(sdk.conversation.sendContextualUpdate).toHaveBeenLastCalledWith(text);
    expect(sdk.conversation.sendContextualUpdate).toHaveBeenCalledTimes(2);
    // Never shown: not in the page, and nothing sent back for it.
    expect(container.textContent).not.toContain('NUDGE');
    expect(socket.sent.map((s) => s.event)).not.toContain('voice:context');
  });
});
