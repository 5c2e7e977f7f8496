import { Conversation, type Language } from '@elevenlabs/client';
import type { VoiceSessionResponse } from '../../../shared/voice.js';
import { liveLineId, type VoiceCall, type VoiceCallbacks } from './liveLines.js';

/**
 * The browser side of a real ElevenLabs call (docs/voice.md), kept behind a
 * small interface so the page does not care whether ElevenLabs or the
 * server's simulator plays the agent.
 */
function primitives(vars: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(vars)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** Starts the ElevenLabs conversation with what POST /api/voice/session returned. */
export async function startElevenLabsCall(res: VoiceSessionResponse, cb: VoiceCallbacks): Promise<VoiceCall> {
  let conversationId: string | null = res.conversationId ?? null;
  let endedByUs = false;
  const overrides = res.agentOverrides;
  const common = {
    dynamicVariables: primitives(res.dynamicVariables),
    userId: res.userId,
    // Candor is the agent's Custom LLM: the platform forwards this as elevenlabs_extra_body.
    ...(res.customLlmExtraBody ? { customLlmExtraBody: res.customLlmExtraBody } : {}),
    // The agent runs its own LLM: the opening as far as a prompt can carry it (the agent must allow these overrides).
    ...(overrides
      ? {
          overrides: {
            agent: { prompt: { prompt: overrides.prompt }, firstMessage: overrides.firstMessage, language: overrides.language as Language },
            asr: { keywords: overrides.keywords },
          },
        }
      : {}),
    onConnect: ({ conversationId: id }: { conversationId: string }) => {
      conversationId = id;
      cb.onConversationId(id);
    },
    onMessage: (m: { message: string; role: 'user' | 'agent'; event_id?: number }) => {
      if (!m.message.trim()) return;
      cb.onLine({ messageId: liveLineId(conversationId, m.role, m.event_id), role: m.role, text: m.message });
    },
    onModeChange: ({ mode }: { mode: 'speaking' | 'listening' }) => cb.onMode(mode),
    onDisconnect: (details: { reason: string; message?: string }) => {
      if (endedByUs) return;
      cb.onEnded(details.reason === 'agent' ? 'agent' : 'disconnect', details.message);
    },
    onError: (message: string) => cb.onError(message),
  };
  const conversation = res.signedUrl
    ? await Conversation.startSession({ ...common, signedUrl: res.signedUrl, connectionType: 'websocket' })
    : res.conversationToken
      ? await Conversation.startSession({ ...common, conversationToken: res.conversationToken, connectionType: 'webrtc' })
      : null;
  if (!conversation) throw new Error('The server returned neither a signed URL nor a conversation token.');
  // The SDK knows the id once connected; report it as soon as we have it (onConnect may already have done so).
  const id = conversation.getId();
  if (id && id !== conversationId) {
    conversationId = id;
    cb.onConversationId(id);
  }
  return {
    conversationId: () => conversationId,
    end: async () => {
      endedByUs = true;
      await conversation.endSession();
    },
    // Context for the agent's own LLM (a recruiter's nudge); the agent does not speak it by itself.
    sendContext: (text: string) => conversation.sendContextualUpdate(text),
  };
}
