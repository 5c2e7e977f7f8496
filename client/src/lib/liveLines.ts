/**
 * Shapes shared by the voice page and the ElevenLabs adapter (voiceAgent.ts,
 * loaded lazily so the SDK is only downloaded for real calls).
 */
export interface LiveLine {
  messageId: string;
  role: 'user' | 'agent';
  text: string;
}

export interface VoiceCallbacks {
  onConversationId(conversationId: string): void;
  onLine(line: LiveLine): void;
  onMode(mode: 'speaking' | 'listening'): void;
  /** The call ended without the candidate pressing End: the agent hung up, or the connection failed. */
  onEnded(by: 'agent' | 'disconnect', message?: string): void;
  onError(message: string): void;
}

export interface VoiceCall {
  conversationId(): string | null;
  end(): Promise<void>;
  /**
   * A recruiter's nudge for the agent (`voice:context`): passed on with the SDK's
   * `conversation.sendContextualUpdate(text)`, never shown on the page. The simulator's
   * agent reads the nudge on the server, so its call does nothing here.
   */
  sendContext(text: string): void;
}

/** A messageId for a live line: stable per SDK event, so a re-sent line is stored once. */
export function liveLineId(conversationId: string | null, role: 'user' | 'agent', eventId: number | undefined): string {
  const conv = (conversationId ?? 'conv').replace(/[^A-Za-z0-9_:.-]/g, '_').slice(0, 80);
  return eventId === undefined ? `live:${conv}:${role}:${crypto.randomUUID()}` : `live:${conv}:${role}:${eventId}`;
}

