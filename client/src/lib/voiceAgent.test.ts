import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { VoiceSessionResponse } from '../../../shared/voice.js';

// The SDK's browser boundary (WebSocket + microphone) is not available here: record what the page asks it for.
const startSession = vi.fn();
vi.mock('@elevenlabs/client', () => ({ Conversation: { startSession: (opts: unknown) => startSession(opts) } }));

const { startElevenLabsCall } = await import('./voiceAgent.js');

const callbacks = { onConversationId: vi.fn(), onLine: vi.fn(), onMode: vi.fn(), onEnded: vi.fn(), onError: vi.fn() };
const base: VoiceSessionResponse = {
  signedUrl: 'wss://example.test/convai?token=t',
  agentId: 'agent_x',
  userId: 'cand_1',
  dynamicVariables: { client_session_id: '0b5f8c1e-1d2a-4c3b-9e8f-7a6b5c4d3e2f', role: 'backend-engineer' },
  simulated: false,
};

beforeEach(() => {
  startSession.mockReset();
  startSession.mockResolvedValue({ getId: () => 'conv_1', endSession: () => Promise.resolve() });
});

describe('starting a real ElevenLabs call', () => {
  it('without the Custom LLM, passes the persona prompt, first message and language as overrides and the skills as ASR keywords', async () => {
    await startElevenLabsCall(
      { ...base, agentOverrides: { prompt: 'You are a probing interviewer.', firstMessage: 'Hello there.', language: 'en', keywords: ['Kafka', 'Postgres'] } },
      callbacks,
    );
    const opts = startSession.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(opts['overrides']).toEqual({
      agent: { prompt: { prompt: 'You are a probing interviewer.' }, firstMessage: 'Hello there.', language: 'en' },
      asr: { keywords: ['Kafka', 'Postgres'] },
    });
    expect(opts['customLlmExtraBody']).toBeUndefined();
    expect(opts['dynamicVariables']).toEqual(base.dynamicVariables);
  });

  it('with the Custom LLM, passes the session as the extra body and no overrides', async () => {
    await startElevenLabsCall({ ...base, customLlmExtraBody: { client_session_id: base.dynamicVariables.client_session_id } }, callbacks);
    const opts = startSession.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(opts['customLlmExtraBody']).toEqual({ client_session_id: base.dynamicVariables.client_session_id });
    expect(opts['overrides']).toBeUndefined();
  });
});
