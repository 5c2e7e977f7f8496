import type { Namespace, Server } from 'socket.io';
import { clientSessionIdSchema } from '../../../shared/ids.js';
import { interviewAuthSchema, interviewClientSchemas, type InterviewClientToServer, type InterviewServerToClient } from '../../../shared/events.js';
import { verifyCandidateToken } from '../interview/candidateToken.js';
import type { FocusSignals } from '../interview/focusSignals.js';
import type { CandidatePresence } from '../interview/presence.js';
import type { InterviewService } from '../interview/service.js';
import type { Logger } from '../observability/logger.js';
import { connectError, onAckedEvent } from './events.js';
import { refuseRecruiterEvents } from './recruiterSockets.js';
import { sessionRoom } from './rooms.js';
import type { VoiceService } from '../voice/voiceService.js';
import { attachVoiceHandlers } from './voiceHandlers.js';

interface InterviewSocketData {
  clientSessionId: string;
}

export type InterviewNamespace = Namespace<InterviewClientToServer, InterviewServerToClient, Record<string, never>, InterviewSocketData>;

export interface InterviewNamespaceDeps {
  service: InterviewService;
  presence: CandidatePresence;
  sessionSecret: string;
  logger: Logger;
  /** Voice events (voiceHandlers.ts); absent in setups without voice. */
  voice?: VoiceService;
  /** candidate:focus / candidate:paste (docs/openings.md). */
  focus?: FocusSignals;
}

/**
 * `/interview`: one candidate's sockets per session room. The handshake is
 * verified before the socket joins anything (a bad token is a connect_error
 * with a code, never a silent join); on connect the socket gets the full
 * snapshot, and a stalled turn is set moving again.
 */
export function attachInterviewNamespace(io: Server, deps: InterviewNamespaceDeps): InterviewNamespace {
  const nsp = io.of('/interview') as InterviewNamespace;
  const { service, presence, logger } = deps;

  nsp.use((socket, next) => {
    const auth = interviewAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success || !clientSessionIdSchema.safeParse(auth.data.clientSessionId).success) {
      next(connectError('UNAUTHORIZED', 'auth.clientSessionId (a UUID) and auth.candidateToken are required'));
      return;
    }
    const { clientSessionId, candidateToken } = auth.data;
    if (!verifyCandidateToken(deps.sessionSecret, clientSessionId, candidateToken)) {
      next(connectError('UNAUTHORIZED', 'The candidate token does not open this session'));
      return;
    }
    service.require(clientSessionId).then(
      () => {
        socket.data.clientSessionId = clientSessionId;
        next();
      },
      (err: unknown) => {
        const code = (err as { code?: unknown }).code === 'NOT_FOUND' ? 'NOT_FOUND' : 'DEPENDENCY_DOWN';
        next(connectError(code, code === 'NOT_FOUND' ? 'No interview with this clientSessionId' : 'The interview could not be loaded; retry'));
      },
    );
  });

  nsp.on('connection', (socket) => {
    const csid = socket.data.clientSessionId;
    void socket.join(sessionRoom(csid));
    presence.joined(csid);
    socket.on('disconnect', () => presence.left(csid));

    // Events that reach the room before the snapshot is sent are delivered first;
    // clients buffer them until session:state (shared/sessionView.ts).
    void (async () => {
      try {
        const session = await service.require(csid);
        socket.emit('session:state', await service.snapshotOf(session));
        await service.ensureProgress(session);
      } catch (err) {
        logger.error('snapshot failed', { clientSessionId: csid, err });
        socket.disconnect(true);
      }
    })();

    onAckedEvent(socket, 'interview:start', interviewClientSchemas['interview:start'], logger, () => service.start(csid));
    onAckedEvent(socket, 'answer:submit', interviewClientSchemas['answer:submit'], logger, (p) => service.submitAnswer(csid, p));
    onAckedEvent(socket, 'interview:pause', interviewClientSchemas['interview:pause'], logger, () => service.pause(csid));
    onAckedEvent(socket, 'interview:resume', interviewClientSchemas['interview:resume'], logger, () => service.resume(csid));
    onAckedEvent(socket, 'interview:end', interviewClientSchemas['interview:end'], logger, (p) => service.end(csid, p.endedBy));
    if (deps.voice) attachVoiceHandlers(socket, { voice: deps.voice, clientSessionId: csid, logger });
    refuseRecruiterEvents(socket);
    const focus = deps.focus;
    if (focus) {
      onAckedEvent(socket, 'candidate:focus', interviewClientSchemas['candidate:focus'], logger, (p) => focus.focus(csid, p));
      onAckedEvent(socket, 'candidate:paste', interviewClientSchemas['candidate:paste'], logger, (p) => focus.paste(csid, p));
    }
  });

  return nsp;
}
