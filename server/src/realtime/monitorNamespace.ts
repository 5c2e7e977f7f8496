import type { Namespace, Server } from 'socket.io';
import { monitorAuthSchema, monitorClientSchemas, type MonitorClientToServer, type MonitorServerToClient } from '../../../shared/monitor.js';
import { AppError } from '../../../shared/errors.js';
import type { Repository } from '../db/repository/index.js';
import { looksLikeCandidateToken, recruiterTokenMatches } from '../http/recruiterAuth.js';
import type { InterviewService } from '../interview/service.js';
import { toWireFocusSignal } from '../interview/focusSignals.js';
import { toSessionSummary } from '../interview/summary.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import type { Logger } from '../observability/logger.js';
import { connectError, onAckedEvent } from './events.js';
import { SESSIONS_ROOM, watchRoom } from './rooms.js';

export type MonitorNamespace = Namespace<MonitorClientToServer, MonitorServerToClient>;

export interface MonitorNamespaceDeps {
  /** Computes each row's deleteAfter (docs/privacy.md). */
  retention?: RetentionPolicy;
  repo: Repository;
  service: InterviewService;
  recruiterToken: string;
  logger: Logger;
  onWatch?: () => void;
}

/**
 * `/monitor`: recruiters. The watch order is what makes joining mid-question
 * gap-free: join the session's room FIRST, then read the snapshot (stored
 * messages + in-flight text up to index k). Every token after the join reaches
 * this socket; every token before it is in the snapshot; the client drops
 * indexes <= k (shared/sessionView.ts). Holds across nodes (see RedisInflightStore).
 */
export function attachMonitorNamespace(io: Server, deps: MonitorNamespaceDeps): MonitorNamespace {
  const nsp = io.of('/monitor') as MonitorNamespace;
  const { repo, service, logger } = deps;

  nsp.use((socket, next) => {
    const auth = monitorAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) next(connectError('UNAUTHORIZED', 'auth.token (the recruiter token) is required'));
    else if (recruiterTokenMatches(deps.recruiterToken, auth.data.token)) next();
    else if (looksLikeCandidateToken(auth.data.token)) next(connectError('FORBIDDEN', 'A candidate token cannot open the monitor'));
    else next(connectError('UNAUTHORIZED', 'The recruiter token is not valid'));
  });

  nsp.on('connection', (socket) => {
    onAckedEvent(socket, 'sessions:subscribe', monitorClientSchemas['sessions:subscribe'], logger, async (filter) => {
      await socket.join(SESSIONS_ROOM);
      const page = await repo.listSessions({ ...filter, limit: 50 });
      return { ok: true as const, sessions: page.items.map((s) => toSessionSummary(s, deps.retention)) };
    });

    onAckedEvent(socket, 'sessions:unsubscribe', monitorClientSchemas['sessions:unsubscribe'], logger, async () => {
      await socket.leave(SESSIONS_ROOM);
      return { ok: true as const };
    });

    onAckedEvent(socket, 'session:watch', monitorClientSchemas['session:watch'], logger, async ({ sessionId }) => {
      const found = await repo.findById(sessionId);
      if (!found) throw new AppError('NOT_FOUND', 'No interview with this id');
      const room = watchRoom(found.clientSessionId);
      await socket.join(room);
      try {
        // Re-read after joining: the snapshot must include everything sent before the join.
        const session = await service.require(found.clientSessionId);
        const snapshot = await service.snapshotOf(session);
        deps.onWatch?.();
        return { ok: true as const, snapshot, focus: (session.focus ?? []).map(toWireFocusSignal) };
      } catch (err) {
        await socket.leave(room);
        throw err;
      }
    });

    onAckedEvent(socket, 'session:unwatch', monitorClientSchemas['session:unwatch'], logger, async ({ sessionId }) => {
      const found = await repo.findById(sessionId);
      if (found) await socket.leave(watchRoom(found.clientSessionId));
      return { ok: true as const };
    });
  });

  return nsp;
}
