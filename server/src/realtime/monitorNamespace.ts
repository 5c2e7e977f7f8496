import type { Namespace, Server } from 'socket.io';
import { monitorAuthSchema, monitorClientEvents, type MonitorClientToServer, type MonitorServerToClient } from '../../../shared/monitor.js';
import { AppError } from '../../../shared/errors.js';
import type { Repository } from '../db/repository/index.js';
import type { InterviewService } from '../interview/service.js';
import { toWireFocusSignal } from '../interview/focusSignals.js';
import { toSessionSummary } from '../interview/summary.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import type { Logger } from '../observability/logger.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import { toWireNote, type NotesService } from '../recruiters/notes.js';
import { toWireNudge, toWireTakeover, type SteeringService } from '../recruiters/nudges.js';
import { connectError } from './events.js';
import { recruiterEvents, type MonitorSocketData } from './recruiterSockets.js';
import { SESSIONS_ROOM, recruiterRoom, watchRoom } from './rooms.js';

export type MonitorNamespace = Namespace<MonitorClientToServer, MonitorServerToClient, Record<string, never>, MonitorSocketData>;

export interface MonitorNamespaceDeps {
  /** Computes each row's deleteAfter (docs/privacy.md). */
  retention?: RetentionPolicy;
  repo: Repository;
  service: InterviewService;
  /** Who a handshake's token is (bootstrap or named recruiter); checked again before every event. */
  auth: RecruiterAuth;
  notes: NotesService;
  steering: SteeringService;
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
    if (!auth.success) {
      next(connectError('UNAUTHORIZED', 'auth.token (the recruiter token) is required'));
      return;
    }
    deps.auth.authenticate(auth.data.token).then(
      (result) => {
        if (!result.ok) {
          const message = result.error.code === 'FORBIDDEN' ? 'A candidate token cannot open the monitor' : result.error.message;
          next(connectError(result.error.code, message));
          return;
        }
        socket.data.recruiter = result.recruiter;
        next();
      },
      () => next(connectError('DEPENDENCY_DOWN', 'The recruiter could not be checked; retry')),
    );
  });

  nsp.on('connection', (socket) => {
    // Revocation disconnects this room (on every node, through the adapter).
    void socket.join(recruiterRoom(socket.data.recruiter.id));
    const on = recruiterEvents(socket, monitorClientEvents, { auth: deps.auth, logger });

    on('sessions:subscribe', async (filter) => {
      await socket.join(SESSIONS_ROOM);
      const page = await repo.listSessions({ ...filter, limit: 50 });
      return { ok: true as const, sessions: page.items.map((s) => toSessionSummary(s, deps.retention)) };
    });

    on('sessions:unsubscribe', async () => {
      await socket.leave(SESSIONS_ROOM);
      return { ok: true as const };
    });

    on('session:watch', async ({ sessionId }) => {
      const found = await repo.findById(sessionId);
      if (!found) throw new AppError('NOT_FOUND', 'No interview with this id');
      const room = watchRoom(found.clientSessionId);
      await socket.join(room);
      try {
        // Re-read after joining: the snapshot must include everything sent before the join.
        const session = await service.require(found.clientSessionId);
        const snapshot = await service.snapshotOf(session);
        deps.onWatch?.();
        return {
          ok: true as const,
          snapshot,
          focus: (session.focus ?? []).map(toWireFocusSignal),
          notes: (session.notes ?? []).map((n) => toWireNote(session.id, n)),
          nudges: (session.nudges ?? []).map((n) => toWireNudge(session.id, n)),
          takeover: toWireTakeover(session),
        };
      } catch (err) {
        await socket.leave(room);
        throw err;
      }
    });

    on('session:unwatch', async ({ sessionId }) => {
      const found = await repo.findById(sessionId);
      if (found) await socket.leave(watchRoom(found.clientSessionId));
      return { ok: true as const };
    });

    // Private notes: the same service as POST/PATCH /api/sessions/:id/notes.
    on('note:add', async ({ sessionId, ...note }, recruiter) => ({
      ok: true as const,
      ...(await deps.notes.add(recruiter, sessionId, note)),
    }));

    on('note:edit', async ({ sessionId, noteId, ...edit }, recruiter) => ({
      ok: true as const,
      ...(await deps.notes.edit(recruiter, sessionId, noteId, edit)),
    }));

    // Steering (docs/recruiters.md): nudges and take-over, one service for every node.
    on('session:nudge', (payload, recruiter) => deps.steering.nudge(recruiter, payload));
    on('session:nudge:withdraw', (payload, recruiter) => deps.steering.withdraw(recruiter, payload));
    on('session:takeover', (payload, recruiter) => deps.steering.takeOver(recruiter, payload));
    on('session:takeover:ask', (payload, recruiter) => deps.steering.ask(recruiter, payload));
    on('session:handback', (payload, recruiter) => deps.steering.handBack(recruiter, payload));
  });

  return nsp;
}
