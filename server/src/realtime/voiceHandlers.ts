import { interviewClientSchemas } from '../../../shared/events.js';
import type { Logger } from '../observability/logger.js';
import type { VoiceService } from '../voice/voiceService.js';
import { onAckedEvent } from './events.js';

type AnySocket = Parameters<typeof onAckedEvent>[0];

/** The `/interview` voice events of one candidate socket; each calls the VoiceService function of the same action. */
export function attachVoiceHandlers(socket: AnySocket, deps: { voice: VoiceService; clientSessionId: string; logger: Logger }): void {
  const { voice, clientSessionId: csid, logger } = deps;
  onAckedEvent(socket, 'voice:started', interviewClientSchemas['voice:started'], logger, () => voice.voiceStarted(csid));
  onAckedEvent(socket, 'voice:conversation-id', interviewClientSchemas['voice:conversation-id'], logger, (p) =>
    voice.reportConversationId(csid, p.conversationId),
  );
  onAckedEvent(socket, 'voice:transcript', interviewClientSchemas['voice:transcript'], logger, (p) => voice.appendLiveTranscript(csid, p));
  onAckedEvent(socket, 'voice:ended', interviewClientSchemas['voice:ended'], logger, (p) => voice.end(csid, p.endedBy, p.conversationId));
}
