import type { interviewClientEvents } from '../../../shared/events.js';
import type { VoiceService } from '../voice/voiceService.js';
import type { ackedEvents } from './events.js';

type On = ReturnType<typeof ackedEvents<typeof interviewClientEvents>>;

/** The `/interview` voice events of one candidate socket; each calls the VoiceService function of the same action. */
export function attachVoiceHandlers(on: On, deps: { voice: VoiceService; clientSessionId: string }): void {
  const { voice, clientSessionId: csid } = deps;
  on('voice:started', () => voice.voiceStarted(csid));
  on('voice:conversation-id', (p) => voice.reportConversationId(csid, p.conversationId));
  on('voice:transcript', (p) => voice.appendLiveTranscript(csid, p));
  on('voice:ended', (p) => voice.end(csid, p.endedBy, p.conversationId));
}
